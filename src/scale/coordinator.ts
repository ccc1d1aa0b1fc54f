import { nowIso, type EngineDeps, type RunState } from '../core/context.js';
import type { StepRecord } from '../core/ports.js';
import { IllegalTransition, transitionItem, type ItemStatus } from '../core/statuses.js';
import type { ItemRecord } from '../core/ports.js';
import { leaseSeconds, type ChunkJob, type ScaleQueue } from './queue.js';

/** READY items read from the store at a time, and the items of one job (a worker splits it in the engine's batches). */
const PAGE = 1000;
export const CHUNK_ITEMS = 100;
/** A small step is cut in smaller jobs, down to this, so that every worker gets some of it. */
const MIN_CHUNK_ITEMS = 10;
const POLL_MS = 250;
/** The step's counts (a count over its items) are read at most this often while waiting. */
const REPORT_MS = 1000;

/**
 * The step processor of a distributed run (EngineDeps.distribute): instead
 * of writing batches itself, the coordinator sends the step's READY items as
 * pg-boss jobs of CHUNK_ITEMS items and waits until workers have done them.
 * A pass sends what is READY; items a failure sent back to READY go out in
 * the next pass (a new job key). Chunks of a silent worker go back to the
 * queue after its lease; items left RUNNING by a chunk that no job holds any
 * more are made READY again (their pending ID map entry makes the re-write
 * safe, as on resume).
 */
export function distributeTo(queue: ScaleQueue, options: { chunkItems?: number; lease?: number } = {}): NonNullable<EngineDeps['distribute']> {
  const chunkItems = options.chunkItems ?? CHUNK_ITEMS;
  const lease = options.lease ?? leaseSeconds();
  return async (state: RunState, step: StepRecord, total: number): Promise<void> => {
    const { deps, ctx, run } = state;
    let stopRequested = false;
    const report = async (): Promise<Partial<Record<ItemStatus, number>>> => {
      const counts = await deps.store.countItems(run.id, step.type, step.idx);
      const done = total - (counts.READY ?? 0) - (counts.RUNNING ?? 0);
      await deps.store.updateRun(run.id, { heartbeatAt: nowIso(state) });
      await deps.store.updateStep(run.id, step.idx, { done });
      state.reporter.progress({ kind: 'step-progress', idx: step.idx, step: step.type, done, total });
      return counts;
    };
    const checkStop = async (): Promise<boolean> => {
      if (!stopRequested && (ctx.signal.aborted || (await deps.store.isStopRequested(run.id)))) {
        stopRequested = true;
        await queue.cancelQueued(run.id);
      }
      return stopRequested;
    };
    /** Waits until no job of this step is waiting or taken. */
    let reported = 0;
    const drain = async (): Promise<void> => {
      for (;;) {
        const left = await queue.outstanding(run.id, step.idx);
        if (left.queued + left.active === 0) return;
        await checkStop();
        if (Date.now() - reported >= REPORT_MS) {
          reported = Date.now();
          await queue.reclaimLost(lease);
          await report();
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    // Jobs an earlier coordinator of this run sent are finished (or cancelled) first.
    await drain();
    let pass = await queue.nextPass(run.id, step.idx);
    for (;;) {
      if (await checkStop()) break;
      // Items RUNNING with no job left: their worker died past every retry, or a coordinator restarted.
      const orphans = await deps.store.listItems(run.id, { type: step.type, step: step.idx, statuses: ['RUNNING'] });
      for (const item of orphans) await backToReady(state, item, 'taken over after its worker stopped');
      let sent = 0;
      // Two jobs per live worker at least: a step of 100 items is not one worker's job while the others wait.
      const ready = (await deps.store.countItems(run.id, step.type, step.idx)).READY ?? 0;
      const size = Math.min(chunkItems, Math.max(MIN_CHUNK_ITEMS, Math.ceil(ready / (2 * Math.max(1, await queue.liveWorkers(lease))))));
      for (let after = 0; ; ) {
        const page = await deps.store.listItems(run.id, { type: step.type, step: step.idx, statuses: ['READY'], afterSeq: after, limit: PAGE });
        if (page.length === 0) break;
        after = page[page.length - 1]!.seq ?? after;
        const chunks: ChunkJob[] = [];
        for (let i = 0; i < page.length; i += size) {
          const part = page.slice(i, i + size);
          chunks.push({ runId: run.id, migrationId: ctx.migrationId, stepIdx: step.idx, type: step.type, sourceIds: part.map((p) => p.sourceId), pass, firstSeq: part[0]!.seq ?? i });
        }
        await queue.send(chunks);
        sent += page.length;
        if (await checkStop()) break;
      }
      if (sent === 0) break;
      pass++;
      await drain();
    }
    await drain();
    await report();
    if (stopRequested) {
      state.stopped = true;
      state.reporter.warn('Stop requested: the workers finished their batches in flight, the rest stay READY');
    }
  };
}

/**
 * RUNNING -> READY for an item whose worker is gone; false when it moved on
 * meanwhile (a worker thought lost finished it): it is left as it is.
 */
export async function backToReady(state: RunState, item: ItemRecord, reason: string): Promise<boolean> {
  try {
    await state.deps.store.updateItem(state.run.id, item.type, item.sourceId, { status: transitionItem(item.status, 'READY'), reason }, nowIso(state));
    return true;
  } catch (error) {
    if (error instanceof IllegalTransition && error.from !== 'RUNNING') return false;
    throw error;
  }
}
