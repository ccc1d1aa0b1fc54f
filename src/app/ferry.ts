import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import type { EngineDeps, MigrationContext } from '../core/context.js';
import { checkPlanSize, parsePlan, PlanError, type Plan } from '../core/plan.js';
import { layoutJobs, PlanMismatch, unknownJobs } from '../core/planner.js';
import { runPrechecks } from '../core/prechecks.js';
import { previewMigration, type Preview, type PreviewRow } from '../core/preview.js';
import type { Clock, RunRecord } from '../core/ports.js';
import type { ProgressEvent } from '../core/reporter.js';
import { executeRun, type RunMode } from '../core/runner.js';
import { executeUndo } from '../core/undo.js';
import { RunReporter } from '../core/reporter.js';
import { executeVerifyRun } from '../core/verify-step.js';
import { transitionRun } from '../core/statuses.js';
import type { Finding, Identity } from '../sdk/connector.js';
import { isPostgresUrl, redactStoreUrl, StoreUnavailable } from '../store/store-url.js';
import { StoreTooNew } from '../store/schema-migrate.js';
import type { Database } from '../store/schema.js';
import { openSqlite } from '../store/sqlite-store.js';
import { Store } from '../store/store.js';
import type { FerryStore } from '../store/ferry-store.js';
import { asUserError, connectorFor, Connections, TOOL_VERSION, type OpenSession } from './connections.js';
import { prepareDataFolder } from './data-folder.js';
import { UserError } from './errors.js';
import { describeFingerprint, fingerprintOf, sameFingerprint, sameInstanceReason, type InstanceFingerprint } from './instance-identity.js';
import { Migrations, type MigrationRow } from './migrations.js';
import { RunLogFile, runLogName } from './run-log-file.js';
import { SecretBox } from './secrets.js';
import { isSystemPlanText, parseSystemPlan } from '../system/plan.js';
import { precheckSystemMigration, runSystem, systemRowSides, undoSystem, verifySystem } from '../system/runner.js';
import { keepHeartbeat, ownedHere, runOwnerAlive, thisHost } from './run-owner.js';

export interface FerryOptions {
  dataDir: string;
  /**
   * Where the store is: a postgres:// (or postgresql://) URL, or absent (or
   * empty) for the embedded SQLite store, ferry.sqlite in the data folder.
   * The data folder keeps the run logs and the secrets key either way.
   */
  store?: string | undefined;
  clock?: Clock;
  logger?: Logger;
}

export interface RunOptions {
  onProgress?: (event: ProgressEvent) => void;
  onFindings?: (findings: Finding[]) => void;
  /** The target's connection name, required when the plan resets the target. */
  confirmReset?: string;
  reset?: boolean;
  /** Forget the ID map of this source and target pair first (the target was rebuilt, or a connection re-pointed). */
  forgetMap?: boolean;
  signal?: AbortSignal;
  /** Hands each step's batches to `ferry worker` processes (src/scale/coordinator.ts) instead of processing them here. */
  distribute?: EngineDeps['distribute'];
}

export class PrecheckFailed extends UserError {
  constructor(readonly findings: Finding[]) {
    const errors = findings.filter((f) => f.level === 'error');
    super(`Pre-migration checks found ${errors.length} error(s); nothing was written`, {
      details: errors.map((f) => `${f.message}${f.hint ? ` — ${f.hint}` : ''}`),
    });
  }
}

/** The engine behind the CLI (and later the server): one data folder, one store. */
export class Ferry {
  readonly connections: Connections;
  readonly migrations: Migrations;
  /** The PostgreSQL store's URL (workers and their queue live there); undefined for the SQLite store. */
  storeUrl: string | undefined;

  private constructor(
    readonly dataDir: string,
    readonly store: FerryStore,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    this.connections = new Connections(store, SecretBox.open(dataDir), logger);
    this.migrations = new Migrations(store);
  }

