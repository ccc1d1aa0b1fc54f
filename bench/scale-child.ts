/**
 * The coordinator of a scale-* bench case: a real Ferry on a PostgreSQL
 * store, the reference connector registered in this process, one run of N
 * items with `ferry run --workers`'s distribution (src/scale/coordinator.ts):
 * the batches go to the `ferry worker` processes bench/scale.ts started.
 *
 *   node --import tsx bench/scale-child.ts --data-dir DIR --store URL --items N [--latency 20] [--concurrency 16] [--ledger FILE]
 *
 * Started again on the same store after a kill, it resumes the run (the scale tests do that).
 *
 * stdout: one JSON object (status, runSeconds, totals).
 */
import { Ferry } from '../src/app/ferry.js';
import { registerConnector } from '../src/app/registry.js';
import { distributeTo } from '../src/scale/coordinator.js';
import { ScaleQueue } from '../src/scale/queue.js';
import { recordingReferenceConnector } from '../src/scale/testing/recording-reference.js';
import { REFERENCE_PLATFORM } from '../src/sdk/testing/reference-platform.js';

const argv = process.argv.slice(2);
const get = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const dataDir = get('--data-dir');
  const store = get('--store');
  if (!dataDir || !store) throw new Error('--data-dir and --store are required');
  const items = Number(get('--items') ?? 2000);
  // The reference platform; with --ledger its target also records each write (src/scale/testing).
  registerConnector(recordingReferenceConnector);
  const ferry = await Ferry.open({ dataDir, store });
  const queue = await ScaleQueue.open(store, { supervise: true });
  try {
    const now = ferry.now();
    const ledger = get('--ledger');
    // Started again after a kill, it finds its connections and resumes the interrupted run.
    const names = new Set((await ferry.connections.list()).map((c) => c.name));
    if (!names.has('ref-source')) await ferry.connections.add('ref-source', REFERENCE_PLATFORM, { role: 'source', items }, now);
    if (!names.has('ref-target')) await ferry.connections.add('ref-target', REFERENCE_PLATFORM, { role: 'target', latencyMs: Number(get('--latency') ?? 20), ...(ledger ? { ledger } : {}) }, now);
    const migration = await ferry.saveMigrationText(`name: bench-scale\nsource: ref-source\ntarget: ref-target\noptions:\n  concurrency: ${Number(get('--concurrency') ?? 16)}\n  verify: false\n`);
    const started = process.hrtime.bigint();
    const run = await ferry.run(migration, { distribute: distributeTo(queue) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${JSON.stringify({ runId: run.id, status: run.status, runSeconds: seconds, totals: run.summary?.totals ?? null })}\n`);
  } finally {
    await queue.close();
    await ferry.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`scale bench coordinator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
