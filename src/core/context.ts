import type { SlotPool } from './slots.js';
import type { ObjectTypeSpec, Session, TargetRef } from '../sdk/connector.js';
import type { Plan } from './plan.js';
import type { Clock, EngineStore, MappingScope, RunLogSink, RunRecord, StepRecord } from './ports.js';
import type { ProgressEvent, RunReporter } from './reporter.js';
import type { VerifyReport } from './verify.js';

/** Everything a run needs from outside, passed in (no I/O of the engine's own). */
export interface EngineDeps {
  store: EngineStore;
  clock: Clock;
  log: RunLogSink;
  onProgress?: (event: ProgressEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Processes a step's READY items elsewhere (src/scale: as pg-boss jobs for
   * `ferry worker` processes) instead of in this process; absent, processItems.
   */
  distribute?: (state: RunState, step: StepRecord, total: number, batchSize: number) => Promise<void>;
}

/** The migration being run: its plan, its connector's types and the two open sessions. */
export interface MigrationContext {
  migrationId: number;
  plan: Plan;
  types: ObjectTypeSpec[];
  source: Session;
  target: Session;
  scope: MappingScope;
  /** Hard abort (process shutdown). A stop request is softer and goes through the store. */
  signal: AbortSignal;
}

/** The state of one run in progress, shared by its steps and batches. */
export interface RunState {
  deps: EngineDeps;
  ctx: MigrationContext;
  run: RunRecord;
  reporter: RunReporter;
  stopped: boolean;
  fatal: string | undefined;
  /** The placeholder account, looked up (or created) once; concurrent batches share the promise. */
  placeholder: { pending?: Promise<TargetRef | undefined>; target?: TargetRef };
  /** Principal source id -> labels of items credited to the placeholder instead. */
  placeholderUses: Map<string, string[]>;
  /** The verify step's report, once it ran. */
  verify?: VerifyReport;
  /**
   * Whether the ID map is believed: a sample of items it calls migrated is
   * looked up on the target; one found missing makes the run check every item.
   */
  mapCheck?: { all: boolean; sampled: Map<string, number> };
  /** Limits the platform calls of a run's batches to the plan's concurrency, per side (see slots.ts). */
  slots?: { source: SlotPool; target: SlotPool };
}

export function typeSpec(ctx: MigrationContext, name: string): ObjectTypeSpec {
  const spec = ctx.types.find((t) => t.name === name);
  if (!spec) throw new Error(`connector declares no object type "${name}"`);
  return spec;
}

export function principalType(ctx: MigrationContext): ObjectTypeSpec | undefined {
  return ctx.types.find((t) => t.principal);
}

export function nowIso(state: { deps: EngineDeps }): string {
  return state.deps.clock.now().toISOString();
}