  static async open(options: FerryOptions): Promise<Ferry> {
    const dataDir = resolve(options.dataDir);
    const location = storeLocation(options.store);
    prepareDataFolder(dataDir);
    const store = new Store(location === undefined ? await openSqlite(join(dataDir, 'ferry.sqlite')) : await openPostgresStore(location));
    const logger = options.logger ?? pino({ level: 'info' }, pino.destination({ dest: join(dataDir, 'ferry-process.log'), sync: false, mkdir: true, mode: 0o600 }));
    const ferry = new Ferry(dataDir, store, options.clock ?? { now: () => new Date() }, logger);
    ferry.storeUrl = location;
    return ferry;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  /** Reads and validates a plan file, and checks it against the connector's object types. */
  async readPlan(file: string): Promise<Plan> {
    return (await this.readPlanFile(file)).plan;
  }

  /** The plan file's text and its validated plan; its size is checked before it is read. */
  private async readPlanFile(file: string): Promise<{ text: string; plan: Plan }> {
    let text: string;
    try {
      // Refused before reading: a huge file is not the plan someone meant.
      checkPlanSize(statSync(file).size, file);
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof PlanError) throw error;
      throw new UserError(`Cannot read the plan file ${file}`, { hint: 'check the path: it must be a readable file' });
    }
    const plan = parsePlan(text, file);
    await this.validatePlan(plan);
    return { text, plan };
  }

  /** Warnings about a valid plan (a job order that breaks a dependency). */
  async planWarnings(plan: Plan): Promise<string[]> {
    const source = await this.connections.get(plan.source);
    return layoutJobs(connectorFor(source.platform).objectTypes, plan).warnings;
  }

  async validatePlan(plan: Plan): Promise<void> {
    const source = await this.connections.get(plan.source);
    const target = await this.connections.get(plan.target);
    const same = sameInstanceReason(
      { name: source.name, platform: source.platform, identity: source.identity, ...(typeof source.config.url === 'string' ? { url: source.config.url } : {}) },
      { name: target.name, platform: target.platform, identity: target.identity, ...(typeof target.config.url === 'string' ? { url: target.config.url } : {}) },
    );
    if (same) throw sameInstanceError(same);
    if (source.platform !== target.platform) {
      throw new UserError(`Source "${source.name}" is ${source.platform} and target "${target.name}" is ${target.platform}: this build migrates only between instances of the same platform`);
    }
    try {
      layoutJobs(connectorFor(source.platform).objectTypes, plan);
    } catch (error) {
      if (error instanceof PlanMismatch) throw new UserError(`The plan does not fit ${source.platform}: ${error.message}`);
      throw error;
    }
  }

  /** Saves (or updates) the migration a plan file describes. */
  async saveMigration(file: string): Promise<MigrationRow> {
    const { plan, text } = await this.readPlanFile(file);
    return this.migrations.save(plan, text, resolve(file), this.now());
  }

  /** Saves (or updates) the migration a plan's text describes (the API's way: no file). */
  async saveMigrationText(yaml: string): Promise<MigrationRow> {
    const plan = parsePlan(yaml, 'plan');
    await this.validatePlan(plan);
    return this.migrations.save(plan, yaml, null, this.now());
  }

  /** The migration a plan's text describes, not saved (id 0 when new): for a preview. */
  async draftMigrationText(yaml: string): Promise<MigrationRow> {
    const plan = parsePlan(yaml, 'plan');
    await this.validatePlan(plan);
    const existing = await this.store.migrations.byName(plan.name);
    const now = this.now();
    return { id: existing?.id ?? 0, name: plan.name, plan_yaml: yaml, plan_file: null, source: plan.source, target: plan.target, archived: existing?.archived ?? 0, created_at: existing?.created_at ?? now, updated_at: now };
  }

  /**
   * The migration a plan file describes, not saved yet (id 0 when new): a run
   * saves it only once its pre-checks pass, so bad input leaves the store as it was.
   */
  async draftMigration(file: string): Promise<MigrationRow> {
    const system = this.draftSystemMigration(file);
    if (system) return system;
    const { plan, text } = await this.readPlanFile(file);
    const existing = await this.migrations.byName(plan.name).catch(() => undefined);
    const now = this.now();
    return { id: existing?.id ?? 0, name: plan.name, plan_yaml: text, plan_file: resolve(file), source: plan.source, target: plan.target, archived: existing?.archived ?? 0, created_at: existing?.created_at ?? now, updated_at: now };
  }

