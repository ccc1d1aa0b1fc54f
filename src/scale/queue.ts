import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { explainStoreError } from '../store/postgres-store.js';

/**
 * The scale-out queue: pg-boss (schema `pgboss`) in the store's PostgreSQL
 * database, plus Ferry's own worker registry (table `ferry_workers`, created
 * here). One queue holds the chunks of every run; a chunk is a slice of one
 * step's READY items that a worker processes in the engine's batches.
 */
export const QUEUE = 'ferry-batches';

/** What one pg-boss job carries: the items of one step, by source id. */
export interface ChunkJob {
  runId: number;
  migrationId: number;
  stepIdx: number;
  type: string;
  sourceIds: string[];
  /** The coordinator's pass over the step's READY items (a retried item goes out in a later pass). */
  pass: number;
  firstSeq: number;
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  /** Seconds since the last heartbeat (by the database's clock). */
  silentSeconds: number;
  runId: number | null;
  batch: string | null;
  jobs: string[];
  chunksDone: number;
  itemsDone: number;
}

/** How long a worker may stay silent before its chunks are given to others (FERRY_WORKER_LEASE_SECONDS). */
export function leaseSeconds(): number {
  const value = Number(process.env.FERRY_WORKER_LEASE_SECONDS ?? '');
  return Number.isFinite(value) && value >= 1 ? value : 30;
}

