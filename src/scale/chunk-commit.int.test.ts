import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ferry } from '../app/ferry.js';
import { registerConnector } from '../app/registry.js';
import { startPostgres, type PrivatePostgres } from '../harness/postgres.js';
import { inPostgresTransaction } from '../store/postgres-store.js';
import { distributeTo } from './coordinator.js';
import { listWorkers, QUEUE, ScaleQueue } from './queue.js';
import { readLedger, recordingReferenceConnector, type LedgerLine } from './testing/recording-reference.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = join(REPO, 'src/scale/testing/reference-worker.ts');
const LEASE = 3;

let server: PrivatePostgres;
let dir: string;
let pgDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = mkdtempSync('/dev/shm/ferry-chunk-');
  pgDir = mkdtempSync('/dev/shm/ferry-chunk-pg-');
  server = await startPostgres({ dir: pgDir });
  registerConnector(recordingReferenceConnector);
  process.env.FERRY_WORKER_LEASE_SECONDS = String(LEASE);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
});

async function setup(name: string, items: number, latencyMs: number) {
  const url = await server.createDatabase(name);
  const dataDir = join(dir, name);
  const ledger = join(dir, `${name}.ledger`);
  const ferry = await Ferry.open({ dataDir, store: url });
  const now = ferry.now();
  await ferry.connections.add('ref-source', 'reference', { role: 'source', items }, now);
  await ferry.connections.add('ref-target', 'reference', { role: 'target', latencyMs, ledger }, now);
  const migration = await ferry.saveMigrationText(`name: ${name}\nsource: ref-source\ntarget: ref-target\noptions:\n  concurrency: 4\n  verify: false\n`);
  return { ferry, url, dataDir, ledger, migration };
}

function startWorker(dataDir: string, url: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--data-dir', dataDir, '--store', url], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FERRY_WORKER_LEASE_SECONDS: String(LEASE) } });
  child.stderr?.on('data', () => undefined);
  children.add(child);
  return child;
}