  /** A system migration's plan file (`kind: system`, src/system/plan.ts) as a draft row; undefined for item plans. */
  private draftSystemMigration(file: string): Promise<MigrationRow> | undefined {
    let text: string;
    try {
      checkPlanSize(statSync(file).size, file);
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    if (!isSystemPlanText(text)) return undefined;
    const plan = parseSystemPlan(text, file);
    return (async () => {
      const existing = await this.store.migrations.byName(plan.name);
      const now = this.now();
      return { id: existing?.id ?? 0, name: plan.name, plan_yaml: text, plan_file: resolve(file), ...systemRowSides(plan), archived: existing?.archived ?? 0, created_at: existing?.created_at ?? now, updated_at: now };
    })();
  }

  /** A dry run; with `forgetMap` it shows what a run with --forget-map would do, and forgets nothing. */
  async preview(migration: MigrationRow, onRow?: (row: PreviewRow) => void, options: { forgetMap?: boolean } = {}): Promise<Preview> {
    const store = options.forgetMap ? { getMappings: async () => new Map() } : this.store;
    return this.withContext(migration, AbortSignal.timeout(3_600_000), (ctx) => previewMigration(ctx, store, onRow), { ignoreBinding: options.forgetMap === true });
  }

  /**
   * The pre-migration checks a run would make now, and the jobs and steps it
   * would run, without writing anything: the dashboard shows them before Run.
   */
  async precheck(migration: MigrationRow, options: { reset?: boolean; confirmReset?: string } = {}): Promise<{ findings: Finding[]; jobs: Array<{ name: string; steps: Array<{ type: string; label: string; applies: boolean; reason?: string }> }> }> {
    if (isSystemPlanText(migration.plan_yaml)) return precheckSystemMigration(migration);
    return this.withContext(migration, AbortSignal.timeout(600_000), async (ctx) => {
      const layout = layoutJobs(ctx.types, ctx.plan);
      const findings = await this.prechecks(ctx, options);
      return { findings, jobs: layout.jobs.map((j) => ({ name: j.name, steps: j.steps.map((s) => ({ type: s.type, label: s.label, applies: s.applies, ...(s.reason ? { reason: s.reason } : {}) })) })) };
    });
  }

  /**
   * Runs a migration, or resumes its interrupted run. Pre-check errors stop it before anything is written.
   * With `jobs`, only those jobs' steps run; the others are Skipped ("not in this run's jobs").
   */
  async run(migration: MigrationRow, options: RunOptions & { jobs?: string[] } = {}): Promise<RunRecord> {
    if (isSystemPlanText(migration.plan_yaml)) {
      // A system migration (issue 9): the whole installation, through src/system/runner.ts.
      return runSystem({ store: this.store, clock: this.clock, dataDir: this.dataDir, connections: this.connections, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.onFindings ? { onFindings: (f) => options.onFindings!(f.map((x) => ({ ...x, code: 'system' }))) } : {}), ...(options.signal ? { signal: options.signal } : {}) }, migration);
    }
    const last = migration.id === 0 ? undefined : await this.store.lastRun(migration.id);
    if (last?.status === 'RUNNING' && runOwnerAlive(last, this.clock.now()) && !ownedHere(last)) {
      throw new UserError(`Run ${last.id} of "${migration.name}" is still running (process ${last.pid}${last.host && last.host !== thisHost() ? ` on ${last.host}` : ''})`, { hint: `stop it with \`ferry stop ${migration.name}\`` });
    }
    let resume = last?.status === 'RUNNING' && (last.kind === 'run' || last.kind === 'rerun') ? last : undefined;
    if (resume && options.forgetMap) {
      // Its items were decided against the map being forgotten: the run starts afresh instead.
      await this.store.updateRun(resume.id, { status: transitionRun(resume.status, 'FAILED'), endedAt: this.now() });
      resume = undefined;
    }
    const jobs = options.jobs && options.jobs.length > 0 ? options.jobs : undefined;
    if (resume && jobs) {
      throw new UserError(`Run ${resume.id} of "${migration.name}" was interrupted: it must be finished before one job runs alone`, { hint: `resume it with \`ferry run ${migration.name}\` (without --job), or stop it with \`ferry stop ${migration.name}\`` });
    }
    const doneTypes = jobs && migration.id !== 0 ? await this.migratedTypes(migration.id) : [];
    return this.execute(migration, options, resume ? { kind: 'resume' } : { kind: 'fresh', ...(jobs ? { jobs, doneTypes } : {}) }, resume);
  }

