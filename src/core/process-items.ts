import { processBatch } from './batch.js';
import { nowIso, type RunState } from './context.js';
import type { ItemRecord, StepRecord } from './ports.js';
import { Slots } from './slots.js';
import type { ItemStatus } from './statuses.js';

/** How often a run's progress and heartbeat go through the store (not once per item). */
const CHECK_EVERY_MS = 500;
const PROGRESS_EVERY_MS = 100;
/** READY items read from the store at a time. */
const PAGE = 256;

/**
 * Keeps twice `concurrency` batches in flight (their platform calls held to
 * `concurrency` by slots.ts): a new batch starts as soon as one
 * ends (a slow write does not hold up the others). READY items are read in
 * pages after the last one taken; a pass that found any is followed by
 * another from the start, for the items a failure sent back to READY.
 */
export async function processItems(state: RunState, step: StepRecord, total: number, batchSize: number): Promise<void> {
  const { deps, ctx, run } = state;
  // Twice the concurrency in flight, the platform calls limited to it: one batch's store work overlaps the others' waits.
  state.slots ??= { source: new Slots(ctx.plan.options.concurrency), target: new Slots(ctx.plan.options.concurrency) };
  const inFlightMax = ctx.plan.options.concurrency * 2;
  const counts = await deps.store.countItems(run.id, step.type, step.idx);
  let done = total - sumPending(counts);
  const inFlight = new Set<Promise<void>>();
  let lastCheck = Date.now();
  let lastProgress = 0;
  let stopRequested = false;
  let failure: { error: unknown } | undefined;
  const report = async (): Promise<void> => {
    await deps.store.updateRun(run.id, { heartbeatAt: nowIso(state) });
    await deps.store.updateStep(run.id, step.idx, { done });
    state.reporter.progress({ kind: 'step-progress', idx: step.idx, step: step.type, done, total });
  };
  /** False once the run must stop taking items (a stop request, an abort, a fatal error). */
  const mayGoOn = async (): Promise<boolean> => {
    if (state.fatal || stopRequested || failure) return false;
    // One indexed row: cheap enough to ask before every batch, so a stop takes effect at once.
    stopRequested = ctx.signal.aborted || (await deps.store.isStopRequested(run.id));
    if (Date.now() - lastCheck >= CHECK_EVERY_MS) {
      lastCheck = Date.now();
      await report();
    }
    return !stopRequested && !state.fatal;
  };
  const start = (batch: ItemRecord[]): void => {
    const retryWait = Math.max(0, ...batch.map((i) => i.attempts));
    const task = (async () => {
      if (retryWait > 0) await (deps.sleep ?? sleep)(Math.min(250 * 2 ** retryWait, 10_000));
      await processBatch(state, batch);
      done += batch.filter((i) => i.status !== 'READY' && i.status !== 'RUNNING').length;
      // Live progress after a batch (at most every PROGRESS_EVERY_MS); the store hears of it less often.
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        state.reporter.progress({ kind: 'step-progress', idx: step.idx, step: step.type, done, total });
      }
    })()
      // Only a bug (an illegal status change) gets here: it ends the run's process once the others are in (see below).
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  try {
    for (let found = 1; found > 0; ) {
      found = 0;
      let after = 0;
      for (;;) {
        if (!(await mayGoOn())) break;
        const ready = await deps.store.listItems(run.id, { type: step.type, step: step.idx, statuses: ['READY'], afterSeq: after, limit: PAGE });
        if (ready.length === 0) break;
        found += ready.length;
        after = ready[ready.length - 1]!.seq ?? after;
        for (let i = 0; i < ready.length; i += batchSize) {
          while (inFlight.size >= inFlightMax) await Promise.race(inFlight);
          if (!(await mayGoOn())) break;
          start(ready.slice(i, i + batchSize));
        }
      }
      // Retried items go back to READY only when their batch ends: wait before looking again.
      await Promise.all(inFlight);
      if (stopRequested || state.fatal || failure) break;
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (failure) throw failure.error;
  await report();
  if (stopRequested) {
    state.stopped = true;
    state.reporter.warn('Stop requested: in-flight items finished, the rest stay READY');
  }
}

function sumPending(counts: Partial<Record<ItemStatus, number>>): number {
  return (counts.READY ?? 0) + (counts.RUNNING ?? 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
