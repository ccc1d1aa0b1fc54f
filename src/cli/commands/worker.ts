import { Command } from 'commander';
import { UserError } from '../../app/errors.js';
import { Ferry } from '../../app/ferry.js';
import type { RunOptions } from '../../app/ferry.js';
import { isPostgresUrl, redactStoreUrl } from '../../store/store-url.js';
import { ferryOptions } from '../context.js';
import { printJson, table } from '../output.js';
import { parseCount } from '../validate.js';

/** The store URL that workers need: the queue lives in the store's PostgreSQL database. */
function requirePostgres(store: string | undefined, what: string): string {
  if (store && isPostgresUrl(store)) return store.trim();
  throw new UserError(`${what} needs the store on PostgreSQL${store ? `; ${redactStoreUrl(store)} is not a PostgreSQL URL` : ''}`, {
    hint: 'give --store postgres://USER:PASSWORD@HOST:PORT/DATABASE (or FERRY_STORE): the same store for `ferry run --workers` and every `ferry worker`',
  });
}

/**
 * `ferry run --workers`: the run's options that hand its batches to the
 * workers, and the queue to close once the run ends.
 */
export async function distributedRun(store: string | undefined): Promise<{ options: Pick<RunOptions, 'distribute'>; close: () => Promise<void> }> {
  const url = requirePostgres(store, '`ferry run --workers`');
  // The queue (pg-boss, pg) loads when a command uses it, not with every command.
  const [{ ScaleQueue }, { distributeTo }] = await Promise.all([import('../../scale/queue.js'), import('../../scale/coordinator.js')]);
  const queue = await ScaleQueue.open(url, { supervise: true });
  return { options: { distribute: distributeTo(queue) }, close: () => queue.close() };
}

/** `ferry worker` (join and process batches until Ctrl-C) and `ferry workers` (list them). */
export function workerCommands(program: Command): void {
  program
    .command('worker')
    .description('join the runs started with `ferry run --workers` on the same PostgreSQL store: take batches, write them, until Ctrl-C')
    .option('--concurrency <n>', "batches this worker has in flight at once, over all its jobs (default: twice the plan's concurrency of each run it helps)")
    .option('--chunks <n>', 'jobs (of up to 100 items) taken from the queue at once', '2')
    .addHelpText('after', `
The store must be on PostgreSQL (--store or FERRY_STORE); the data folder must hold the same
secrets key (secret.key) as the one that added the connections. A worker not heard of for
FERRY_WORKER_LEASE_SECONDS (default 30) loses its batches to the others.

Two limits:
  --concurrency       this worker's own capacity: what one machine (its CPU, its memory, its
                      share of the store's connections) should carry. Size it per machine.
  options.concurrency the plan's limit on calls to the target, shared by ALL workers: adding
                      workers never overruns the target, whatever their --concurrency. Workers
                      whose capacities add up to more than it wait for the target's slots.

Throughput is about min(sum of the workers' --concurrency, the plan's concurrency) batches per
write time; each batch takes some CPU on the worker and on the store's database.

Examples:
  FERRY_STORE=postgres://ferry:***@db:5432/ferry ferry worker
  FERRY_STORE=postgres://ferry:***@db:5432/ferry ferry worker --concurrency 8   # one of 4 workers, plan concurrency 32`)
    .action(async (options: { chunks: string; concurrency?: string }, command: Command) => {
      const { dataDir, store } = ferryOptions(command);
      const url = requirePostgres(store, '`ferry worker`');
      const chunks = parseCount('--chunks', options.chunks, { min: 1, max: 64 });
      const concurrency = options.concurrency === undefined ? undefined : parseCount('--concurrency', options.concurrency, { min: 1, max: 256 });
      const ferry = await Ferry.open({ dataDir, store: url });
      const controller = new AbortController();
      const stop = () => {
        process.stderr.write('Stopping: finishing the batches in hand...\n');
        controller.abort();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const { runWorker } = await import('../../scale/worker.js');
        await runWorker({ ferry, url, chunks, ...(concurrency !== undefined ? { concurrency } : {}), signal: controller.signal, say: (line) => process.stderr.write(`${line}\n`) });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await ferry.close();
      }
    });

  program
    .command('workers')
    .description('list the workers that joined the PostgreSQL store: host, pid, current batch, last heartbeat')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const url = requirePostgres(ferryOptions(command).store, '`ferry workers`');
      const { listWorkers, leaseSeconds } = await import('../../scale/queue.js');
      // A store nobody serves is a StoreUnavailable, which reportError prints with its fix.
      const workers = await listWorkers(url);
      if (options.json) return printJson(workers);
      if (workers.length === 0) {
        process.stdout.write('No workers: start one with `ferry worker --store URL`\n');
        return;
      }
      const lease = leaseSeconds();
      process.stdout.write(
        `${table(
          workers.map((w) => ({ host: w.host, pid: w.pid, state: w.silentSeconds > lease ? 'lost' : w.jobs.length > 0 ? 'busy' : 'idle', run: w.runId ?? '', batch: w.batch ?? '', items: w.itemsDone, heartbeat: `${Math.round(w.silentSeconds)} s ago` })),
          ['host', 'pid', 'state', 'run', 'batch', 'items', 'heartbeat'],
        )}\n`,
      );
    });
}
