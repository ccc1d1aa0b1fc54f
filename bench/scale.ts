/**
 * The scale-* cases (issue 10): one run of the engine's reference workload
 * (bench/engine.ts: a target that only waits `latencyMs` per write) on a
 * PostgreSQL store, its batches done by 1, 2 or 4 `ferry worker` processes
 * (src/scale/testing/reference-worker.ts) through the pg-boss queue.
 *
 * Each worker has a fixed capacity (`ferry worker --concurrency`,
 * `workerConcurrency` batches in flight) and the target's limit (the plan's
 * concurrency, shared by all workers) is at least 4 workers' worth, with a
 * write latency long enough that 4 workers need well under the machine's
 * CPU: what the cases measure is the distribution (does adding workers add
 * throughput, without overrunning the target), not the machine's cores. The
 * peer is the latency bound of N workers' capacity: items x latency /
 * min(N x capacity, limit). Without a worker capacity (workerConcurrency 0)
 * and a short latency, the cases measure the CPU-bound variant instead (the
 * whole system on the machine's cores).
 *
 * Figures: items/s, the coordinator's peak RSS and each worker's (VmHWM read
 * before it is stopped), CPU seconds of the coordinator, the workers (from
 * the moment they joined) and PostgreSQL's backends, CPU per item, the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../src/harness/postgres.js';
import { listWorkers } from '../src/scale/queue.js';
import { ratioOf, type BenchCase } from './cases.js';
import { cpuSecondsOf, describeFailure, LoadSampler, measureProcess, parseJsonOutput, vmHwmBytes } from './measure.js';
import { fixed, mb } from './report.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

export interface ScaleCaseOptions {
  name: string;
  items: number;
  workers: number;
  latencyMs: number;
  /** The target's limit: the plan's concurrency, over all workers. */
  concurrency: number;
  /** Each worker's own capacity (`ferry worker --concurrency`); 0: none (twice the plan's concurrency). */
  workerConcurrency: number;
  /**
   * --max-old-space-size (MB) of the coordinator and the workers, as
   * docs/operations.md advises (NODE_OPTIONS); 0: V8's default, whose heap
   * grows to about 4x what is live before a full collection.
   */
  heapMB: number;
  keep?: boolean;
  say: (message: string) => void;
}

