/**
 * A `ferry worker` with the recording reference platform registered (the
 * product's CLI does not know it): the scale tests and bench/scale.ts start
 * it as a separate process and kill it with SIGKILL at will.
 *
 *   node --import tsx src/scale/testing/reference-worker.ts --data-dir DIR --store URL [--chunks 2] [--concurrency N]
 */
import { Ferry } from '../../app/ferry.js';
import { registerConnector } from '../../app/registry.js';
import { runWorker } from '../worker.js';
import { recordingReferenceConnector } from './recording-reference.js';

const argv = process.argv.slice(2);
const get = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const dataDir = get('--data-dir');
  const store = get('--store');
  if (!dataDir || !store) throw new Error('--data-dir and --store are required');
  registerConnector(recordingReferenceConnector);
  const ferry = await Ferry.open({ dataDir, store });
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
  try {
    await runWorker({ ferry, url: store, chunks: Number(get('--chunks') ?? 2), ...(get('--concurrency') ? { concurrency: Number(get('--concurrency')) } : {}), signal: controller.signal, say: (line) => process.stderr.write(`${line}\n`) });
  } finally {
    await ferry.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`reference worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
