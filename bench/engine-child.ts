/**
 * One engine-* bench process: a real Ferry on a data folder, the reference
 * connector (src/sdk/testing/reference-platform.ts) registered in this
 * process only, one run of N items. Started by bench/engine.ts, which
 * measures this process's wall clock and peak RSS from outside.
 *
 *   node tmp/bench-build/engine-child.js (bundled by bench/engine.ts) --data-dir DIR --items N [--latency 20] [--concurrency 8]
 *
 * Run twice on the same folder after a kill, it resumes the interrupted run
 * (Ferry.run does that for a RUNNING run whose process is gone).
 * stdout: one JSON object; stderr: `progress <done>` lines (items finished
 * over all steps, at most every 200 ms) for the parent's kill at 90 %.
 */
import { setFlagsFromString } from 'node:v8';
import { Ferry } from '../src/app/ferry.js';
import { registerConnector } from '../src/app/registry.js';
import { REFERENCE_PLATFORM, referenceConnector } from '../src/sdk/testing/reference-platform.js';

interface ChildOptions {
  dataDir: string;
  items: number;
  latencyMs: number;
  concurrency: number;
}

function parse(argv: string[]): ChildOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataDir = get('--data-dir');
  if (!dataDir) throw new Error('--data-dir is required');
  return { dataDir, items: Number(get('--items') ?? 1000), latencyMs: Number(get('--latency') ?? 20), concurrency: Number(get('--concurrency') ?? 8) };
}

export const ENGINE_PLAN = 'bench-engine';

function plan(options: ChildOptions): string {
  return `# Written by bench/engine-child.ts: the engine against a target that only waits.
name: ${ENGINE_PLAN}
source: ref-source
target: ref-target
options:
  concurrency: ${options.concurrency}
  verify: false
`;
}

// What bin/ferry.js sets before it starts the CLI (see the comment there): this process stands for `ferry run`.
setFlagsFromString('--heap-growing-percent=20');

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  registerConnector(referenceConnector);
  const ferry = await Ferry.open({ dataDir: options.dataDir });
  try {
    const now = ferry.now();
    const names = new Set((await ferry.connections.list()).map((c) => c.name));
    if (!names.has('ref-source')) await ferry.connections.add('ref-source', REFERENCE_PLATFORM, { role: 'source', items: options.items }, now);
    if (!names.has('ref-target')) await ferry.connections.add('ref-target', REFERENCE_PLATFORM, { role: 'target', latencyMs: options.latencyMs }, now);
    const migration = await ferry.saveMigrationText(plan(options));
    const done = new Map<string, number>();
    let last = 0;
    const started = process.hrtime.bigint();
    const run = await ferry.run(migration, {
      onProgress: (event) => {
        if (event.kind !== 'step-progress' && event.kind !== 'step-end') return;
        if (event.kind === 'step-progress') done.set(event.step, event.done);
        const nowMs = Date.now();
        if (nowMs - last < 200 && event.kind === 'step-progress') return;
        last = nowMs;
        process.stderr.write(`progress ${[...done.values()].reduce((a, b) => a + b, 0)}\n`);
      },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${JSON.stringify({ runId: run.id, status: run.status, runSeconds: seconds, totals: run.summary?.totals ?? null })}\n`);
  } finally {
    await ferry.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`engine bench child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
