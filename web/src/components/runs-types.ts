/** The shapes the runs and migrations routes answer, as the dashboard reads them (docs/api.md). */

export interface RunRecord {
  id: number;
  migrationId: number;
  kind: 'run' | 'rerun' | 'undo' | 'verify';
  parentRunId: number | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  stopRequested: boolean;
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
  verify?: VerifyReport;
}

export interface RunDetails extends RunRecord {
  counts: Record<string, number>;
  events: { warn: number; error: number };
  migrationName: string;
  /** Item counts by object type, then status. */
  typeCounts: Record<string, Record<string, number>>;
  /** A run whose batches went to `ferry worker` processes: its chunks in the queue; null when it ran in one process. */
  workers?: { queued: number; active: number; done: number; listed: number; live: number; waiting: boolean; hint: string | null; command: string } | null;
}

export interface StepRecord {
  runId: number;
  idx: number;
  job: string;
  type: string;
  label: string;
  status: string;
  reason: string | null;
  total: number;
  done: number;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ItemRecord {
  type: string;
  sourceId: string;
  key: string;
  label: string;
  status: string;
  outcome: string | null;
  reason: string | null;
  targetId: string | null;
  attempts: number;
  updatedAt: string;
}

export interface EventRecord {
  id: number;
  at: string;
  level: 'info' | 'warn' | 'error';
  step: string | null;
  item: string | null;
  message: string;
}

export interface VerifyTypeResult {
  type: string;
  label: string;
  selected: number;
  equal: number;
  kept: number;
  notMigrated: number;
  missing: number;
  different: number;
  unresolved: number;
  actioned: number;
  fieldsCompared: boolean;
}

export interface VerifyReport {
  types: VerifyTypeResult[];
  discrepancies: Array<{ type: string; sourceId: string; label: string; problem: string; field?: string; source?: string; target?: string; message: string }>;
  discrepancyCount: number;
  excused: number;
  notCarried: Array<{ kind: string; label: string; count: number; examples: string[]; reason: string }>;
}

export interface StoredAction {
  id: number;
  runId: number;
  code: string;
  message: string;
  type?: string;
  label?: string;
  doneAt: string | null;
  doneBy: string | null;
}

export interface Finding {
  level: 'error' | 'warning';
  code: string;
  message: string;
  hint?: string;
}

export interface PlannedJob {
  name: string;
  steps: Array<{ type: string; label: string; applies: boolean; reason?: string }>;
}

export interface MigrationDetails {
  id: number;
  name: string;
  source: string;
  target: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  planYaml: string;
  planFile: string | null;
  runs: RunRecord[];
}

/** Item statuses a re-run picks up again (core/statuses.ts RERUNNABLE). */
export const RERUNNABLE = ['FAILED', 'INCOMPLETE', 'TIMED_OUT'];
export const ITEM_STATUSES = ['READY', 'RUNNING', 'COMPLETE', 'SKIPPED', 'INCOMPLETE', 'FAILED', 'TIMED_OUT', 'CANCELLED'];

/** A run's duration so far (or in all, when it ended). */
export function runDuration(run: Pick<RunRecord, 'startedAt' | 'endedAt'>, now = Date.now()): number {
  return (run.endedAt ? new Date(run.endedAt).getTime() : now) - new Date(run.startedAt).getTime();
}
