import { z } from 'zod';
import { leaseSeconds, listWorkers } from '../scale/queue.js';
import type { ServerContext } from './context.js';
import { route, type Route } from './route-table.js';

const worker = z.object({
  host: z.string(),
  pid: z.number(),
  state: z.enum(['busy', 'idle', 'lost']).describe('lost: not heard of for longer than the lease (FERRY_WORKER_LEASE_SECONDS); its batches go to the others'),
  runId: z.number().nullable(),
  batch: z.string().nullable().describe('the batch it works on: run, step, type and first item'),
  chunksDone: z.number(),
  itemsDone: z.number(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  silentSeconds: z.number(),
});

/** The workers that joined the store (`ferry worker`): only on a PostgreSQL store, else an empty list. */
export function workerRoutes(ctx: ServerContext): Route[] {
  const { ferry } = ctx;
  return [
    route({
      method: 'GET', url: '/api/workers', tag: 'workers', access: 'viewer', response: z.object({ store: z.enum(['sqlite', 'postgres']), workers: z.array(worker) }),
      summary: 'The `ferry worker` processes on this PostgreSQL store: host, pid, busy / idle / lost, current batch, items done, last heartbeat. On the SQLite store there are none',
      async handler() {
        if (!ferry.storeUrl) return { store: 'sqlite', workers: [] };
        const lease = leaseSeconds();
        const rows = await listWorkers(ferry.storeUrl);
        return {
          store: 'postgres',
          workers: rows.map((w) => ({ host: w.host, pid: w.pid, state: w.silentSeconds > lease ? 'lost' : w.jobs.length > 0 ? 'busy' : 'idle', runId: w.runId, batch: w.batch, chunksDone: w.chunksDone, itemsDone: w.itemsDone, startedAt: w.startedAt, heartbeatAt: w.heartbeatAt, silentSeconds: Math.round(w.silentSeconds) })),
        };
      },
    }),
  ];
}
