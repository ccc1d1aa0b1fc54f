import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Ferry } from '../app/ferry.js';
import type { OpenSession } from '../app/connections.js';
import { RunLogFile } from '../app/run-log-file.js';
import { processBatch } from '../core/batch.js';
import { typeSpec, type MigrationContext, type RunState } from '../core/context.js';
import { parsePlan } from '../core/plan.js';
import type { ItemRecord } from '../core/ports.js';
import { RunReporter } from '../core/reporter.js';
import { Slots } from '../core/slots.js';
import { backToReady } from './coordinator.js';
import { leaseSeconds, ScaleQueue, type ChunkJob } from './queue.js';
import { inPostgresTransaction } from '../store/postgres-store.js';
import { SharedSlots } from './shared-slots.js';

export interface WorkerOptions {
  ferry: Ferry;
  /** The store's PostgreSQL URL (the queue lives in the same database). */
  url: string;
  /** Chunks taken at once (each is split in the engine's batches). */
  chunks?: number;
  /**
   * This worker's own capacity: batches it has in flight at once, over all
   * its chunks and runs (`ferry worker --concurrency`). Without it, up to
   * twice the plan's concurrency per run. The target's limit stays the
   * plan's concurrency over all workers, whatever this is.
   */
  concurrency?: number;
  /** Seconds between heartbeats (default: a third of the lease). */
  heartbeatSeconds?: number;
  /** Poll interval when the queue is empty. */
  idleMs?: number;
  signal: AbortSignal;
  say?: (line: string) => void;
}

interface RunWork {
  state: RunState;
  batches: Slots;
  close: () => Promise<void>;
  stopCheckedAt: number;
  stopped: boolean;
}

/**
 * `ferry worker`: takes chunks from the queue, rebuilds the run's context
 * from the store (plan, connections, secrets) once per run, and processes
 * the chunk's items with the engine's processBatch: the same decisions,
 * pending ID map entries, retries by error kind and per-item timeout as a
 * single process. Calls to a target are held to the plan's concurrency over
 * all workers (shared-slots.ts). Returns when `signal` aborts, after the
 * chunks in hand are done.
 */
