import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ferry } from '../app/ferry.js';
import { registerConnector } from '../app/registry.js';
import { startPostgres, type PrivatePostgres } from '../harness/postgres.js';
import { listWorkers } from '../scale/queue.js';
import { readLedger, recordingReferenceConnector } from '../scale/testing/recording-reference.js';
import { buildServer, type FerryServer } from './server.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = join(REPO, 'src/scale/testing/reference-worker.ts');

let pgServer: PrivatePostgres;
let dir: string;
let pgDir: string;
let url: string;
let ferry: Ferry;
let server: FerryServer;
let auth: Record<string, string>;
const children: ChildProcess[] = [];

const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const res = await server.app.inject({ method, url: path, headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, json: JSON.parse(res.body || 'null'), headers: res.headers };
};

beforeAll(async () => {
  dir = mkdtempSync('/dev/shm/ferry-serve-workers-');
  pgDir = mkdtempSync('/dev/shm/ferry-serve-workers-pg-');
  pgServer = await startPostgres({ dir: pgDir });
  registerConnector(recordingReferenceConnector);
  url = await pgServer.createDatabase('serve_workers');
  ferry = await Ferry.open({ dataDir: join(dir, 'data'), store: url });
  const now = ferry.now();
  await ferry.connections.add('ref-source', 'reference', { role: 'source', items: 400 }, now);
  await ferry.connections.add('ref-target', 'reference', { role: 'target', latencyMs: 2, ledger: join(dir, 'workers.ledger') }, now);
  await ferry.connections.add('ref-local', 'reference', { role: 'target', latencyMs: 0, ledger: join(dir, 'local.ledger') }, now);
  await ferry.saveMigrationText('name: spread\nsource: ref-source\ntarget: ref-target\noptions:\n  concurrency: 4\n  verify: false\n');
  await ferry.saveMigrationText('name: local\nsource: ref-source\ntarget: ref-local\noptions:\n  verify: false\n');
  server = await buildServer({ ferry, setupToken: 'setup-token-for-tests', workers: true });
  auth = {};
  const setup = await api('POST', '/api/setup', { token: 'setup-token-for-tests', name: 'root', password: 'root-password-123' });
  const cookie = String(setup.headers['set-cookie']).split(';')[0]!;
  auth = { cookie, 'x-csrf-token': setup.json.csrf };
  const made = await api('POST', '/api/tokens', { label: 'tests' });
  auth = { authorization: `Bearer ${made.json.token as string}` };
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await server?.close();
  await ferry?.close();
  await pgServer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pgDir) rmSync(pgDir, { recursive: true, force: true });
});

async function waitForEnd(runId: number): Promise<{ status: string; workers: unknown }> {
  for (let i = 0; i < 1200; i++) {
    const run = (await api('GET', `/api/runs/${runId}`)).json;
    if (run.status !== 'RUNNING') return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('a server started with workers (ferry serve --workers) on PostgreSQL', () => {
  it('a run started through the API waits for workers and says so, then the workers write it; `workers: false` runs in the server', async () => {
    const started = await api('POST', '/api/migrations/spread/runs', {});
    expect(started.status).toBe(202);
    const runId = started.json.id as number;
    // No worker yet: the run's chunks wait in the queue, and the run says what to start (the password hidden).
    let view = (await api('GET', `/api/runs/${runId}`)).json;
    for (let i = 0; i < 300 && !view.workers?.waiting; i++) {
      await new Promise((r) => setTimeout(r, 100));
      view = (await api('GET', `/api/runs/${runId}`)).json;
    }
    expect(view.status).toBe('RUNNING');
    expect(view.workers).toMatchObject({ waiting: true, active: 0, listed: 0, live: 0, command: expect.stringMatching(/^ferry worker --store postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/serve_workers$/) });
    expect(view.workers.queued).toBeGreaterThan(0);
    expect(view.workers.hint).toContain(view.workers.command);
    expect(JSON.stringify(view)).not.toContain(new URL(url).password);

    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--data-dir', join(dir, 'data'), '--store', url], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', () => undefined);
      children.push(child);
    }
    const ended = await waitForEnd(runId);
    expect(ended.status).toBe('FINISHED');
    expect(ended.workers).toMatchObject({ waiting: false, queued: 0, active: 0 });
    expect(await ferry.store.countItems(runId)).toEqual({ COMPLETE: 400 });
    // Every write came from the worker processes, none from the server's.
    const ledger = readLedger(join(dir, 'workers.ledger'));
    expect(ledger.items).toBe(400);
    expect(ledger.duplicates).toEqual([]);
    expect(ledger.maxInFlight).toBeLessThanOrEqual(4);
    const writers = new Set(readFileSync(join(dir, 'workers.ledger'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { pid: number }).pid));
    expect(writers.has(process.pid)).toBe(false);
    expect([...writers].every((pid) => children.some((c) => c.pid === pid))).toBe(true);
    expect((await listWorkers(url)).length).toBe(2);

    // A request may still run in the server.
    const local = await api('POST', '/api/migrations/local/runs', { workers: false });
    expect(local.status).toBe(202);
    const localEnd = await waitForEnd(local.json.id);
    expect(localEnd).toMatchObject({ status: 'FINISHED', workers: null });
    const localWriters = new Set(readFileSync(join(dir, 'local.ledger'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { pid: number }).pid));
    expect([...localWriters]).toEqual([process.pid]);

    for (const child of children) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
