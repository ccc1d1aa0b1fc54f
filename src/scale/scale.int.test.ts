import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ferry } from '../app/ferry.js';
import { registerConnector } from '../app/registry.js';
import { startPostgres, type PrivatePostgres } from '../harness/postgres.js';
import { buildServer } from '../server/server.js';
import { distributeTo } from './coordinator.js';
import { listWorkers, ScaleQueue } from './queue.js';
import { readLedger, recordingReferenceConnector } from './testing/recording-reference.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = join(REPO, 'src/scale/testing/reference-worker.ts');
const LEASE = 3;

let server: PrivatePostgres;
let dir: string;
let pgDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = mkdtempSync('/dev/shm/ferry-scale-');
  pgDir = mkdtempSync('/dev/shm/ferry-scale-pg-');
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

interface Setup {
  ferry: Ferry;
  url: string;
  dataDir: string;
  ledger: string;
}

async function setup(name: string, items: number, latencyMs: number, concurrency: number, extra = ''): Promise<Setup & { migration: Awaited<ReturnType<Ferry['saveMigrationText']>> }> {
  const url = await server.createDatabase(name);
  const dataDir = join(dir, name);
  const ledger = join(dir, `${name}.ledger`);
  const ferry = await Ferry.open({ dataDir, store: url });
  const now = ferry.now();
  await ferry.connections.add('ref-source', 'reference', { role: 'source', items }, now);
  await ferry.connections.add('ref-target', 'reference', { role: 'target', latencyMs, ledger }, now);
  const migration = await ferry.saveMigrationText(`name: ${name}\nsource: ref-source\ntarget: ref-target\noptions:\n  concurrency: ${concurrency}\n  verify: false\n${extra}`);
  return { ferry, url, dataDir, ledger, migration };
}