  /** Types an earlier run or re-run of the migration wrote or matched items of (a job run alone may depend on them). */
  private async migratedTypes(migrationId: number): Promise<string[]> {
    const types = new Set<string>();
    for (const run of await this.store.listRuns(migrationId)) {
      if (run.kind !== 'run' && run.kind !== 'rerun') continue;
      for (const [type, c] of Object.entries(run.summary?.types ?? {})) if (c.created + c.updated + c.unchanged + c.adopted > 0) types.add(type);
    }
    return [...types];
  }

  async rerun(runId: number, options: RunOptions & { sourceIds?: string[] } = {}): Promise<RunRecord> {
    const parent = await this.requireRun(runId);
    const migration = await this.migrations.byId(parent.migrationId);
    const plan = parsePlan(migration.plan_yaml, migration.name);
    const ageDays = (this.clock.now().getTime() - new Date(parent.startedAt).getTime()) / 86_400_000;
    if (ageDays > plan.options.rerunWindowDays) {
      throw new UserError(`Run ${runId} started ${ageDays.toFixed(1)} days ago, outside the ${plan.options.rerunWindowDays}-day re-run window`, { hint: 'run the migration again instead: unchanged items are skipped' });
    }
    if (parent.status === 'RUNNING') throw new UserError(`Run ${runId} is still running`);
    const retryable = await this.store.countItems(parent.id);
    if ((retryable.FAILED ?? 0) + (retryable.INCOMPLETE ?? 0) + (retryable.TIMED_OUT ?? 0) === 0) {
      throw new UserError(`Run ${runId} has no FAILED, INCOMPLETE or TIMED_OUT items to re-run`, { hint: 'run the migration again to carry new changes' });
    }
    return this.execute(migration, options, { kind: 'rerun', parent, ...(options.sourceIds ? { sourceIds: options.sourceIds } : {}) });
  }

