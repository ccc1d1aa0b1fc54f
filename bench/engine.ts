/**
 * The engine-* cases: Ferry against the reference target (a target that
 * only waits `latencyMs` per write), each run in its own process
 * (bench/engine-child.ts) on a fresh data folder under /dev/shm.
 *
 * Peer: the latency bound, what a perfect client reaches at that
 * concurrency (items × latency ÷ concurrency seconds). Extra figures: peak
 * RSS, store bytes per item, and the resume time after a `kill -9` at 90 %
 * (a second run on another folder, killed, then started again).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioOf, type BenchCase } from './cases.js';
import { describeFailure, LoadSampler, measureProcess, parseJsonOutput, type Measured } from './measure.js';
import { fixed, int, mb } from './report.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD_SOURCE = join(REPO, 'bench', 'engine-child.ts');
/** The child compiled to one file the way scripts/bundle-cli.mjs makes the CLI a user runs (tmp/ is git-ignored). */
const CHILD = join(REPO, 'tmp', 'bench-build', 'engine-child.js');

/**
 * Bundles bench/engine-child.ts with Ferry's sources into one ES module, so the measured process pays
 * what `ferry run` pays (node + one bundled file), not tsx's loader and its compile of every module
 * (about 150 MB of the earlier peak RSS figures). Same externals as scripts/bundle-cli.mjs.
 */
export async function buildEngineChild(): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(dirname(CHILD), { recursive: true });
  await build({
    entryPoints: [CHILD_SOURCE],
    outfile: CHILD,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'ssh2', 'cpu-features', 'pg-native', 'tsx', 'kysely'],
    sourcemap: true,
    logLevel: 'warning',
    banner: { js: "import { createRequire as ferryCreateRequire } from 'node:module'; const require = ferryCreateRequire(import.meta.url);" },
  });
  return CHILD;
}
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

export interface EngineCaseOptions {
  name: string;
  items: number;
  latencyMs: number;
  concurrency: number;
  /** Also measure a kill -9 at 90 % and the resume (doubles the case's time). */
  resume: boolean;
  keep?: boolean;
  say: (message: string) => void;
}

interface ChildResult {
  measured: Measured;
  status: string | null;
  created: number | null;
  runSeconds: number | null;
}

function child(dataDir: string, options: EngineCaseOptions, hooks: { onProgress?: (done: number, pid: number) => void } = {}): Promise<ChildResult> {
  let pid = 0;
  let buffer = '';
  const args = [CHILD, '--data-dir', dataDir, '--items', String(options.items), '--latency', String(options.latencyMs), '--concurrency', String(options.concurrency)];
  return measureProcess(process.execPath, args, {
    cwd: REPO,
    onSpawn: (p) => (pid = p),
    onStderr: (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^progress (\d+)$/.exec(line);
        if (match) hooks.onProgress?.(Number(match[1]), pid);
      }
    },
  }).then((measured) => {
    const out = parseJsonOutput(measured.stdout);
    const totals = out?.totals as Record<string, number> | null | undefined;
    return {
      measured,
      status: typeof out?.status === 'string' ? out.status : null,
      created: totals ? totals.created ?? 0 : null,
      runSeconds: typeof out?.runSeconds === 'number' ? out.runSeconds : null,
    };
  });
}

/** Bytes of the store's SQLite files (database, WAL, shared memory). */
function storeBytes(dataDir: string): number {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith('ferry.sqlite'))
    .reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0);
}