/** A job id derived from its key: sending the same chunk twice inserts it once. */
export function jobId(key: string): string {
  const h = createHash('sha1').update(`ferry:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** deadlock_detected, unique_violation, duplicate_table, duplicate_object, serialization_failure. */
const RACE_CODES = new Set(['40P01', '23505', '42P07', '42710', '40001']);

const REGISTRY = `CREATE TABLE IF NOT EXISTS ferry_workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  run_id bigint,
  batch text,
  jobs text[] NOT NULL DEFAULT '{}',
  chunks_done bigint NOT NULL DEFAULT 0,
  items_done bigint NOT NULL DEFAULT 0
)`;

export class ScaleQueue {
  private constructor(
    readonly boss: PgBoss,
    readonly pool: pg.Pool,
    readonly url: string,
  ) {}

  /** `supervise`: this process runs pg-boss's maintenance (the coordinator does). */
  /**
   * Several processes starting on a fresh database at once (workers started
   * together) run pg-boss's schema install and queue creation side by side;
   * PostgreSQL may then abort one of them (a deadlock between the new queue's
   * partition being attached and another process's statements, or a
   * concurrent create of the same object). Those errors are retried after a
   * short wait; any other error is the caller's.
   */
  static async open(url: string, options: { supervise?: boolean; onError?: (error: Error) => void } = {}): Promise<ScaleQueue> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ScaleQueue.openOnce(url, options);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || !code || !RACE_CODES.has(code)) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt + Math.floor(Math.random() * 300)));
      }
    }
  }

  private static async openOnce(url: string, options: { supervise?: boolean; onError?: (error: Error) => void }): Promise<ScaleQueue> {
    const pool = new pg.Pool({ connectionString: url, max: 3, application_name: 'ferry-scale', options: '-c statement_timeout=0' });
    pool.on('error', (error) => options.onError?.(error));
    const boss = new PgBoss({ connectionString: url, max: 3, application_name: 'ferry-queue', supervise: options.supervise === true, schedule: false, migrate: true, maintenanceIntervalSeconds: 30 });
    boss.on('error', (error) => options.onError?.(error));
    try {
      await boss.start();
      // Created once; the processes that come later find it (and do not take part in the race above).
      if (!(await boss.getQueue(QUEUE))) await boss.createQueue(QUEUE, { name: QUEUE, retryLimit: 1000, retryDelay: 0, expireInSeconds: 6 * 3600 });
      const client = await pool.connect();
      try {
        // Several processes may start at once: one creates the table.
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('ferry_workers'))`);
        await client.query(REGISTRY);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new ScaleQueue(boss, pool, url);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, timeout: 2000 }).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  // ---- coordinator side ----

  /** The next pass number of a step: after every pass an earlier coordinator of this run sent. */
  async nextPass(runId: number, stepIdx: number): Promise<number> {
    const { rows } = await this.pool.query(`SELECT coalesce(max((data->>'pass')::int), -1) + 1 AS pass FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2 AND data->>'stepIdx' = $3`, [QUEUE, String(runId), String(stepIdx)]);
    return Number(rows[0]?.pass ?? 0);
  }

  /** Sends chunks; a chunk already sent (same run, step, pass, first item) is not sent again. */
  async send(chunks: ChunkJob[]): Promise<void> {
    if (chunks.length === 0) return;
    await this.boss.insert(chunks.map((data) => ({ id: jobId(`${data.runId}:${data.stepIdx}:${data.pass}:${data.firstSeq}`), name: QUEUE, data, retryLimit: 1000, retryDelay: 0, expireInSeconds: 6 * 3600 })));
  }

  /** Chunks of a step not finished yet: waiting (created, retry) and taken (active). */
  async outstanding(runId: number, stepIdx: number): Promise<{ queued: number; active: number }> {
    const { rows } = await this.pool.query(
      `SELECT count(*) FILTER (WHERE state IN ('created', 'retry')) AS queued, count(*) FILTER (WHERE state = 'active') AS active
         FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data->>'runId' = $2 AND data->>'stepIdx' = $3`,
      [QUEUE, String(runId), String(stepIdx)],
    );
    return { queued: Number(rows[0]?.queued ?? 0), active: Number(rows[0]?.active ?? 0) };
  }

  /** Workers heard of within `lease` seconds. */
  async liveWorkers(lease: number): Promise<number> {
    const { rows } = await this.pool.query(`SELECT count(*) AS n FROM ferry_workers WHERE heartbeat_at > now() - make_interval(secs => $1)`, [lease]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Cancels a run's chunks that no worker has taken yet (a stop). */
  async cancelQueued(runId: number): Promise<number> {
    const { rows } = await this.pool.query(`SELECT id FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry') AND data->>'runId' = $2`, [QUEUE, String(runId)]);
    const ids = rows.map((r: { id: string }) => r.id);
    if (ids.length > 0) await this.boss.cancel(QUEUE, ids);
    return ids.length;
  }

  /**
   * Chunks taken by a worker that has not been heard of for `lease` seconds
   * (killed, machine gone) go back to the queue for another worker. Returns
   * how many.
   */
  async reclaimLost(lease: number): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT j.id FROM pgboss.job j
        WHERE j.name = $1 AND j.state = 'active' AND j.started_on < now() - make_interval(secs => $2)
          AND NOT EXISTS (SELECT 1 FROM ferry_workers w WHERE j.id::text = ANY (w.jobs) AND w.heartbeat_at > now() - make_interval(secs => $2))`,
      [QUEUE, lease],
    );
    const ids = rows.map((r: { id: string }) => r.id);
    for (const id of ids) await this.boss.fail(QUEUE, id, { reason: `its worker was not heard of for ${lease} s` });
    return ids.length;
  }

  // ---- worker side ----

  async fetch(): Promise<{ id: string; data: ChunkJob; retryCount: number } | undefined> {
    const [job] = await this.boss.fetch<ChunkJob>(QUEUE, { batchSize: 1, includeMetadata: true });
    return job ? { id: job.id, data: job.data, retryCount: job.retryCount } : undefined;
  }

  /**
   * True while this take of the chunk is the current one. A worker that went
   * quiet past its lease (a busy machine can delay its heartbeat) may still be
   * working when its chunk is given to another: pg-boss fetches it again with
   * the retry count one higher, and the first take no longer holds it.
   */
  async holds(id: string, retryCount: number): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`, [QUEUE, id, retryCount]);
    return rows.length > 0;
  }

  /**
   * Marks the chunk done, only for the take that holds it (pg-boss's own
   * complete() goes by id alone, so a late first take would end the second
   * take's job while it still works, and the coordinator would count the run
   * before it is done). Same update as pg-boss's, with the retry count added.
   */
  async complete(id: string, retryCount: number, db?: SqlExecutor): Promise<boolean> {
    // With `db` (an executor on an open transaction of the store, postgres-store.ts inPostgresTransaction),
    // the completion is a statement of that transaction: it commits, or rolls back, with the chunk's last store writes.
    const text = `UPDATE pgboss.job SET completed_on = now(), state = 'completed', output = NULL WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 RETURNING id`;
    const values = [QUEUE, id, retryCount];
    const { rows } = db ? await db.executeSql(text, values) : await this.pool.query(text, values);
    return rows.length === 1;
  }

  /** Gives the chunk back to the queue, unless another take holds it now. */
  async fail(id: string, retryCount: number, reason: string): Promise<void> {
    if (!(await this.holds(id, retryCount))) return;
    await this.boss.fail(QUEUE, id, { reason });
  }

  async register(id: string): Promise<void> {
    await this.pool.query(`INSERT INTO ferry_workers (id, host, pid) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, [id, hostname(), process.pid]);
  }

  async heartbeat(id: string, state: { runId: number | null; batch: string | null; jobs: string[]; chunksDone: number; itemsDone: number }): Promise<void> {
    await this.pool.query(`UPDATE ferry_workers SET heartbeat_at = now(), run_id = $2, batch = $3, jobs = $4, chunks_done = $5, items_done = $6 WHERE id = $1`, [id, state.runId, state.batch, state.jobs, state.chunksDone, state.itemsDone]);
  }

  async unregister(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ferry_workers WHERE id = $1`, [id]);
  }
}

