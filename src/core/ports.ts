import type { ItemHeader, ItemRef, PostAction, TargetRef, WriteMode } from '../sdk/connector.js';
import type { ItemStatus, RunStatus, StepStatus } from './statuses.js';
import type { VerifyReport } from './verify.js';

/**
 * What the engine needs from the outside world, passed in: a store, a
 * clock and a log sink. The engine does no I/O of its own.
 */

/** 'verify': a stand-alone comparison of source and target (`ferry verify`); it writes nothing to the target. */
export type RunKind = 'run' | 'rerun' | 'undo' | 'verify';

export interface RunRecord {
  id: number;
  migrationId: number;
  kind: RunKind;
  parentRunId: number | null;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  stopRequested: boolean;
  pid: number | null;
  /** The machine `pid` runs on (os.hostname()); null/absent on runs recorded before Ferry kept it. */
  host?: string | null;
  heartbeatAt: string | null;
  logFile: string | null;
  summary: RunSummary | null;
}

export interface TypeCounts {
  created: number;
  updated: number;
  unchanged: number;
  adopted: number;
  skipped: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  removed: number;
}

export interface RunSummary {
  types: Record<string, TypeCounts>;
  totals: TypeCounts;
  warnings: number;
  errors: number;
  actions: number;
  /** The verify step's findings, when the run verified (see core/verify.ts). */
  verify?: VerifyReport;
}

export interface StepRecord {
  runId: number;
  idx: number;
  job: string;
  type: string;
  label: string;
  status: StepStatus;
  reason: string | null;
  total: number;
  done: number;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ItemRecord {
  runId: number;
  type: string;
  sourceId: string;
  key: string;
  label: string;
  hash: string;
  sizeBytes: number | null;
  status: ItemStatus;
  outcome: string | null;
  reason: string | null;
  targetId: string | null;
  attempts: number;
  /** References a second write should resolve (see WriteResult.deferred). */
  deferredRefs: ItemRef[] | null;
  updatedAt: string;
  /** The step (StepRecord.idx) that listed it; null for items added outside a step. */
  stepIdx: number | null;
  /** The item's place in its run, in the order items were listed (set by listItems). */
  seq?: number;
}

export interface MappingRecord extends TargetRef {
  type: string;
  sourceId: string;
  hash: string | null;
  runId: number;
  origin: 'created' | 'adopted';
  state: 'pending' | 'done';
  /** For a pending entry: the write that was under way, so a retry repeats the same kind of write. */
  pendingMode?: WriteMode;
  /** For a pending entry: why its last write failed (absent: the write was interrupted). */
  lastError?: string;
}

export interface MappingScope {
  source: string;
  target: string;
}

export interface EventRecord {
  id: number;
  runId: number | null;
  at: string;
  level: 'info' | 'warn' | 'error';
  step: string | null;
  item: string | null;
  message: string;
}

export interface ItemQuery {
  type?: string;
  /** Only items listed by this step (StepRecord.idx). */
  step?: number;
  statuses?: ItemStatus[];
  /** Only items waiting for a second write. */
  deferred?: boolean;
  /** Only these source ids. */
  sourceIds?: string[];
  /** Only items stored after this one (its `seq`): keyset paging, cheap however many came before. */
  afterSeq?: number;
  limit?: number;
  offset?: number;
}

/**
 * The store as the engine sees it (SQLite embedded, PostgreSQL for scale-out).
 * A `status` in an update patch is the status to change to: the store applies
 * the transition function of statuses.ts to the status it holds, writes only
 * if that is still stored, and throws IllegalTransition otherwise.
 */
export interface EngineStore {
  createRun(input: { migrationId: number; kind: RunKind; parentRunId?: number; startedAt: string; pid: number; host?: string }): Promise<RunRecord>;
  getRun(id: number): Promise<RunRecord | undefined>;
  updateRun(id: number, patch: Partial<Pick<RunRecord, 'status' | 'endedAt' | 'heartbeatAt' | 'logFile' | 'summary' | 'pid' | 'host'>>): Promise<void>;
  isStopRequested(runId: number): Promise<boolean>;

