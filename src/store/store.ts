import { sql, type Kysely, type Updateable } from 'kysely';
import type { ItemHeader, ItemRef, PostAction, WriteMode } from '../sdk/connector.js';
import type {
  EventRecord,
  ItemQuery,
  ItemRecord,
  MappingRecord,
  MappingScope,
  RunKind,
  RunRecord,
  StepRecord,
} from '../core/ports.js';
import { ITEM_STATUSES, RUN_STATUSES, STEP_STATUSES, transitionItem, transitionRun, transitionStep, type ItemStatus, type RunStatus, type StepStatus } from '../core/statuses.js';
import type { Database } from './schema.js';
import { AccessTable } from './access-tables.js';
import { ConnectionTable, MigrationTable } from './app-tables.js';
import { GroupCommit } from './group-commit.js';
import type { FerryStore } from './ferry-store.js';
import type { StoredAction } from './records.js';

type RunRow = Database['runs'] & { id: number; stop_requested: number };

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    migrationId: row.migration_id,
    kind: row.kind as RunKind,
    parentRunId: row.parent_run_id,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    stopRequested: row.stop_requested === 1,
    pid: row.pid,
    host: row.host ?? null,
    heartbeatAt: row.heartbeat_at,
    logFile: row.log_file,
    summary: row.summary_json ? (JSON.parse(row.summary_json) as RunRecord['summary']) : null,
  };
}

const CHUNK = 400;
function chunks<T>(values: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

type Transition<S extends string> = (from: S, to: S) => S;

const allowedCache = new Map<unknown, Map<string, string[]>>();

/** The statuses from which `transition` allows a change to `to` (computed once per transition and target). */
function allowedFrom<S extends string>(transition: Transition<S>, all: readonly S[], to: S): S[] {
  let byTarget = allowedCache.get(transition);
  if (!byTarget) allowedCache.set(transition, (byTarget = new Map()));
  let from = byTarget.get(to);
  if (!from) {
    from = all.filter((status) => {
      try {
        return transition(status, to) === to;
      } catch {
        return false;
      }
    });
    byTarget.set(to, from);
  }
  return from as S[];
}

/**
 * Changes one row's status the only allowed way, in one statement when it
 * may: the row is written only if its stored status is one the transition
 * function allows to become `to` (another process, `ferry cancel` say, may
 * have changed it since the caller read it). When no row changed, the
 * stored status is read and given to the transition function: an illegal
 * change throws IllegalTransition from statuses.ts, a missing row says so,
 * and a row that changed in between is tried again. (One statement instead
 * of a read and a write: on PostgreSQL every statement is a round trip.)
 */
async function changeStatus<S extends string>(
  what: string,
  change: { to: S; all: readonly S[]; transition: Transition<S> },
  read: () => Promise<S | undefined>,
  write: (from: readonly S[], status: S) => Promise<bigint>,
): Promise<void> {
  const from = allowedFrom(change.transition, change.all, change.to);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (from.length > 0 && (await write(from, change.to)) > 0n) return;
    const stored = await read();
    if (stored === undefined) throw new Error(`${what} does not exist`);
    const status = change.transition(stored, change.to);
    // A transition that writes another status than asked (none does today) goes the long way.
    if (status !== change.to && (await write([stored], status)) > 0n) return;
  }
  throw new Error(`${what}: its status kept changing while Ferry tried to change it`);
}

/** The engine's store over Kysely: the same queries on SQLite (sqlite-store.ts) and PostgreSQL (postgres-store.ts). */
export class Store implements FerryStore {
  readonly connections: ConnectionTable;
  readonly migrations: MigrationTable;
  readonly access: AccessTable;

  /** The writes around each item's write, committed together when they arrive together. */
  private readonly group: GroupCommit<Store> | undefined;

  /** `db` is for src/store and its tests: nothing else builds a query (see ferry-store.ts). */
  constructor(readonly db: Kysely<Database>) {
    this.connections = new ConnectionTable(db);
    this.migrations = new MigrationTable(db);
    this.access = new AccessTable(db);
    if (!db.isTransaction) this.group = new GroupCommit((body) => db.transaction().execute((trx) => body(new Store(trx))));
  }