async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('a chunk completes in one transaction with its last store writes', () => {
  it('the events and the pg-boss completion commit together, or roll back together', async () => {
    const s = await setup('together', 10, 0);
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    try {
      await queue.send([{ runId: 999, migrationId: s.migration.id, stepIdx: 1, type: 'note', sourceIds: ['a'], pass: 0, firstSeq: 0 }]);
      const job = await queue.fetch();
      expect(job).toBeDefined();
      const event = (message: string) => ({ runId: null, migrationId: s.migration.id, at: s.ferry.now(), level: 'info' as const, step: 'note', item: null, message });
      const state = async () => (await sql<{ state: string }>(s.url, 'SELECT state FROM pgboss.job WHERE name = $1 AND id = $2', [QUEUE, job!.id]))[0]?.state;
      const stored = async (message: string) => (await s.ferry.store.listEvents({ migrationId: s.migration.id, limit: 100 })).filter((e) => e.message === message).length;

      // Something fails after both statements: neither the event nor the completion is kept.
      await expect(
        inPostgresTransaction(s.ferry.store, async (tx) => {
          await tx.store.addEvents([event('written then rolled back')]);
          expect(await queue.complete(job!.id, job!.retryCount, tx)).toBe(true);
          throw new Error('the commit does not happen');
        }),
      ).rejects.toThrow('the commit does not happen');
      expect(await state()).toBe('active');
      expect(await stored('written then rolled back')).toBe(0);

      await inPostgresTransaction(s.ferry.store, async (tx) => {
        await tx.store.addEvents([event('committed with the completion')]);
        // Inside the transaction, a reader outside does not see the completion yet.
        expect(await queue.complete(job!.id, job!.retryCount, tx)).toBe(true);
        expect(await state()).toBe('active');
      });
      expect(await state()).toBe('completed');
      expect(await stored('committed with the completion')).toBe(1);
      // A second completion finds no active job: false, nothing changes.
      expect(await inPostgresTransaction(s.ferry.store, (tx) => queue.complete(job!.id, job!.retryCount, tx))).toBe(false);

      // A take that lost its chunk (given back after the lease, fetched again by another worker) can neither
      // complete nor fail the new take's job: only the take with the current retry count holds it.
      await queue.send([{ runId: 999, migrationId: s.migration.id, stepIdx: 1, type: 'note', sourceIds: ['b'], pass: 0, firstSeq: 1 }]);
      const firstTake = (await queue.fetch())!;
      expect(await queue.holds(firstTake.id, firstTake.retryCount)).toBe(true);
      await queue.fail(firstTake.id, firstTake.retryCount, 'its worker was not heard of');
      const secondTake = (await queue.fetch())!;
      expect(secondTake.id).toBe(firstTake.id);
      expect(secondTake.retryCount).toBe(firstTake.retryCount + 1);
      expect(await queue.holds(firstTake.id, firstTake.retryCount)).toBe(false);
      await queue.fail(firstTake.id, firstTake.retryCount, 'late failure of the first take');
      expect(await queue.complete(firstTake.id, firstTake.retryCount)).toBe(false);
      expect(await queue.holds(secondTake.id, secondTake.retryCount)).toBe(true);
      expect(await queue.complete(secondTake.id, secondTake.retryCount)).toBe(true);
    } finally {
      await queue.close();
      await s.ferry.close();
    }
    // SQLite has no queue: the hook refuses it.
    const sqlite = await Ferry.open({ dataDir: join(dir, 'sqlite') });
    await expect(inPostgresTransaction(sqlite.store, async () => 1)).rejects.toThrow(/needs the PostgreSQL store/);
    await sqlite.close();
  });

  it('a completion lost with its worker (kill -9 while it commits): another worker takes the chunk after the lease, finds its items done, writes nothing twice', async () => {
    const s = await setup('lost', 600, 5);
    // Fault injection: the first completion of a chunk hangs (a nextval is not rolled back, so only once), as a worker
    // that dies between its items' writes and its completion. Its backend notices the killed client within 250 ms.
    await sql(s.url, `ALTER DATABASE lost SET client_connection_check_interval = '250ms'`);
    await sql(s.url, `CREATE SEQUENCE hang_once`);
    await sql(
      s.url,
      `CREATE FUNCTION hang_first_completion() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.state = 'completed' AND OLD.state = 'active' AND nextval('hang_once') = 1 THEN PERFORM pg_sleep(20); END IF;
         RETURN NEW;
       END $$`,
    );
    // pg-boss's tables exist once a queue opened on the database.
    const queue = await ScaleQueue.open(s.url, { supervise: true });
    await sql(s.url, `CREATE TRIGGER hang_first_completion BEFORE UPDATE ON pgboss.job FOR EACH ROW EXECUTE FUNCTION hang_first_completion()`);
    const first = startWorker(s.dataDir, s.url);
    let second: ChildProcess | undefined;
    try {
      const running = s.ferry.run(s.migration, { distribute: distributeTo(queue, { lease: LEASE }) });
      // The first worker wrote a chunk's items and hangs in its completion: the one active job whose row is locked (by its
      // UPDATE, waiting in the trigger), seen so twice in a row (another completion locks its row only for a moment).
      type Job = { id: string; data: { sourceIds: string[] } };
      const lockedJob = async (): Promise<Job | undefined> => {
        const [seq] = await sql<{ is_called: boolean }>(s.url, 'SELECT is_called FROM hang_once');
        if (!seq?.is_called) return undefined;
        const active = await sql<Job>(s.url, `SELECT id, data FROM pgboss.job WHERE name = $1 AND state = 'active'`, [QUEUE]);
        const free = new Set((await sql<{ id: string }>(s.url, `SELECT id FROM pgboss.job WHERE name = $1 AND state = 'active' FOR UPDATE SKIP LOCKED`, [QUEUE])).map((r) => r.id));
        const locked = active.filter((j) => !free.has(j.id));
        return locked.length === 1 ? locked[0] : undefined;
      };
      let hung: Job | undefined;
      for (let i = 0; i < 600 && !hung; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const once = await lockedJob();
        if (!once) continue;
        await new Promise((r) => setTimeout(r, 500));
        if ((await lockedJob())?.id === once.id) hung = once;
      }
      expect(hung, 'no completion hung').toBeDefined();
      // The completion runs on the store's client (application "ferry"), inside a transaction opened before it: not on pg-boss's own pool.
      const completing = await sql<{ application_name: string; in_tx: boolean }>(s.url, `SELECT application_name, xact_start < query_start AS in_tx FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%SET completed_on = now()%' AND pid <> pg_backend_pid()`);
      expect(completing).toEqual([{ application_name: 'ferry', in_tx: true }]);
      const runId = (await s.ferry.store.lastRun(s.migration.id))!.id;
      // Its items are written and recorded (status and ID map committed together, before the completion).
      const items = await s.ferry.store.listItems(runId, { sourceIds: hung!.data.sourceIds });
      expect(items.map((i) => i.status)).toEqual(hung!.data.sourceIds.map(() => 'COMPLETE'));

      second = startWorker(s.dataDir, s.url);
      for (let i = 0; i < 240 && !(await listWorkers(s.url)).some((w) => w.pid === second!.pid); i++) await new Promise((r) => setTimeout(r, 250));
      first.kill('SIGKILL');
      const run = await running;

      expect(run.status).toBe('FINISHED');
      expect(await s.ferry.store.countItems(run.id)).toEqual({ COMPLETE: 600 });
      // The lost chunk went to another worker (a retry of the same job) and completed there.
      const [job] = await sql<{ state: string; retry_count: number }>(s.url, 'SELECT state, retry_count FROM pgboss.job WHERE id = $1', [hung!.id]);
      expect(job).toMatchObject({ state: 'completed' });
      expect(job!.retry_count).toBeGreaterThanOrEqual(1);
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(600);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.pids).toBe(2);
      // The hung chunk's items were written once, by the first worker: the second found them done and wrote none of them.
      const type = items[0]!.type;
      const chunkIds = new Set(hung!.data.sourceIds.map((id) => `${type}:${id}`));
      const writers = readFileSync(s.ledger, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerLine).filter((l) => l.items.some((i) => chunkIds.has(i.id)));
      expect(new Set(writers.map((l) => l.pid))).toEqual(new Set([first.pid]));
      expect(writers.flatMap((l) => l.items.filter((i) => chunkIds.has(i.id))).length).toBe(chunkIds.size);
    } finally {
      first.kill('SIGKILL');
      if (second && second.exitCode === null) {
        const exited = new Promise((r) => second!.once('exit', r));
        second.kill('SIGTERM');
        await exited;
      }
      await queue.close();
      await s.ferry.close();
    }
  });
});