export async function runWorker(options: WorkerOptions): Promise<{ chunks: number; items: number }> {
  const { ferry, url } = options;
  const say = options.say ?? (() => undefined);
  const id = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
  const queue = await ScaleQueue.open(url, { onError: (error) => say(`queue error: ${error.message}`) });
  mkdirSync(join(ferry.dataDir, 'logs'), { recursive: true });
  const log = new RunLogFile(join(ferry.dataDir, 'logs', `worker-${hostname()}-${process.pid}.txt`));
  const runs = new Map<number, Promise<RunWork>>();
  const inHand = new Map<string, ChunkJob>();
  const counters = { chunks: 0, items: 0 };
  const reported = new Set<number>();
  let lastBatch: string | null = null;
  const lease = leaseSeconds();
  // One pool for every run this worker helps with: its capacity is its own, not per run.
  const capacity = options.concurrency !== undefined ? new Slots(options.concurrency) : undefined;
  await queue.register(id);
  const beat = async () => {
    const current = [...inHand.values()][0];
    await queue
      .heartbeat(id, { runId: current?.runId ?? null, batch: current ? (lastBatch?.startsWith(`run ${current.runId} step ${current.stepIdx} `) ? lastBatch : `run ${current.runId} step ${current.stepIdx} ${current.type}: ${current.sourceIds[0] ?? ''} (${current.sourceIds.length} items)`) : null, jobs: [...inHand.keys()], chunksDone: counters.chunks, itemsDone: counters.items })
      .catch((error: Error) => say(`heartbeat failed: ${error.message}`));
  };
  const heartbeat = setInterval(() => void beat(), (options.heartbeatSeconds ?? Math.max(1, lease / 3)) * 1000);
  say(`Worker ${id} joined (lease ${lease} s)`);

  const openRun = async (job: ChunkJob): Promise<RunWork> => {
    const migration = await ferry.migrations.byId(job.migrationId);
    const plan = parsePlan(migration.plan_yaml, migration.name);
    const run = await ferry.store.getRun(job.runId);
    if (!run) throw new Error(`run ${job.runId} is not in the store`);
    const controller = new AbortController();
    const sessions: OpenSession[] = [];
    let target: SharedSlots | undefined;
    try {
      const source = await ferry.connections.open(plan.source);
      sessions.push(source);
      const targetSession = await ferry.connections.open(plan.target);
      sessions.push(targetSession);
      target = await SharedSlots.open(url, plan.target, plan.options.concurrency);
      const ctx: MigrationContext = { migrationId: migration.id, plan, types: source.connector.objectTypes, source: source.session, target: targetSession.session, scope: { source: plan.source, target: plan.target }, signal: AbortSignal.any([controller.signal, options.signal]) };
      const deps = { store: ferry.store, clock: ferry.clock, log };
      const reporter = new RunReporter({ ...deps, runId: run.id, migrationId: migration.id });
      const state: RunState = { deps, ctx, run, reporter, stopped: false, fatal: undefined, placeholder: {}, placeholderUses: new Map(), mapCheck: { all: false, sampled: new Map() }, slots: { source: new Slots(plan.options.concurrency), target } };
      const shared = target;
      return {
        state,
        batches: capacity ?? new Slots(plan.options.concurrency * 2),
        stopCheckedAt: 0,
        stopped: false,
        close: async () => {
          controller.abort();
          await reporter.flush();
          await shared.close();
          for (const s of sessions) await s.close();
        },
      };
    } catch (error) {
      await target?.close();
      for (const s of sessions) await s.close();
      throw error;
    }
  };

  const mayGoOn = async (work: RunWork, runId: number): Promise<boolean> => {
    if (work.stopped || options.signal.aborted) return false;
    if (Date.now() - work.stopCheckedAt > 200) {
      work.stopCheckedAt = Date.now();
      const run = await ferry.store.getRun(runId);
      work.stopped = !run || run.status !== 'RUNNING' || run.stopRequested;
    }
    return !work.stopped;
  };

  /** Processes a chunk's READY items; true when the chunk was given to another worker meanwhile (the rest is left to it). */
  const processChunk = async (jobId: string, job: ChunkJob, retryCount: number): Promise<boolean> => {
    let heldCheckedAt = Date.now();
    let lost = false;
    const stillHeld = async (): Promise<boolean> => {
      if (lost) return false;
      if (Date.now() - heldCheckedAt < 200) return true;
      heldCheckedAt = Date.now();
      lost = !(await queue.holds(jobId, retryCount));
      return !lost;
    };
    let pending = runs.get(job.runId);
    if (!pending) {
      pending = openRun(job);
      runs.set(job.runId, pending);
      pending.catch(() => runs.delete(job.runId));
    }
    const work = await pending;
    const { state } = work;
    // Each chunk is one step's, of one type: the batch size the runner would use for it.
    const batchSize = Math.min(state.ctx.plan.options.batchSize ?? Infinity, typeSpec(state.ctx, job.type).batchSize ?? 1);
    if (!(await mayGoOn(work, job.runId))) return false;
    let items = (await ferry.store.listItems(job.runId, { type: job.type, sourceIds: job.sourceIds })).filter((i) => i.stepIdx === job.stepIdx);
    if (retryCount > 0) {
      // Taken over from a worker that went silent: what it left RUNNING is retried, made safe by its pending ID map entry.
      for (const item of items.filter((i) => i.status === 'RUNNING')) {
        if (await backToReady(state, item, 'taken over from a worker that stopped')) item.status = 'READY';
      }
    }
    items = items.filter((i) => i.status === 'READY');
    const tasks: Array<Promise<void>> = [];
    let failure: unknown;
    for (let i = 0; i < items.length; i += batchSize) {
      const batch: ItemRecord[] = items.slice(i, i + batchSize);
      const release = await work.batches.acquire();
      if (failure !== undefined || !(await mayGoOn(work, job.runId)) || !(await stillHeld())) {
        release();
        break;
      }
      tasks.push(
        (async () => {
          try {
            const retryWait = Math.max(0, ...batch.map((b) => b.attempts));
            if (retryWait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retryWait, 10_000)));
            lastBatch = `run ${job.runId} step ${job.stepIdx} ${job.type}: ${batch[0]!.label}${batch.length > 1 ? ` +${batch.length - 1}` : ''}`;
            await processBatch(state, batch);
            counters.items += batch.filter((b) => b.status !== 'READY' && b.status !== 'RUNNING').length;
          } catch (error) {
            failure ??= error;
          } finally {
            release();
          }
        })(),
      );
    }
    await Promise.all(tasks);
    if (state.fatal) {
      // Auth or configuration: every other batch would fail the same way.
      state.reporter.error(`A worker stopped the run: ${state.fatal}`);
      await ferry.store.requestStop(job.runId);
      await state.reporter.flush();
    }
    if (failure !== undefined) {
      await state.reporter.flush();
      throw failure;
    }
    return lost;
  };

  /**
   * The chunk's completion in pg-boss and its last store writes (the run's
   * buffered events) in one PostgreSQL transaction, once every item write
   * of the chunk has committed (each item's status and ID map entry commit
   * together in the engine). A completion lost (a kill, a failed commit)
   * leaves the job active: after the lease another worker takes it and
   * finds its items done.
   */
  const completeChunk = async (jobId: string, retryCount: number, runId: number): Promise<boolean> => {
    const work = await runs.get(runId)?.catch(() => undefined);
    const commit = async (events: Parameters<Parameters<RunReporter['flushInto']>[0]>[0]) =>
      inPostgresTransaction(ferry.store, async (tx) => {
        if (events.length > 0) await tx.store.addEvents(events);
        completed = await queue.complete(jobId, retryCount, tx);
      });
    let completed = false;
    if (work) await work.state.reporter.flushInto(commit);
    else await commit([]);
    return completed;
  };

  const closeFinishedRuns = async (): Promise<void> => {
    for (const [runId, pending] of [...runs]) {
      runs.delete(runId);
      await (await pending.catch(() => undefined))?.close();
    }
  };

  const loops: Array<Promise<void>> = [];
  const idleMs = options.idleMs ?? 500;
  for (let n = 0; n < (options.chunks ?? 2); n++) {
    loops.push(
      (async () => {
        while (!options.signal.aborted) {
          let job: Awaited<ReturnType<ScaleQueue['fetch']>>;
          try {
            job = await queue.fetch();
          } catch (error) {
            say(`fetch failed: ${(error as Error).message}`);
            job = undefined;
          }
          if (!job) {
            if (inHand.size === 0) await closeFinishedRuns();
            await sleepUnless(idleMs, options.signal);
            continue;
          }
          inHand.set(job.id, job.data);
          if (inHand.size === 1) void beat();
          try {
            const lost = await processChunk(job.id, job.data, job.retryCount);
            if (lost || !(await completeChunk(job.id, job.retryCount, job.data.runId))) say(`chunk ${job.id} was given to another worker (this one was not heard of for the lease); its items are theirs now`);
            else counters.chunks++;
            // The registry's counters are what `ferry workers` shows: not a heartbeat behind the work.
            void beat();
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            say(`chunk ${job.id} failed: ${message}`);
            await queue.fail(job.id, job.retryCount, message).catch(() => undefined);
            // Once per run: the run's own log says why this worker cannot help (a data folder without the right secret.key...).
            if (!reported.has(job.data.runId)) {
              reported.add(job.data.runId);
              await ferry.store.addEvent({ runId: job.data.runId, migrationId: job.data.migrationId, at: ferry.now(), level: 'error', step: job.data.type, item: null, message: `Worker ${hostname()} (pid ${process.pid}) could not process a batch: ${message}` }).catch(() => undefined);
            }
            // Not at once again: the chunk goes back to the queue for a worker that can do it.
            await sleepUnless(5000, options.signal);
          } finally {
            inHand.delete(job.id);
          }
        }
      })(),
    );
  }

  try {
    await Promise.all(loops);
  } finally {
    clearInterval(heartbeat);
    await closeFinishedRuns();
    await queue.unregister(id).catch(() => undefined);
    await log.close();
    await queue.close();
    say(`Worker ${id} left: ${counters.chunks} chunk(s), ${counters.items} item(s)`);
  }
  return counters;
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