export async function measureResume(options: EngineCaseOptions): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(SHM, `ferry-bench-engine-resume-${options.items}-`));
  try {
    const killAt = Math.floor(options.items * 0.9);
    let killedAt: number | null = null;
    const first = await child(dataDir, options, {
      onProgress: (done, pid) => {
        if (killedAt !== null || done < killAt) return;
        killedAt = done;
        process.kill(pid, 'SIGKILL');
      },
    });
    if (killedAt === null) return { ok: false, error: `the run ended (${first.status ?? first.measured.exitCode}) before it reached 90 %` };
    options.say(`  ${options.name}: killed at ${int(killedAt)} of ${int(options.items)} items after ${fixed(first.measured.seconds)} s; resuming`);
    const second = await child(dataDir, options);
    const ok = second.status === 'FINISHED' && second.created === options.items;
    return {
      ok,
      killedAtItems: killedAt,
      secondsBeforeKill: first.measured.seconds,
      /** From the restart to the process's exit after FINISHED (node start included). */
      resumeSeconds: second.measured.seconds,
      resumeRunSeconds: second.runSeconds,
      status: second.status,
      created: second.created,
      expected: options.items,
      ...(ok ? {} : { error: describeFailure('resumed run', second.measured) }),
    };
  } finally {
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A perfect client in the machine's present state: a bare node process with
 * `concurrency` loops that only wait `latencyMs` each. On a busy machine its
 * timers fire late too; Ferry ÷ this separates the engine's cost from the load.
 */
async function perfectClient(options: EngineCaseOptions): Promise<{ items: number; seconds: number; itemsPerSecond: number }> {
  const items = Math.min(options.items, 4000);
  const script = `let next = 0; const t0 = performance.now();
await Promise.all(Array.from({ length: ${options.concurrency} }, async () => { while (next < ${items}) { next++; await new Promise((r) => setTimeout(r, ${options.latencyMs})); } }));
process.stdout.write(String((performance.now() - t0) / 1000));`;
  const m = await measureProcess(process.execPath, ['--input-type=module', '-e', script]);
  const seconds = Number(m.stdout.trim());
  return { items, seconds, itemsPerSecond: items / seconds };
}

export async function runEngineCase(options: EngineCaseOptions): Promise<BenchCase> {
  await buildEngineChild();
  const dataDir = mkdtempSync(join(SHM, `ferry-bench-engine-${options.items}-`));
  try {
    options.say(`${options.name}: ${int(options.items)} items, ${options.latencyMs} ms per write, concurrency ${options.concurrency} (folder ${dataDir})`);
    const sampler = new LoadSampler();
    const run = await child(dataDir, options);
    const load = sampler.stop();
    const ok = run.measured.exitCode === 0 && run.status === 'FINISHED' && run.created === options.items;
    // The run itself (Ferry.run, from the call to FINISHED: connection checks, pre-checks, listing and every
    // write); the process's wall clock adds node start-up, a constant that is not the engine's cost.
    const seconds = run.runSeconds ?? run.measured.seconds;
    const boundSeconds = (options.items * options.latencyMs) / 1000 / options.concurrency;
    const ferry = { seconds, itemsPerSecond: ok ? options.items / seconds : null, peakRssMB: mb(run.measured.peakRssBytes) ?? null };
    const peer = { name: 'latency bound', seconds: boundSeconds, itemsPerSecond: options.items / boundSeconds, peakRssMB: null };
    const bytes = storeBytes(dataDir);
    const perfect = await perfectClient(options);
    const extra: Record<string, unknown> = {
      latencyMs: options.latencyMs,
      concurrency: options.concurrency,
      status: run.status,
      created: run.created,
      /** The whole process, node start-up included (ferry.seconds is the run alone). */
      processSeconds: run.measured.seconds,
      processItemsPerSecond: ok ? options.items / run.measured.seconds : null,
      processRatio: ok ? options.items / run.measured.seconds / peer.itemsPerSecond : null,
      perfectClient: perfect,
      ratioToPerfectClient: ferry.itemsPerSecond ? ferry.itemsPerSecond / perfect.itemsPerSecond : null,
      cpuSeconds: run.measured.cpuSeconds,
      storeBytes: bytes,
      storeBytesPerItem: bytes / Math.max(1, options.items),
      load,
      ...(ok ? {} : { error: describeFailure('engine run', run.measured) }),
    };
    options.say(`  ${options.name}: ${run.status ?? 'no status'} in ${fixed(seconds)} s (process ${fixed(run.measured.seconds)} s), ${fixed(ferry.itemsPerSecond ?? undefined)} items/s of ${fixed(peer.itemsPerSecond)}, peak RSS ${fixed(ferry.peakRssMB ?? undefined)} MB, store ${fixed(bytes / Math.max(1, options.items), 0)} B/item; a perfect client now: ${fixed(perfect.itemsPerSecond)} items/s`);
    if (options.resume) extra.resume = await measureResume(options);
    const resumeOk = !options.resume || (extra.resume as { ok: boolean }).ok;
    return { name: options.name, items: options.items, ferry, peer, ratio: ratioOf(ferry, peer), ok: ok && resumeOk, extra };
  } finally {
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