export async function runScaleCase(options: ScaleCaseOptions): Promise<BenchCase> {
  const dataDir = mkdtempSync(join(SHM, `ferry-bench-scale-${options.workers}w-`));
  const pgDir = mkdtempSync(join(SHM, `ferry-bench-scale-pg-`));
  const pg = await startPostgres({ dir: pgDir });
  const workers: ChildProcess[] = [];
  try {
    const capacity = options.workerConcurrency > 0 ? options.workerConcurrency : undefined;
    options.say(`${options.name}: ${options.items} items, ${options.workers} worker(s)${capacity ? ` of ${capacity} batches each` : ''}, ${options.latencyMs} ms per write, target limit ${options.concurrency} over all workers`);
    const node = options.heapMB > 0 ? [`--max-old-space-size=${options.heapMB}`] : [];
    let stderr = '';
    for (let i = 0; i < options.workers; i++) {
      const child = spawn(process.execPath, [...node, '--import', 'tsx', join(REPO, 'src/scale/testing/reference-worker.ts'), '--data-dir', dataDir, '--store', pg.url, ...(capacity ? ['--chunks', '1', '--concurrency', String(capacity)] : ['--chunks', '4'])], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      workers.push(child);
    }
    // With a capacity of a few batches, one job (100 items) at a time: a worker does not hold jobs that others could do
    // while the queue runs dry at the end (the capacity is over all its jobs, so more jobs in hand do not go faster).
    // The run starts once every worker has joined: their start-up (node + tsx) is not in the figures.
    for (let i = 0; i < 600 && (await listWorkers(pg.url).catch(() => [])).length < options.workers; i++) {
      if (workers.some((w) => w.exitCode !== null)) throw new Error(`a scale worker exited before joining: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const workerCpuAtStart = workers.map((w) => cpuSecondsOf(w.pid!) ?? 0);
    const pgCpuAtStart = pgCpu(pg.pid);
    const sampler = new LoadSampler();
    const measured = await measureProcess(process.execPath, [...node, '--import', 'tsx', join(REPO, 'bench/scale-child.ts'), '--data-dir', dataDir, '--store', pg.url, '--items', String(options.items), '--latency', String(options.latencyMs), '--concurrency', String(options.concurrency)], { cwd: REPO });
    const load = sampler.stop();
    const workerRss = workers.map((w) => mb(vmHwmBytes(w.pid!) ?? 0) ?? 0);
    const workerCpu = workers.reduce((sum, w, i) => sum + (cpuSecondsOf(w.pid!) ?? 0) - workerCpuAtStart[i]!, 0);
    const out = parseJsonOutput(measured.stdout);
    const totals = out?.totals as Record<string, number> | null | undefined;
    const ok = measured.exitCode === 0 && out?.status === 'FINISHED' && totals?.created === options.items;
    const seconds = typeof out?.runSeconds === 'number' ? out.runSeconds : measured.seconds;
    // What N workers can have in flight: their capacities, or the target's limit if lower (one item per batch on the reference target).
    const inFlight = Math.min(capacity ? capacity * options.workers : options.concurrency, options.concurrency);
    const boundSeconds = (options.items * options.latencyMs) / 1000 / inFlight;
    const ferry = { seconds, itemsPerSecond: ok ? options.items / seconds : null, peakRssMB: mb(measured.peakRssBytes) ?? null };
    const peer = { name: `latency bound (${inFlight} in flight)`, seconds: boundSeconds, itemsPerSecond: options.items / boundSeconds, peakRssMB: null };
    // Workers stopped first: PostgreSQL's backends of closed connections are counted in its postmaster's children time.
    await stopWorkers(workers);
    const pgCpuSeconds = pgCpu(pg.pid) - pgCpuAtStart;
    const cpu = { coordinator: measured.cpuSeconds, workers: workerCpu, postgres: pgCpuSeconds };
    const cpuTotal = cpu.coordinator + cpu.workers + cpu.postgres;
    const cpuMsPerItem = (cpuTotal * 1000) / options.items;
    options.say(`  ${options.name}: ${String(out?.status ?? 'no status')} in ${fixed(seconds)} s, ${fixed(ferry.itemsPerSecond ?? undefined)} items/s (bound ${fixed(peer.itemsPerSecond)}); coordinator peak RSS ${fixed(ferry.peakRssMB ?? undefined)} MB, workers ${workerRss.map((r) => fixed(r)).join(', ')} MB; CPU s coordinator ${fixed(cpu.coordinator)} + workers ${fixed(cpu.workers)} + PostgreSQL ${fixed(cpu.postgres)} = ${fixed(cpuMsPerItem, 2)} ms per item, ${fixed(cpuTotal / seconds, 2)} cores; load ${fixed(load.mean)}`);
    return {
      name: options.name,
      items: options.items,
      ferry,
      peer,
      ratio: ratioOf(ferry, peer),
      ok,
      extra: { workers: options.workers, workerConcurrency: capacity ?? null, maxOldSpaceMB: options.heapMB || null, latencyMs: options.latencyMs, concurrency: options.concurrency, inFlight, status: out?.status ?? null, created: totals?.created ?? null, coordinatorPeakRssMB: ferry.peakRssMB, workerPeakRssMB: workerRss, cpuSecondsCoordinator: measured.cpuSeconds, cpuSecondsWorkers: workerCpu, cpuSecondsPostgres: pgCpuSeconds, cpuMsPerItem, coresBusy: cpuTotal / seconds, load, ...(ok ? {} : { error: describeFailure('scale coordinator', measured) }) },
    };
  } finally {
    await stopWorkers(workers);
    await pg.stop();
    if (!options.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    }
  }
}

function stopWorkers(workers: ChildProcess[]): Promise<unknown> {
  return Promise.all(workers.map((w) => new Promise<void>((r) => {
    if (w.exitCode !== null || w.signalCode !== null) return r();
    const timer = setTimeout(() => w.kill('SIGKILL'), 10_000);
    w.once('exit', () => { clearTimeout(timer); r(); });
    w.kill('SIGTERM');
  })));
}

/** CPU seconds of PostgreSQL: its postmaster and the backends it has reaped (utime, stime, cutime, cstime). */
function pgCpu(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

/** scale-2w / scale-1w and scale-4w / scale-1w, and what each case cost in CPU, for the notes. */
export function scaleNotes(cases: BenchCase[]): string[] {
  const by = new Map(cases.filter((c) => c.name.startsWith('scale-')).map((c) => [c.name, c]));
  const one = by.get('scale-1w')?.ferry.itemsPerSecond;
  return [...by.values()].map((c) => {
    const x = c.extra as { workerConcurrency: number | null; latencyMs: number; concurrency: number; cpuMsPerItem: number; coresBusy: number; load: { mean: number } };
    const versus = one && c.name !== 'scale-1w' ? `, ${fixed((c.ferry.itemsPerSecond ?? 0) / one, 2)}x scale-1w` : '';
    return `  ${c.name}: ${fixed(c.ferry.itemsPerSecond ?? undefined)} items/s${versus} (${x.workerConcurrency ? `capacity ${x.workerConcurrency} per worker` : 'no worker capacity'}, ${x.latencyMs} ms per write, target limit ${x.concurrency}); ${fixed(x.cpuMsPerItem, 2)} ms CPU per item, ${fixed(x.coresBusy, 2)} cores busy; load ${fixed(x.load?.mean)}`;
  });
}
