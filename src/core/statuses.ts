/**
 * The three status levels of PRODUCT.md, and the only functions allowed to
 * change them. An illegal transition is a bug and throws.
 *
 * Every status change of a run, step or item goes through one of these,
 * given the status actually stored: the store (src/store/store.ts) reads the
 * stored status, calls the transition and writes only if the row still holds
 * that status. Rows are created with their first status (READY, Pending or
 * Skipped, RUNNING, or SKIPPED for items a filter leaves out); no other
 * write sets a status.
 */

export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'STOPPED', 'INCOMPLETE', 'FAILED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A migration shows SAVED until its first run, then its last run's status. */
export type MigrationStatus = 'SAVED' | RunStatus;

export const STEP_STATUSES = ['Pending', 'Running', 'Success', 'Skipped', 'Error'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const ITEM_STATUSES = [
  'READY',
  'RUNNING',
  'COMPLETE',
  'SKIPPED',
  'INCOMPLETE',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Item statuses a re-run picks up again. */
export const RERUNNABLE: readonly ItemStatus[] = ['FAILED', 'INCOMPLETE', 'TIMED_OUT'];

export class IllegalTransition extends Error {
  constructor(
    readonly level: 'run' | 'step' | 'item',
    readonly from: string,
    readonly to: string,
  ) {
    super(`Illegal ${level} status transition ${from} -> ${to}`);
    this.name = 'IllegalTransition';
  }
}

export function transitionRun(from: RunStatus, to: RunStatus): RunStatus {
  switch (from) {
    case 'RUNNING':
      if (to !== 'RUNNING') return to;
      break;
    // A run that ended can be resumed after a crash or a stop only by a new
    // run; the one exception is an interrupted RUNNING run (handled above).
    case 'FINISHED':
    case 'STOPPED':
    case 'INCOMPLETE':
    case 'FAILED':
      break;
    default:
      return exhaustive(from);
  }
  throw new IllegalTransition('run', from, to);
}

export function transitionStep(from: StepStatus, to: StepStatus): StepStatus {
  switch (from) {
    case 'Pending':
      if (to === 'Running' || to === 'Skipped' || to === 'Error') return to;
      break;
    case 'Running':
      if (to === 'Success' || to === 'Error' || to === 'Pending') return to;
      break;
    case 'Success':
    case 'Skipped':
    case 'Error':
      break;
    default:
      return exhaustive(from);
  }
  throw new IllegalTransition('step', from, to);
}

export function transitionItem(from: ItemStatus, to: ItemStatus): ItemStatus {
  switch (from) {
    case 'READY':
      // COMPLETE straight away: decided from the ID map without any write.
      if (to === 'RUNNING' || to === 'COMPLETE' || to === 'SKIPPED' || to === 'CANCELLED' || to === 'FAILED') return to;
      break;
    case 'RUNNING':
      // READY again: a stop or a crash left it in flight; it will be retried.
      if (to !== 'RUNNING') return to;
      break;
    case 'FAILED':
    case 'INCOMPLETE':
    case 'TIMED_OUT':
      // Only a re-run picks these up again.
      if (to === 'READY') return to;
      break;
    case 'COMPLETE':
      // Written, but a later pass (references) could not finish it.
      if (to === 'INCOMPLETE') return to;
      break;
    case 'SKIPPED':
    case 'CANCELLED':
      break;
    default:
      return exhaustive(from);
  }
  throw new IllegalTransition('item', from, to);
}

/** The status a run ends with, from what its items and steps did. */
export function finalRunStatus(input: {
  stopped: boolean;
  fatal: boolean;
  failedItems: number;
  doneItems: number;
}): RunStatus {
  if (input.fatal) return input.doneItems > 0 ? 'INCOMPLETE' : 'FAILED';
  if (input.stopped) return 'STOPPED';
  if (input.failedItems > 0) return 'INCOMPLETE';
  return 'FINISHED';
}

function exhaustive(value: never): never {
  throw new Error(`unhandled status ${String(value)}`);
}