  /** Undo of a run, or of one job's (`job`) and/or one object type's (`type`, in every job unless `job` is given) writes. */
  async undo(runId: number, options: RunOptions & { type?: string; job?: string } = {}): Promise<RunRecord> {
    const of = await this.requireRun(runId);
    if (of.kind === 'undo') throw new UserError(`Run ${runId} is itself an undo`, { hint: 'run the migration again to bring the content back' });
    if (of.kind === 'verify') throw new UserError(`Run ${runId} is a verify run: it wrote nothing to undo`);
    const migration = await this.migrations.byId(of.migrationId);
    if (isSystemPlanText(migration.plan_yaml)) {
      // A system run killed mid-way may be undone too (undoSystem checks that its process is gone).
      return undoSystem({ store: this.store, clock: this.clock, dataDir: this.dataDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) }, migration, of);
    }
    if (of.status === 'RUNNING') throw new UserError(`Run ${runId} is still running`, { hint: 'stop it first with `ferry stop`' });
    if (options.job) {
      const jobs = [...new Set((await this.store.listSteps(of.id)).map((s) => s.job))];
      if (!jobs.includes(options.job)) throw new UserError(`Run ${runId} has no job "${options.job}"`, { hint: `its jobs are: ${jobs.map((j) => `"${j}"`).join(', ')}` });
    }
    return this.withContext(migration, options.signal ?? new AbortController().signal, async (ctx) => {
      const { run, log } = await this.startRun(migration, 'undo', of.id);
      try {
        return await executeUndo({ store: this.store, clock: this.clock, log, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }, ctx, run, { of, ...(options.type ? { type: options.type } : {}), ...(options.job ? { job: options.job } : {}) });
      } finally {
        await log.close();
      }
    });
  }

  /**
   * Reads source and target afresh and compares every migrated item (a run
   * of kind 'verify'); the target is not written. Damaged items are
   * forgotten by the ID map, so the next run writes them again.
   */
  async verify(migration: MigrationRow, options: RunOptions = {}): Promise<RunRecord> {
    if (migration.id === 0) throw new UserError(`"${migration.name}" has never run: there is nothing to verify yet`, { hint: 'run it first with `ferry run`' });
    if (isSystemPlanText(migration.plan_yaml)) {
      return verifySystem({ store: this.store, clock: this.clock, dataDir: this.dataDir, connections: this.connections, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) }, migration);
    }
    const last = await this.store.lastRun(migration.id);
    if (last?.status === 'RUNNING' && runOwnerAlive(last, this.clock.now())) {
      throw new UserError(`Run ${last.id} of "${migration.name}" is still running`, { hint: 'verify after it ends, or stop it with `ferry stop`' });
    }
    return this.withContext(migration, options.signal ?? new AbortController().signal, async (ctx) => {
      const { run, log } = await this.startRun(migration, 'verify');
      log.write({ at: this.clock.now(), level: 'info', message: `Ferry ${TOOL_VERSION}, verify of "${migration.name}", run ${run.id}: ${ctx.scope.source} -> ${ctx.scope.target}` });
      const deps = { store: this.store, clock: this.clock, log, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
      const reporter = new RunReporter({ ...deps, runId: run.id, migrationId: migration.id });
      const stopBeating = keepHeartbeat(() => this.store.updateRun(run.id, { heartbeatAt: this.now() }));
      try {
        return await executeVerifyRun({ deps, ctx, run, reporter, stopped: false, fatal: undefined, placeholder: {}, placeholderUses: new Map() });
      } finally {
        stopBeating();
        await log.close();
      }
    });
  }

  async stop(migration: MigrationRow): Promise<RunRecord> {
    const last = await this.store.lastRun(migration.id);
    if (!last || last.status !== 'RUNNING') throw new UserError(`"${migration.name}" has no run in progress`);
    await this.store.requestStop(last.id);
    return last;
  }

  async requireRun(runId: number): Promise<RunRecord> {
    const run = await this.store.getRun(runId);
    if (!run) throw new UserError(`No run ${runId}`, { hint: 'see `ferry status <migration>` for run numbers' });
    return run;
  }

  private async execute(migration: MigrationRow, options: RunOptions, mode: RunMode, resume?: RunRecord): Promise<RunRecord> {
    const signal = options.signal ?? new AbortController().signal;
    return this.withContext(migration, signal, async (ctx, source, target, identities) => {
      if (options.forgetMap) {
        const forgotten = await this.store.forgetMap(ctx.scope);
        this.logger.warn({ source: ctx.scope.source, target: ctx.scope.target, forgotten }, 'ID map forgotten');
        options.onProgress?.({ kind: 'message', level: 'warn', message: `Forgot the ID map of "${ctx.scope.source}" -> "${ctx.scope.target}" (${forgotten} entries): every item is decided afresh against the target` });
      }
      if (mode.kind === 'fresh' && mode.jobs) {
        const unknown = unknownJobs(layoutJobs(ctx.types, ctx.plan), mode.jobs);
        if (unknown) throw new UserError(`Cannot run "${migration.name}": ${unknown}`, { hint: 'see `ferry jobs <migration>` for its jobs' });
      }
      let findings: Finding[] = [];
      if (mode.kind === 'fresh') {
        findings = await this.prechecks(ctx, options);
        options.onFindings?.(findings);
        if (findings.some((f) => f.level === 'error')) throw new PrecheckFailed(findings);
        if (options.reset || ctx.plan.options.reset) {
          await this.resetTarget(ctx, target, options);
          // A reset may remove what the target's identity is read from (its first account): bind the map anew.
          identities = { ...identities, target: fingerprintOf(await target.session.check({ signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) })) };
        }
      }
      await this.bindMap(ctx.scope, identities);
      if (migration.id === 0 || migration.plan_yaml !== (await this.migrations.byId(migration.id)).plan_yaml) {
        migration = await this.migrations.save(ctx.plan, migration.plan_yaml, migration.plan_file, this.now());
        ctx.migrationId = migration.id;
      }
      const { run, log } = resume ? await this.reopenRun(resume) : await this.startRun(migration, mode.kind === 'rerun' ? 'rerun' : 'run', mode.kind === 'rerun' ? mode.parent.id : undefined);
      log.write({ at: this.clock.now(), level: 'info', message: `Ferry ${TOOL_VERSION}, migration "${migration.name}", run ${run.id} (${mode.kind})` });
      log.write({ at: this.clock.now(), level: 'info', message: `Source: ${ctx.scope.source} (${source.connector.title}); target: ${ctx.scope.target} (${target.connector.title})` });
      // The pre-check findings belong to the run's record (its events and log), not only to the terminal that started it.
      for (const f of findings) {
        const message = `Pre-check ${f.level}: ${f.message}${f.hint ? ` (${f.hint})` : ''}`;
        log.write({ at: this.clock.now(), level: f.level === 'error' ? 'error' : 'warn', message });
        await this.store.addEvent({ runId: run.id, migrationId: migration.id, at: this.now(), level: f.level === 'error' ? 'error' : 'warn', step: 'pre-checks', item: null, message });
      }
      const stopBeating = keepHeartbeat(() => this.store.updateRun(run.id, { heartbeatAt: this.now() }));
      try {
        return await executeRun({ store: this.store, clock: this.clock, log, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.distribute ? { distribute: options.distribute } : {}) }, ctx, run, mode);
      } finally {
        stopBeating();
        await log.close();
      }
    }, { ignoreBinding: options.forgetMap === true });
  }

  private async prechecks(ctx: MigrationContext, options: RunOptions): Promise<Finding[]> {
    const [sourceInfo, targetInfo] = await Promise.all([this.connections.get(ctx.scope.source), this.connections.get(ctx.scope.target)]);
    // One after the other: each read already sends about 20 requests at once, and with both instances on one
    // machine (the benches) reading both at once took 1.55 s against 1.1 s in turn (WordPress, 60 posts, twice).
    const sourceInventory = sourceInfo.inventory ?? (await this.connections.discover(ctx.scope.source, this.now()));
    const targetInventory = targetInfo.inventory ?? (await this.connections.discover(ctx.scope.target, this.now()));
    return runPrechecks({
      ctx,
      sourceInventory,
      targetInventory,
      discoveredAt: { source: sourceInfo.discoveredAt ?? this.now(), target: targetInfo.discoveredAt ?? this.now() },
      now: this.clock.now(),
      reset: { requested: options.reset === true || ctx.plan.options.reset, confirmation: options.confirmReset, targetName: ctx.scope.target },
    });
  }

  private async resetTarget(ctx: MigrationContext, target: OpenSession, options: RunOptions): Promise<void> {
    if (!target.session.reset) throw new UserError(`${target.connector.title} targets cannot be reset by Ferry`);
    this.logger.warn({ target: ctx.scope.target }, 'target reset');
    options.onProgress?.({ kind: 'message', level: 'warn', message: `Resetting target "${ctx.scope.target}"...` });
    await target.session.reset({ signal: ctx.signal });
    await this.store.forgetMap(ctx.scope);
  }

  /** Binds the pair's ID map to the instances it is written for, the first time something is written. */
  private async bindMap(scope: { source: string; target: string }, identities: { source: InstanceFingerprint; target: InstanceFingerprint }): Promise<void> {
    if (await this.store.getBinding(scope)) return;
    await this.store.putBinding(scope, { source: JSON.stringify(identities.source), target: JSON.stringify(identities.target) }, this.now());
  }

  /** Refuses a map written for other instances than the ones the connections reach now. */
  private async checkBinding(plan: Plan, identities: { source: InstanceFingerprint; target: InstanceFingerprint }): Promise<void> {
    const binding = await this.store.getBinding({ source: plan.source, target: plan.target });
    if (!binding) return;
    for (const side of ['source', 'target'] as const) {
      const bound = JSON.parse(binding[side]) as InstanceFingerprint;
      const now = identities[side];
      if (sameFingerprint(bound, now)) continue;
      const name = side === 'source' ? plan.source : plan.target;
      throw new UserError(`The ${side} "${name}" is not the instance the ID map of "${plan.source}" -> "${plan.target}" was written for: the map is for ${describeFingerprint(bound)}, the connection now reaches ${describeFingerprint(now)}. Nothing was written`, {
        hint: `If the ${side} was rebuilt or "${name}" now points at another instance, forget the map for this pair and migrate everything again: \`ferry run ${plan.name} --forget-map\`. Otherwise point "${name}" back at the instance it had (\`ferry connection add ${name} ...\`).`,
      });
    }
  }

  private async startRun(migration: MigrationRow, kind: RunRecord['kind'], parentRunId?: number): Promise<{ run: RunRecord; log: RunLogFile }> {
    const now = this.clock.now();
    const run = await this.store.createRun({ migrationId: migration.id, kind, ...(parentRunId !== undefined ? { parentRunId } : {}), startedAt: now.toISOString(), pid: process.pid, host: thisHost() });
    const log = new RunLogFile(runLogName(this.dataDir, now));
    await this.store.updateRun(run.id, { logFile: log.path });
    return { run: { ...run, logFile: log.path }, log };
  }

  private async reopenRun(run: RunRecord): Promise<{ run: RunRecord; log: RunLogFile }> {
    await this.store.updateRun(run.id, { pid: process.pid, host: thisHost(), heartbeatAt: this.now() });
    const log = new RunLogFile(run.logFile ?? runLogName(this.dataDir, this.clock.now()));
    if (!run.logFile) await this.store.updateRun(run.id, { logFile: log.path });
    return { run: { ...run, pid: process.pid, host: thisHost(), logFile: log.path }, log };
  }

  private async withContext<T>(
    migration: MigrationRow,
    signal: AbortSignal,
    body: (ctx: MigrationContext, source: OpenSession, target: OpenSession, identities: { source: InstanceFingerprint; target: InstanceFingerprint }) => Promise<T>,
    options: { ignoreBinding?: boolean } = {},
  ): Promise<T> {
    const plan = parsePlan(migration.plan_yaml, migration.plan_file ?? migration.name);
    await this.validatePlan(plan);
    const source = await this.connections.open(plan.source);
    let target: OpenSession | undefined;
    try {
      target = await this.connections.open(plan.target);
      const checked: Identity[] = [];
      for (const [side, open] of [['source', source], ['target', target]] as const) {
        try {
          checked.push(await open.session.check({ signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) }));
        } catch (error) {
          throw asUserError(error, `The ${side} connection "${side === 'source' ? plan.source : plan.target}" failed its check; nothing was written`);
        }
      }
      const [sourceIdentity, targetIdentity] = checked as [Identity, Identity];
      // Checked again as the instances answer now: a connection may have been re-pointed since it was saved.
      const same = sameInstanceReason({ name: plan.source, platform: source.connector.platform, identity: sourceIdentity }, { name: plan.target, platform: target.connector.platform, identity: targetIdentity });
      if (same) throw sameInstanceError(same);
      const identities = { source: fingerprintOf(sourceIdentity), target: fingerprintOf(targetIdentity) };
      if (!options.ignoreBinding) await this.checkBinding(plan, identities);
      const ctx: MigrationContext = { migrationId: migration.id, plan, types: source.connector.objectTypes, source: source.session, target: target.session, scope: { source: plan.source, target: plan.target }, signal };
      return await body(ctx, source, target, identities);
    } finally {
      await source.close();
      await target?.close();
    }
  }
}