/** What pg-boss runs its statements on when given `db`: the store's transaction (postgres-store.ts). */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A run's chunks in the queue: waiting for a worker, taken by one, and the workers listed and alive (by the lease). */
export interface RunQueueState {
  queued: number;
  active: number;
  done: number;
  workers: number;
  liveWorkers: number;
}

/**
 * A run's place in the queue, read without starting pg-boss (the dashboard
 * asks it every few seconds while a run goes). Undefined when the run never
 * sent a chunk (it runs in one process) or the database has no queue.
 */
export async function runQueueState(url: string, runId: number, lease = leaseSeconds()): Promise<RunQueueState | undefined> {
  const client = new pg.Client({ connectionString: url, application_name: 'ferry-workers' });
  await client.connect().catch((error: unknown) => {
    throw explainStoreError(error, url);
  });
  try {
    const { rows: exists } = await client.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS job, to_regclass('ferry_workers') IS NOT NULL AS workers`);
    if (!exists[0]?.job) return undefined;
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE state IN ('created', 'retry')) AS queued, count(*) FILTER (WHERE state = 'active') AS active, count(*) FILTER (WHERE state = 'completed') AS done, count(*) AS total
         FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2`,
      [QUEUE, String(runId)],
    );
    if (Number(rows[0]?.total ?? 0) === 0) return undefined;
    let workers = 0;
    let liveWorkers = 0;
    if (exists[0]?.workers) {
      const { rows: w } = await client.query(`SELECT count(*) AS n, count(*) FILTER (WHERE heartbeat_at > now() - make_interval(secs => $1)) AS live FROM ferry_workers`, [lease]);
      workers = Number(w[0]?.n ?? 0);
      liveWorkers = Number(w[0]?.live ?? 0);
    }
    return { queued: Number(rows[0]!.queued), active: Number(rows[0]!.active), done: Number(rows[0]!.done), workers, liveWorkers };
  } finally {
    await client.end();
  }
}

/** Reads the worker registry without starting pg-boss (ferry workers, the dashboard). */
export async function listWorkers(url: string): Promise<WorkerRow[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'ferry-workers' });
  await client.connect().catch((error: unknown) => {
    throw explainStoreError(error, url);
  });
  try {
    // A killed worker stays listed (silent) for an hour, then is forgotten.
    const { rows: exists } = await client.query(`SELECT to_regclass('ferry_workers') IS NOT NULL AS ok`);
    if (!exists[0]?.ok) return [];
    await client.query(`DELETE FROM ferry_workers WHERE heartbeat_at < now() - interval '1 hour'`);
    const { rows } = await client.query(
      `SELECT id, host, pid, started_at, heartbeat_at, extract(epoch FROM now() - heartbeat_at) AS silent, run_id, batch, jobs, chunks_done, items_done FROM ferry_workers ORDER BY host, pid`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      host: String(r.host),
      pid: Number(r.pid),
      startedAt: new Date(r.started_at as string).toISOString(),
      heartbeatAt: new Date(r.heartbeat_at as string).toISOString(),
      silentSeconds: Number(r.silent),
      runId: r.run_id === null ? null : Number(r.run_id),
      batch: (r.batch as string | null) ?? null,
      jobs: (r.jobs as string[]) ?? [],
      chunksDone: Number(r.chunks_done),
      itemsDone: Number(r.items_done),
    }));
  } finally {
    await client.end();
  }
}
