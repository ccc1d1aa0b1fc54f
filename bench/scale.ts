/**
 * The scale-* cases (issue 10): one run of the engine's reference workload
 * (bench/engine.ts: a target that only waits `latencyMs` per write) on a
 * PostgreSQL store, its batches done by 1, 2 or 4 `ferry worker` processes
 * (src/scale/testing/reference-worker.ts) through the pg-boss queue. The
 * plan's concurrency (the target's limit, shared by all workers) is high
 * enough that the target is not the bottleneck: what limits a worker is its
 * own CPU and the store. Figures: items/s, the coordinator's peak RSS and
 * each worker's (VmHWM read before it is stopped), the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../src/harness/postgres.js';
import { ratioOf, type BenchCase } from './cases.js';
import { describeFailure, LoadSampler, measureProcess, parseJsonOutput, vmHwmBytes } from './measure.js';
import { fixed, mb } from './report.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

export interface ScaleCaseOptions {
  name: string;
  items: number;
  workers: number;
  latencyMs: number;
  concurrency: number;
  keep?: boolean;
  say: (message: string) => void;
}

export async function runScaleCase(options: ScaleCaseOptions): Promise<BenchCase> {
  const dataDir = mkdtempSync(join(SHM, `ferry-bench-scale-${options.workers}w-`));
  const pgDir = mkdtempSync(join(SHM, `ferry-bench-scale-pg-`));
  const pg = await startPostgres({ dir: pgDir });
  const workers: ChildProcess[] = [];
  try {
    options.say(`${options.name}: ${options.items} items, ${options.workers} worker(s), ${options.latencyMs} ms per write, concurrency ${options.concurrency} over all workers`);
    for (let i = 0; i < options.workers; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/scale/testing/reference-worker.ts'), '--data-dir', dataDir, '--store', pg.url, '--chunks', '4'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', () => undefined);
      workers.push(child);
    }
    const sampler = new LoadSampler();
    const measured = await measureProcess(process.execPath, ['--import', 'tsx', join(REPO, 'bench/scale-child.ts'), '--data-dir', dataDir, '--store', pg.url, '--items', String(options.items), '--latency', String(options.latencyMs), '--concurrency', String(options.concurrency)], { cwd: REPO });
    const load = sampler.stop();
    const workerRss = workers.map((w) => mb(vmHwmBytes(w.pid!) ?? 0) ?? 0);
    const out = parseJsonOutput(measured.stdout);
    const totals = out?.totals as Record<string, number> | null | undefined;
    const ok = measured.exitCode === 0 && out?.status === 'FINISHED' && totals?.created === options.items;
    const seconds = typeof out?.runSeconds === 'number' ? out.runSeconds : measured.seconds;
    const boundSeconds = (options.items * options.latencyMs) / 1000 / options.concurrency;
    const ferry = { seconds, itemsPerSecond: ok ? options.items / seconds : null, peakRssMB: mb(measured.peakRssBytes) ?? null };
    const peer = { name: 'latency bound', seconds: boundSeconds, itemsPerSecond: options.items / boundSeconds, peakRssMB: null };
    options.say(`  ${options.name}: ${String(out?.status ?? 'no status')} in ${fixed(seconds)} s, ${fixed(ferry.itemsPerSecond ?? undefined)} items/s; coordinator peak RSS ${fixed(ferry.peakRssMB ?? undefined)} MB, workers ${workerRss.map((r) => fixed(r)).join(', ')} MB; load ${fixed(load.mean)}`);
    return {
      name: options.name,
      items: options.items,
      ferry,
      peer,
      ratio: ratioOf(ferry, peer),
      ok,
      extra: { workers: options.workers, latencyMs: options.latencyMs, concurrency: options.concurrency, status: out?.status ?? null, created: totals?.created ?? null, coordinatorPeakRssMB: ferry.peakRssMB, workerPeakRssMB: workerRss, cpuSecondsCoordinator: measured.cpuSeconds, load, ...(ok ? {} : { error: describeFailure('scale coordinator', measured) }) },
    };
  } finally {
    await Promise.all(workers.map((w) => new Promise<void>((r) => {
      if (w.exitCode !== null || w.signalCode !== null) return r();
      const timer = setTimeout(() => w.kill('SIGKILL'), 10_000);
      w.once('exit', () => { clearTimeout(timer); r(); });
      w.kill('SIGTERM');
    })));
    await pg.stop();
    if (!options.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    }
  }
}

/** scale-2w / scale-1w and scale-4w / scale-1w, for the notes. */
export function scaleNotes(cases: BenchCase[]): string[] {
  const by = new Map(cases.filter((c) => c.name.startsWith('scale-')).map((c) => [c.name, c]));
  const one = by.get('scale-1w')?.ferry.itemsPerSecond;
  if (!one) return [];
  return [...by.values()].filter((c) => c.name !== 'scale-1w').map((c) => `  ${c.name}: ${fixed(c.ferry.itemsPerSecond ?? undefined)} items/s, ${fixed((c.ferry.itemsPerSecond ?? 0) / one, 2)}x scale-1w`);
}