  /** One transaction for `work`: shared with the other writes of this turn of the event loop (group-commit.ts). */
  private inTransaction(work: (store: Store) => Promise<void>): Promise<void> {
    return this.group ? this.group.run(work) : work(this);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async createRun(input: { migrationId: number; kind: RunKind; parentRunId?: number; startedAt: string; pid: number; host?: string }): Promise<RunRecord> {
    const row = await this.db
      .insertInto('runs')
      .values({
        migration_id: input.migrationId,
        kind: input.kind,
        parent_run_id: input.parentRunId ?? null,
        status: 'RUNNING',
        started_at: input.startedAt,
        ended_at: null,
        pid: input.pid,
        host: input.host ?? null,
        heartbeat_at: input.startedAt,
        log_file: null,
        summary_json: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRun(row as RunRow);
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRun(row as RunRow) : undefined;
  }

  async listRuns(migrationId: number): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('migration_id', '=', migrationId).orderBy('id', 'desc').execute();
    return rows.map((r) => toRun(r as RunRow));
  }

  async lastRun(migrationId: number, kinds: RunKind[] = ['run', 'rerun', 'undo']): Promise<RunRecord | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('migration_id', '=', migrationId)
      .where('kind', 'in', kinds)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? toRun(row as RunRow) : undefined;
  }

  async updateRun(id: number, patch: Partial<Pick<RunRecord, 'status' | 'endedAt' | 'heartbeatAt' | 'logFile' | 'summary' | 'pid' | 'host'>>): Promise<void> {
    const values: Updateable<Database['runs']> = {};
    if (patch.endedAt !== undefined) values.ended_at = patch.endedAt;
    if (patch.heartbeatAt !== undefined) values.heartbeat_at = patch.heartbeatAt;
    if (patch.logFile !== undefined) values.log_file = patch.logFile;
    if (patch.pid !== undefined) values.pid = patch.pid;
    if (patch.host !== undefined) values.host = patch.host;
    if (patch.summary !== undefined) values.summary_json = patch.summary ? JSON.stringify(patch.summary) : null;
    const to = patch.status;
    if (to === undefined) {
      if (Object.keys(values).length > 0) await this.db.updateTable('runs').set(values).where('id', '=', id).execute();
      return;
    }
    await changeStatus(
      `run ${id}`,
      { to, all: RUN_STATUSES, transition: transitionRun },
      async () => (await this.db.selectFrom('runs').select('status').where('id', '=', id).executeTakeFirst())?.status as RunStatus | undefined,
      async (from, status) => {
        const result = await this.db.updateTable('runs').set({ ...values, status }).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
        return result.numUpdatedRows;
      },
    );
  }

  /** Asks a running run to stop; false when the run is not RUNNING (only a running run can be asked). */
  async requestStop(runId: number): Promise<boolean> {
    const result = await this.db.updateTable('runs').set({ stop_requested: 1 }).where('id', '=', runId).where('status', '=', 'RUNNING').executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Asks every RUNNING run of one process to stop (its Ctrl-C); returns how many. */
  async requestStopOfProcess(pid: number): Promise<number> {
    const result = await this.db.updateTable('runs').set({ stop_requested: 1 }).where('pid', '=', pid).where('status', '=', 'RUNNING').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async isStopRequested(runId: number): Promise<boolean> {
    const row = await this.db.selectFrom('runs').select('stop_requested').where('id', '=', runId).executeTakeFirst();
    return row?.stop_requested === 1;
  }

  async createSteps(runId: number, steps: Array<Omit<StepRecord, 'runId' | 'total' | 'done' | 'startedAt' | 'endedAt'>>): Promise<void> {
    if (steps.length === 0) return;
    await this.db
      .insertInto('steps')
      .values(steps.map((s) => ({ run_id: runId, idx: s.idx, job: s.job, type: s.type, label: s.label, status: s.status, reason: s.reason, started_at: null, ended_at: null })))
      .execute();
  }

  async listSteps(runId: number): Promise<StepRecord[]> {
    const rows = await this.db.selectFrom('steps').selectAll().where('run_id', '=', runId).orderBy('idx').execute();
    return rows.map((r) => ({
      runId: r.run_id,
      idx: r.idx,
      job: r.job,
      type: r.type,
      label: r.label,
      status: r.status as StepStatus,
      reason: r.reason,
      total: r.total,
      done: r.done,
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
  }

  async updateStep(runId: number, idx: number, patch: Partial<Pick<StepRecord, 'status' | 'reason' | 'total' | 'done' | 'startedAt' | 'endedAt'>>): Promise<void> {
    const values: Updateable<Database['steps']> = {};
    if (patch.reason !== undefined) values.reason = patch.reason;
    if (patch.total !== undefined) values.total = patch.total;
    if (patch.done !== undefined) values.done = patch.done;
    if (patch.startedAt !== undefined) values.started_at = patch.startedAt;
    if (patch.endedAt !== undefined) values.ended_at = patch.endedAt;
    const to = patch.status;
    if (to === undefined) {
      if (Object.keys(values).length > 0) await this.db.updateTable('steps').set(values).where('run_id', '=', runId).where('idx', '=', idx).execute();
      return;
    }
    await changeStatus(
      `step ${idx} of run ${runId}`,
      { to, all: STEP_STATUSES, transition: transitionStep },
      async () => (await this.db.selectFrom('steps').select('status').where('run_id', '=', runId).where('idx', '=', idx).executeTakeFirst())?.status as StepStatus | undefined,
      async (from, status) => {
        const result = await this.db.updateTable('steps').set({ ...values, status }).where('run_id', '=', runId).where('idx', '=', idx).where('status', 'in', from).executeTakeFirst();
        return result.numUpdatedRows;
      },
    );
  }

  async addItems(runId: number, items: ItemHeader[], at: string, step?: number): Promise<void> {
    await this.addFinishedItems(runId, items.map((header) => ({ header, status: 'READY' as ItemStatus, reason: '' })), at, step);
  }

  async addFinishedItems(runId: number, items: Array<{ header: ItemHeader; status: ItemStatus; reason: string }>, at: string, step?: number): Promise<void> {
    for (const part of chunks(items, 200)) {
      if (part.length === 0) continue;
      await this.db
        .insertInto('items')
        .values(
          part.map(({ header, status, reason }) => ({
            run_id: runId,
            type: header.type,
            source_id: header.sourceId,
            key: header.key,
            label: header.label,
            hash: header.hash,
            size_bytes: header.sizeBytes ?? null,
            status,
            outcome: null,
            reason: reason || null,
            target_id: null,
            updated_at: at,
            step_idx: step ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['run_id', 'type', 'source_id']).doNothing())
        .execute();
    }
  }

  async listItems(runId: number, query: ItemQuery = {}): Promise<ItemRecord[]> {
    let q = this.db.selectFrom('items').selectAll().where('run_id', '=', runId);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    if (query.type) q = q.where('type', '=', query.type);
    if (query.step !== undefined) q = q.where('step_idx', '=', query.step);
    if (query.statuses && query.statuses.length > 0) q = q.where('status', 'in', query.statuses);
    if (query.deferred) q = q.where('deferred_refs', 'is not', null);
    if (query.sourceIds) q = q.where('source_id', 'in', query.sourceIds.length > 0 ? query.sourceIds : ['']);
    q = q.orderBy('seq');
    if (query.limit !== undefined) q = q.limit(query.limit).offset(query.offset ?? 0);
    const rows = await q.execute();
    return rows.map((r) => ({
      runId: r.run_id,
      type: r.type,
      sourceId: r.source_id,
      key: r.key,
      label: r.label,
      hash: r.hash,
      sizeBytes: r.size_bytes,
      status: r.status as ItemStatus,
      outcome: r.outcome,
      reason: r.reason,
      targetId: r.target_id,
      attempts: r.attempts,
      deferredRefs: r.deferred_refs ? (JSON.parse(r.deferred_refs) as ItemRef[]) : null,
      updatedAt: r.updated_at,
      stepIdx: r.step_idx,
      seq: r.seq,
    }));
  }

  async countItems(runId: number, type?: string, step?: number): Promise<Partial<Record<ItemStatus, number>>> {
    let q = this.db.selectFrom('items').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('run_id', '=', runId);
    if (type) q = q.where('type', '=', type);
    if (step !== undefined) q = q.where('step_idx', '=', step);
    const rows = await q.groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async summarizeItems(runId: number): Promise<Array<{ type: string; status: ItemStatus; outcome: string | null; count: number }>> {
    const rows = await this.db
      .selectFrom('items')
      .select(['type', 'status', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId)
      .groupBy(['type', 'status', 'outcome'])
      .execute();
    return rows.map((r) => ({ type: r.type, status: r.status as ItemStatus, outcome: r.outcome, count: Number(r.n) }));
  }

  async updateItem(
    runId: number,
    type: string,
    sourceId: string,
    patch: Partial<Pick<ItemRecord, 'status' | 'outcome' | 'reason' | 'targetId' | 'attempts' | 'deferredRefs'>>,
    at: string,
  ): Promise<void> {
    const values: Updateable<Database['items']> = { updated_at: at };
    if (patch.outcome !== undefined) values.outcome = patch.outcome;
    if (patch.reason !== undefined) values.reason = patch.reason;
    if (patch.targetId !== undefined) values.target_id = patch.targetId;
    if (patch.attempts !== undefined) values.attempts = patch.attempts;
    if (patch.deferredRefs !== undefined) values.deferred_refs = patch.deferredRefs && patch.deferredRefs.length > 0 ? JSON.stringify(patch.deferredRefs) : null;
    const to = patch.status;
    if (to === undefined) {
      await this.db.updateTable('items').set(values).where('run_id', '=', runId).where('type', '=', type).where('source_id', '=', sourceId).execute();
      return;
    }
    await changeStatus(
      `item ${type} ${sourceId} of run ${runId}`,
      { to, all: ITEM_STATUSES, transition: transitionItem },
      async () => (await this.db.selectFrom('items').select('status').where('run_id', '=', runId).where('type', '=', type).where('source_id', '=', sourceId).executeTakeFirst())?.status as ItemStatus | undefined,
      async (from, status) => {
        const result = await this.db.updateTable('items').set({ ...values, status }).where('run_id', '=', runId).where('type', '=', type).where('source_id', '=', sourceId).where('status', 'in', from).executeTakeFirst();
        return result.numUpdatedRows;
      },
    );
  }

  /** Cancels READY items of a run (all, or those named, or of one type); returns how many. */
  async cancelItems(runId: number, filter: { type?: string; sourceIds?: string[] }, at: string): Promise<number> {
    // The where clause makes READY the stored status of every row this changes.
    const status = transitionItem('READY', 'CANCELLED');
    let q = this.db.updateTable('items').set({ status, reason: 'cancelled by a person', updated_at: at }).where('run_id', '=', runId).where('status', '=', 'READY');
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.sourceIds) q = q.where('source_id', 'in', filter.sourceIds);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async getMappings(scope: MappingScope, type: string, sourceIds: string[]): Promise<Map<string, MappingRecord>> {
    const out = new Map<string, MappingRecord>();
    for (const part of chunks(sourceIds)) {
      if (part.length === 0) continue;
      const rows = await this.db
        .selectFrom('id_map')
        .selectAll()
        .where('source_conn', '=', scope.source)
        .where('target_conn', '=', scope.target)
        .where('type', '=', type)
        .where('source_id', 'in', part)
        .execute();
      for (const r of rows) out.set(r.source_id, toMapping(r));
    }
    return out;
  }

  async putMapping(scope: MappingScope, m: MappingRecord, at: string): Promise<void> {
    const values = {
      source_conn: scope.source,
      target_conn: scope.target,
      type: m.type,
      source_id: m.sourceId,
      target_id: m.targetId || null,
      hash: m.hash,
      version: m.version ?? null,
      run_id: m.runId,
      origin: m.origin,
      state: m.state,
      pending_mode: m.state === 'pending' ? (m.pendingMode ?? null) : null,
      last_error: m.state === 'pending' ? (m.lastError ?? null) : null,
      updated_at: at,
    };
    await this.db
      .insertInto('id_map')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['source_conn', 'target_conn', 'type', 'source_id']).doUpdateSet({
          target_id: values.target_id,
          hash: values.hash,
          version: values.version,
          run_id: values.run_id,
          origin: values.origin,
          state: values.state,
          pending_mode: values.pending_mode,
          last_error: values.last_error,
          updated_at: at,
        }),
      )
      .execute();
  }

  async deleteMapping(scope: MappingScope, type: string, sourceId: string): Promise<void> {
    await this.db
      .deleteFrom('id_map')
      .where('source_conn', '=', scope.source)
      .where('target_conn', '=', scope.target)
      .where('type', '=', type)
      .where('source_id', '=', sourceId)
      .execute();
  }

  async listMappingsByRun(scope: MappingScope, runId: number): Promise<MappingRecord[]> {
    const rows = await this.db
      .selectFrom('id_map')
      .selectAll()
      .where('source_conn', '=', scope.source)
      .where('target_conn', '=', scope.target)
      .where('run_id', '=', runId)
      .execute();
    return rows.map(toMapping);
  }

  async getCursor(runId: number, type: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('cursors').select('cursor').where('run_id', '=', runId).where('type', '=', type).executeTakeFirst();
    return row?.cursor;
  }

  async setCursor(runId: number, type: string, cursor: string): Promise<void> {
    await this.db
      .insertInto('cursors')
      .values({ run_id: runId, type, cursor })
      .onConflict((oc) => oc.columns(['run_id', 'type']).doUpdateSet({ cursor }))
      .execute();
  }

  async addEvent(event: Omit<EventRecord, 'id'> & { migrationId: number }): Promise<void> {
    await this.addEvents([event]);
  }

  async addEvents(events: Array<Omit<EventRecord, 'id'> & { migrationId: number }>): Promise<void> {
    for (const part of chunks(events, 100)) {
      if (part.length === 0) continue;
      await this.db
        .insertInto('events')
        .values(part.map((event) => ({ run_id: event.runId, migration_id: event.migrationId, at: event.at, level: event.level, step: event.step, item: event.item, message: event.message })))
        .execute();
    }
  }

  /** Newest first, at most `limit`, none older than `since`. */
  async listEvents(filter: { migrationId?: number; runId?: number; limit: number; since?: string }): Promise<EventRecord[]> {
    let q = this.db.selectFrom('events').selectAll();
    if (filter.migrationId !== undefined) q = q.where('migration_id', '=', filter.migrationId);
    if (filter.runId !== undefined) q = q.where('run_id', '=', filter.runId);
    if (filter.since) q = q.where('at', '>=', filter.since);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({ id: r.id, runId: r.run_id, at: r.at, level: r.level as EventRecord['level'], step: r.step, item: r.item, message: r.message }));
  }

  async listEventsAfter(filter: { migrationId?: number; runId?: number; afterId: number; limit: number }): Promise<EventRecord[]> {
    let q = this.db.selectFrom('events').selectAll().where('id', '>', filter.afterId);
    if (filter.migrationId !== undefined) q = q.where('migration_id', '=', filter.migrationId);
    if (filter.runId !== undefined) q = q.where('run_id', '=', filter.runId);
    const rows = await q.orderBy('id').limit(filter.limit).execute();
    return rows.map((r) => ({ id: r.id, runId: r.run_id, at: r.at, level: r.level as EventRecord['level'], step: r.step, item: r.item, message: r.message }));
  }

  /** Deletes one migration's events older than `before`; the retention period. */
  async purgeEvents(before: string, migrationId: number): Promise<number> {
    const result = await this.db.deleteFrom('events').where('migration_id', '=', migrationId).where('at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Stores actions as they arise. One that the run already holds is not added
   * again: a resumed run repeats the actions of the writes it finishes.
   */
  async addActions(runId: number, actions: PostAction[]): Promise<void> {
    for (const a of actions) {
      const row = { run_id: runId, code: a.code, message: a.message, type: a.type ?? null, source_id: a.sourceId ?? null, label: a.label ?? null, fields: a.fields ? JSON.stringify(a.fields) : null };
      // Typed parameters: PostgreSQL reads an untyped one in a select list as text.
      const text = (value: string | null) => sql`cast(${value} as text)`;
      const run = sql`cast(${row.run_id} as bigint)`;
      await sql`insert into actions (run_id, code, message, type, source_id, label, fields)
        select ${run}, ${text(row.code)}, ${text(row.message)}, ${text(row.type)}, ${text(row.source_id)}, ${text(row.label)}, ${text(row.fields)}
        where not exists (select 1 from actions where run_id = ${run} and code = ${text(row.code)} and message = ${text(row.message)}
          and type is not distinct from ${text(row.type)} and source_id is not distinct from ${text(row.source_id)} and label is not distinct from ${text(row.label)})`.execute(this.db);
    }
  }

  async countEvents(runId: number): Promise<{ warn: number; error: number }> {
    const rows = await this.db.selectFrom('events').select(['level', (eb) => eb.fn.countAll<number>().as('n')]).where('run_id', '=', runId).where('level', 'in', ['warn', 'error']).groupBy('level').execute();
    const of = (level: string) => Number(rows.find((r) => r.level === level)?.n ?? 0);
    return { warn: of('warn'), error: of('error') };
  }

  async countActions(runId: number): Promise<number> {
    const row = await this.db.selectFrom('actions').select((eb) => eb.fn.countAll<number>().as('n')).where('run_id', '=', runId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Records a finished write in one transaction: the ID map entry, the item's
   * final status and the actions it raised. A kill can come before or after,
   * never in between, so a resumed run neither loses the actions nor
   * mistakes the write for an old one.
   */
  async completeWrite(input: { scope: MappingScope; mapping: MappingRecord; runId: number; item: Pick<ItemRecord, 'type' | 'sourceId'>; patch: Partial<Pick<ItemRecord, 'status' | 'outcome' | 'reason' | 'targetId' | 'deferredRefs'>>; actions: PostAction[]; at: string }): Promise<void> {
    await this.inTransaction(async (inner) => {
      await inner.putMapping(input.scope, input.mapping, input.at);
      await inner.updateItem(input.runId, input.item.type, input.item.sourceId, input.patch, input.at);
      await inner.addActions(input.runId, input.actions);
    });
  }

  async startWrite(input: { scope: MappingScope; mapping: MappingRecord; runId: number; item: Pick<ItemRecord, 'type' | 'sourceId'>; patch: Partial<Pick<ItemRecord, 'status' | 'attempts'>>; at: string }): Promise<void> {
    await this.inTransaction(async (inner) => {
      await inner.putMapping(input.scope, input.mapping, input.at);
      await inner.updateItem(input.runId, input.item.type, input.item.sourceId, input.patch, input.at);
    });
  }

  /** Notes on a pending ID map entry why its write failed (so nobody calls it "interrupted"). */
  async markMappingFailed(scope: MappingScope, type: string, sourceId: string, message: string, at: string): Promise<void> {
    await this.db
      .updateTable('id_map')
      .set({ last_error: message, updated_at: at })
      .where('source_conn', '=', scope.source)
      .where('target_conn', '=', scope.target)
      .where('type', '=', type)
      .where('source_id', '=', sourceId)
      .where('state', '=', 'pending')
      .execute();
  }

  async getBinding(scope: MappingScope): Promise<{ source: string; target: string; boundAt: string } | undefined> {
    const row = await this.db.selectFrom('map_bindings').selectAll().where('source_conn', '=', scope.source).where('target_conn', '=', scope.target).executeTakeFirst();
    return row ? { source: row.source_identity, target: row.target_identity, boundAt: row.bound_at } : undefined;
  }

  async putBinding(scope: MappingScope, identities: { source: string; target: string }, at: string): Promise<void> {
    const values = { source_conn: scope.source, target_conn: scope.target, source_identity: identities.source, target_identity: identities.target, bound_at: at };
    await this.db
      .insertInto('map_bindings')
      .values(values)
      .onConflict((oc) => oc.columns(['source_conn', 'target_conn']).doUpdateSet({ source_identity: values.source_identity, target_identity: values.target_identity, bound_at: at }))
      .execute();
  }

  async countMappings(scope: MappingScope): Promise<number> {
    const row = await this.db.selectFrom('id_map').select((eb) => eb.fn.countAll<number>().as('n')).where('source_conn', '=', scope.source).where('target_conn', '=', scope.target).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Forgets the ID map of a connection pair and what it was bound to; returns how many entries went. */
  async forgetMap(scope: MappingScope): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('id_map').where('source_conn', '=', scope.source).where('target_conn', '=', scope.target).executeTakeFirst();
      await trx.deleteFrom('map_bindings').where('source_conn', '=', scope.source).where('target_conn', '=', scope.target).execute();
      return Number(result.numDeletedRows);
    });
  }

  async listActions(runId: number): Promise<PostAction[]> {
    const rows = await this.db.selectFrom('actions').selectAll().where('run_id', '=', runId).orderBy('id').execute();
    return rows.map((r) => ({ code: r.code, message: r.message, ...(r.type ? { type: r.type } : {}), ...(r.source_id ? { sourceId: r.source_id } : {}), ...(r.label ? { label: r.label } : {}), ...(r.fields ? { fields: JSON.parse(r.fields) as string[] } : {}) }));
  }

  async listStoredActions(runId: number): Promise<StoredAction[]> {
    const rows = await this.db.selectFrom('actions').leftJoin('action_done', 'action_done.action_id', 'actions.id').selectAll('actions').select(['action_done.done_at', 'action_done.done_by']).where('run_id', '=', runId).orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      code: r.code,
      message: r.message,
      ...(r.type ? { type: r.type } : {}),
      ...(r.source_id ? { sourceId: r.source_id } : {}),
      ...(r.label ? { label: r.label } : {}),
      ...(r.fields ? { fields: JSON.parse(r.fields) as string[] } : {}),
      doneAt: r.done_at ?? null,
      doneBy: r.done_by ?? null,
    }));
  }

  async setActionDone(input: { runId: number; actionId: number; done: boolean; by: string; at: string }): Promise<boolean> {
    const held = await this.db.selectFrom('actions').select('id').where('id', '=', input.actionId).where('run_id', '=', input.runId).executeTakeFirst();
    if (!held) return false;
    if (!input.done) {
      await this.db.deleteFrom('action_done').where('action_id', '=', input.actionId).execute();
      return true;
    }
    await this.db
      .insertInto('action_done')
      .values({ action_id: input.actionId, done_at: input.at, done_by: input.by })
      .onConflict((oc) => oc.column('action_id').doUpdateSet({ done_at: input.at, done_by: input.by }))
      .execute();
    return true;
  }

  async listFieldActions(migrationId: number): Promise<Array<{ type: string; sourceId: string; fields: string[] }>> {
    const rows = await this.db
      .selectFrom('actions')
      .innerJoin('runs', 'runs.id', 'actions.run_id')
      .select(['actions.type', 'actions.source_id', 'actions.fields'])
      .where('runs.migration_id', '=', migrationId)
      .where('actions.fields', 'is not', null)
      .where('actions.type', 'is not', null)
      .where('actions.source_id', 'is not', null)
      .execute();
    return rows.map((r) => ({ type: r.type!, sourceId: r.source_id!, fields: JSON.parse(r.fields!) as string[] }));
  }
}

function toMapping(r: Database['id_map']): MappingRecord {
  return {
    type: r.type,
    sourceId: r.source_id,
    targetId: r.target_id ?? '',
    ...(r.version ? { version: r.version } : {}),
    hash: r.hash,
    runId: r.run_id,
    origin: r.origin as MappingRecord['origin'],
    state: r.state as MappingRecord['state'],
    ...(r.pending_mode ? { pendingMode: r.pending_mode as WriteMode } : {}),
    ...(r.last_error ? { lastError: r.last_error } : {}),
  };
}