/** Source and target are one instance: a run would write into what it reads, and --reset would empty the source. */
/** The PostgreSQL URL of `--store` / FERRY_STORE; undefined for the embedded SQLite store. Checked before anything is written. */
function storeLocation(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (isPostgresUrl(value)) return value.trim();
  throw new UserError(`The store ${redactStoreUrl(value)} is not a PostgreSQL URL`, {
    hint: 'give --store (or FERRY_STORE) as postgres://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out to keep the store in the data folder',
  });
}

async function openPostgresStore(url: string): Promise<Kysely<Database>> {
  try {
    // Loaded on use: a Ferry on SQLite (the default) never loads pg.
    const { openPostgres } = await import('../store/postgres-store.js');
    return await openPostgres(url);
  } catch (error) {
    if (error instanceof StoreUnavailable) throw new UserError(error.message, { hint: error.hint });
    if (error instanceof StoreTooNew) throw new UserError(`The store ${redactStoreUrl(url)} was written by a newer Ferry (schema ${error.unknown.join(', ')})`, { hint: 'run the Ferry version that wrote this store, or give --store another database' });
    throw error;
  }
}

function sameInstanceError(reason: string): UserError {
  return new UserError(`The plan's source and target are the same instance: ${reason}`, {
    hint: 'a migration reads one instance and writes another: set `target:` to a connection for a different instance (`ferry connection list` shows where each points)',
  });
}