  createSteps(runId: number, steps: Array<Omit<StepRecord, 'runId' | 'total' | 'done' | 'startedAt' | 'endedAt'>>): Promise<void>;
  listSteps(runId: number): Promise<StepRecord[]>;
  updateStep(runId: number, idx: number, patch: Partial<Pick<StepRecord, 'status' | 'reason' | 'total' | 'done' | 'startedAt' | 'endedAt'>>): Promise<void>;

  /** Inserts READY items that the run does not hold yet; existing rows are kept (resume). */
  addItems(runId: number, items: ItemHeader[], at: string, step?: number): Promise<void>;
  /** Adds items with a final status straight away (skipped by a filter...). */
  addFinishedItems(runId: number, items: Array<{ header: ItemHeader; status: ItemStatus; reason: string }>, at: string, step?: number): Promise<void>;
  listItems(runId: number, query?: ItemQuery): Promise<ItemRecord[]>;
  countItems(runId: number, type?: string, step?: number): Promise<Partial<Record<ItemStatus, number>>>;
  /** Item counts of a run grouped by type, status and outcome. */
  summarizeItems(runId: number): Promise<Array<{ type: string; status: ItemStatus; outcome: string | null; count: number }>>;
  updateItem(runId: number, type: string, sourceId: string, patch: Partial<Pick<ItemRecord, 'status' | 'outcome' | 'reason' | 'targetId' | 'attempts' | 'deferredRefs'>>, at: string): Promise<void>;

  getMappings(scope: MappingScope, type: string, sourceIds: string[]): Promise<Map<string, MappingRecord>>;
  putMapping(scope: MappingScope, mapping: MappingRecord, at: string): Promise<void>;
  deleteMapping(scope: MappingScope, type: string, sourceId: string): Promise<void>;
  listMappingsByRun(scope: MappingScope, runId: number): Promise<MappingRecord[]>;

  getCursor(runId: number, type: string): Promise<string | undefined>;
  setCursor(runId: number, type: string, cursor: string): Promise<void>;

  addEvent(event: Omit<EventRecord, 'id'> & { migrationId: number }): Promise<void>;
  /** Several events in one statement, in order (the reporter's buffered events). */
  addEvents(events: Array<Omit<EventRecord, 'id'> & { migrationId: number }>): Promise<void>;
  /** Adds actions the run does not hold yet (a resumed run repeats some). */
  addActions(runId: number, actions: PostAction[]): Promise<void>;
  countActions(runId: number): Promise<number>;
  /** Stored warnings and errors of a run (post-migration actions are logged as warnings too). */
  countEvents(runId: number): Promise<{ warn: number; error: number }>;
  /** The ID map entry, the item's final status and its actions, in one transaction. */
  completeWrite(input: { scope: MappingScope; mapping: MappingRecord; runId: number; item: Pick<ItemRecord, 'type' | 'sourceId'>; patch: Partial<Pick<ItemRecord, 'status' | 'outcome' | 'reason' | 'targetId' | 'deferredRefs'>>; actions: PostAction[]; at: string }): Promise<void>;
  /**
   * Before a write, in one transaction: the pending ID map entry (after a
   * crash the next run knows the object is Ferry's) and the item RUNNING.
   * Throws IllegalTransition (and keeps neither) when the item left READY.
   */
  startWrite(input: { scope: MappingScope; mapping: MappingRecord; runId: number; item: Pick<ItemRecord, 'type' | 'sourceId'>; patch: Partial<Pick<ItemRecord, 'status' | 'attempts'>>; at: string }): Promise<void>;
  markMappingFailed(scope: MappingScope, type: string, sourceId: string, message: string, at: string): Promise<void>;
  listActions(runId: number): Promise<PostAction[]>;
  /** Actions of any run of the migration that name the fields of an item they account for. */
  listFieldActions(migrationId: number): Promise<Array<{ type: string; sourceId: string; fields: string[] }>>;
}

export interface Clock {
  now(): Date;
}

/** Receives every line of the run's readable log. */
export interface RunLogSink {
  write(line: { at: Date; level: 'info' | 'warn' | 'error'; message: string }): void;
  close(): Promise<void>;
}