function startWorker(s: Setup, concurrency?: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--data-dir', s.dataDir, '--store', s.url, ...(concurrency ? ['--concurrency', String(concurrency)] : [])], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FERRY_WORKER_LEASE_SECONDS: String(LEASE) } });
  child.stderr?.on('data', () => undefined);
  children.add(child);
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('ferry worker: a run spread over worker processes through pg-boss', () => {
  it('3 workers: FINISHED, every item counted once, no duplicate write, never more than the concurrency in flight at the target', async () => {
    const s = await setup('three', 3000, 5, 4);
    const workers = [startWorker(s), startWorker(s), startWorker(s)];
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    const server = await buildServer({ ferry: s.ferry, setupToken: 'setup-token-for-tests' });
    try {
      const api = async (url: string, headers: Record<string, string> = {}, body?: unknown) => {
        const res = await server.app.inject({ method: body ? 'POST' : 'GET', url, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
        return { status: res.statusCode, json: JSON.parse(res.body), headers: res.headers };
      };
      const setupRes = await api('/api/setup', {}, { token: 'setup-token-for-tests', name: 'root', password: 'root-password-123' });
      const cookie = String(setupRes.headers['set-cookie']).split(';')[0]!;
      const made = await api('/api/tokens', { cookie, 'x-csrf-token': setupRes.json.csrf }, { label: 'tests' });
      const auth = { authorization: `Bearer ${made.json.token as string}` };
      // The three workers join (node + tsx start-up), and GET /api/workers shows them idle.
      for (let i = 0; i < 120 && (await listWorkers(s.url)).length < 3; i++) await new Promise((r) => setTimeout(r, 250));
      const idle = await api('/api/workers', auth);
      expect(idle.status).toBe(200);
      expect(idle.json.store).toBe('postgres');
      expect(idle.json.workers.map((w: { pid: number }) => w.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
      expect(idle.json.workers.every((w: { state: string; host: string }) => w.state === 'idle' && w.host.length > 0)).toBe(true);
      let busySeen: { batch: string | null } | undefined;
      const watch = setInterval(() => void api('/api/workers', auth).then((r) => (busySeen ??= r.json.workers.find((w: { state: string }) => w.state === 'busy')), () => undefined), 300);
      const run = await s.ferry.run(s.migration, { distribute: distributeTo(queue, { lease: LEASE }) });
      clearInterval(watch);
      expect(busySeen?.batch).toMatch(new RegExp(`^run ${run.id} step \\d+ (folder|note): `));
      expect(run.status).toBe('FINISHED');
      expect(run.summary?.totals.created).toBe(3000);
      expect(run.summary?.totals.failed).toBe(0);
      const counts = await s.ferry.store.countItems(run.id);
      expect(counts).toEqual({ COMPLETE: 3000 });
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(3000);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.finishing).toBe(0);
      expect(ledger.maxInFlight).toBeLessThanOrEqual(4);
      expect(ledger.maxInFlight).toBeGreaterThanOrEqual(2);
      expect(ledger.pids).toBe(3);
    } finally {
      await Promise.all(workers.map(stopWorker));
      await server.close();
      await queue.close();
      await s.ferry.close();
    }
    // Workers that leave cleanly leave the registry.
    expect(await listWorkers(s.url)).toEqual([]);
  });

  it("a worker's --concurrency caps its own batches in flight; the plan's concurrency stays the target's limit over all", async () => {
    // The target allows 16 at once: what holds each worker back is its own capacity (2 and 3).
    const s = await setup('capacity', 600, 40, 16);
    const workers = [startWorker(s, 2), startWorker(s, 3)];
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    try {
      for (let i = 0; i < 120 && (await listWorkers(s.url)).length < 2; i++) await new Promise((r) => setTimeout(r, 250));
      const run = await s.ferry.run(s.migration, { distribute: distributeTo(queue, { lease: LEASE, chunkItems: 20 }) });
      expect(run.status).toBe('FINISHED');
      expect(await s.ferry.store.countItems(run.id)).toEqual({ COMPLETE: 600 });
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(600);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.pids).toBe(2);
      // Each worker reached its capacity and never went past it.
      expect(ledger.maxInFlightByPid[workers[0]!.pid!]).toBe(2);
      expect(ledger.maxInFlightByPid[workers[1]!.pid!]).toBe(3);
      expect(ledger.maxInFlight).toBeLessThanOrEqual(5);
    } finally {
      await Promise.all(workers.map(stopWorker));
      await queue.close();
      await s.ferry.close();
    }
  });

  it('kill -9 of a random worker again and again: FINISHED, no duplicate, every item once', async () => {
    const s = await setup('kills', 4000, 10, 6);
    const workers = [startWorker(s), startWorker(s), startWorker(s)];
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    let kills = 0;
    let running = true;
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, 2500));
      while (running && kills < 20) {
        const i = Math.floor(Math.random() * workers.length);
        workers[i]!.kill('SIGKILL');
        kills++;
        workers[i] = startWorker(s);
        await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
      }
    })();
    try {
      const run = await s.ferry.run(s.migration, { distribute: distributeTo(queue, { lease: LEASE }) });
      running = false;
      await killer;
      expect(kills).toBeGreaterThanOrEqual(10);
      expect(run.status).toBe('FINISHED');
      const t = run.summary!.totals;
      expect(t.created + t.updated + t.adopted).toBe(4000);
      expect(t.failed + t.timedOut).toBe(0);
      expect(await s.ferry.store.countItems(run.id)).toEqual({ COMPLETE: 4000 });
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(4000);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.maxInFlight).toBeLessThanOrEqual(6);
      console.log(`kills: ${kills}, ledger: ${JSON.stringify({ ...ledger, duplicates: ledger.duplicates.length })}`);
    } finally {
      running = false;
      await Promise.all(workers.map(stopWorker));
      await queue.close();
      await s.ferry.close();
    }
  });

  it('ferry stop reaches the workers: STOPPED, nothing left RUNNING, queued chunks cancelled; the next run finishes without a duplicate', async () => {
    const s = await setup('stop', 1500, 20, 2);
    const workers = [startWorker(s), startWorker(s)];
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    try {
      const migration = s.migration;
      const stopper = (async () => {
        for (;;) {
          await new Promise((r) => setTimeout(r, 250));
          const run = await s.ferry.store.lastRun(migration.id);
          if (run && run.status === 'RUNNING' && ((await s.ferry.store.countItems(run.id)).COMPLETE ?? 0) >= 100) return s.ferry.stop(migration);
        }
      })();
      const run = await s.ferry.run(migration, { distribute: distributeTo(queue, { lease: LEASE }) });
      await stopper;
      expect(run.status).toBe('STOPPED');
      const counts = await s.ferry.store.countItems(run.id);
      expect(counts.RUNNING ?? 0).toBe(0);
      expect(counts.READY ?? 0).toBeGreaterThan(0);
      expect((await queue.outstanding(run.id, 1)).queued).toBe(0);
      const again = await s.ferry.run(await s.ferry.migrations.byName('stop'), { distribute: distributeTo(queue, { lease: LEASE }) });
      expect(again.status).toBe('FINISHED');
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(1500);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.maxInFlight).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(workers.map(stopWorker));
      await queue.close();
      await s.ferry.close();
    }
  });

  it('the per-item timeout holds in a worker: a write slower than itemTimeoutSeconds is TIMED_OUT', async () => {
    const s = await setup('timeout', 6, 3000, 4, '  itemTimeoutSeconds: 1\n');
    const workers = [startWorker(s)];
    const queue = await ScaleQueue.open(s.url, { supervise: false });
    try {
      const run = await s.ferry.run(s.migration, { distribute: distributeTo(queue, { lease: LEASE }) });
      expect(await s.ferry.store.countItems(run.id)).toEqual({ TIMED_OUT: 6 });
      expect(run.status).not.toBe('FINISHED');
      expect(readLedger(s.ledger).writes).toBe(0);
    } finally {
      await Promise.all(workers.map(stopWorker));
      await queue.close();
      await s.ferry.close();
    }
  });

  it('the coordinator killed with SIGKILL and started again: the run resumes with the workers, FINISHED, no duplicate', async () => {
    const s = await setup('coordinator', 3000, 10, 6);
    await s.ferry.close();
    const workers = [startWorker(s), startWorker(s), startWorker(s)];
    const coordinator = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench/scale-child.ts'), '--data-dir', s.dataDir, '--store', s.url, '--items', '3000', '--latency', '10', '--concurrency', '6', '--ledger', s.ledger], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      return { child, done: new Promise<string>((r) => child.once('close', () => r(out || `{"status":${JSON.stringify(err.slice(-2000))}}`))) };
    };
    const ferry = await Ferry.open({ dataDir: s.dataDir, store: s.url });
    try {
      // The coordinator saves its own migration (bench-scale) over the setup's connections.
      const first = coordinator();
      let killedAt = 0;
      for (let i = 0; i < 600 && killedAt === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const migration = await ferry.migrations.byName('bench-scale').catch(() => undefined);
        const run = migration ? await ferry.store.lastRun(migration.id) : undefined;
        const complete = run ? ((await ferry.store.countItems(run.id)).COMPLETE ?? 0) : 0;
        if (complete >= 800) {
          first.child.kill('SIGKILL');
          killedAt = complete;
        }
      }
      await first.done;
      expect(killedAt).toBeGreaterThan(0);
      const result = JSON.parse(await coordinator().done) as { runId: number; status: string };
      expect(result.status).toBe('FINISHED');
      expect(await ferry.store.countItems(result.runId)).toEqual({ COMPLETE: 3000 });
      const ledger = readLedger(s.ledger);
      expect(ledger.items).toBe(3000);
      expect(ledger.duplicates).toEqual([]);
      expect(ledger.maxInFlight).toBeLessThanOrEqual(6);
    } finally {
      await Promise.all(workers.map(stopWorker));
      await ferry.close();
    }
  });
});
