import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import { startPostgres, type PrivatePostgres } from '../../src/harness/postgres.js';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import { ferry, json, spawnFerry, waitForWorkers } from './cli.js';
import { expectSameSite } from './site-compare.js';
import { snapshotSite, type SiteSnapshot } from './site-snapshot.js';
import { access, emptySite, filledSite } from './sites.js';
import { scratch, writePlan } from './wikis.js';

interface WorkerView {
  pid: number;
  state: string;
  itemsDone: number;
}

/** Times a chunk (pg-boss job) was taken over after its worker went silent: the kills landed in the middle of writes. */
async function retriedChunks(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT (SELECT coalesce(sum(retry_count), 0) FROM pgboss.job) + (SELECT coalesce(sum(retry_count), 0) FROM pgboss.archive) AS n`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

const MAPS = ['users', 'categories', 'tags', 'media', 'posts', 'comments', 'menus', 'menuItems'] as const;

/**
 * Issue 10, the workers half for WordPress: WordPress -> WordPress through the
 * real CLI, the store on PostgreSQL, `ferry run --workers` with three
 * `ferry worker` processes doing the writes (each with its own connector
 * session); verify equal and nothing twice on the target.
 */
describe('WordPress -> WordPress with 3 ferry worker processes', () => {
  let root: string;
  let pgDir: string;
  let server: PrivatePostgres;
  let source: SiteInstance;
  let sourceSnap: SiteSnapshot;
  const sites: SiteInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-wp-workers');
    pgDir = mkdtempSync('/dev/shm/ferry-e2e-wp-workers-pg-');
    const [pgServer, filled] = await Promise.all([startPostgres({ dir: pgDir }), filledSite(root)]);
    server = pgServer;
    source = filled.source;
    sites.push(source);
    sourceSnap = await snapshotSite(access(source));
  }, 600_000);

  afterAll(async () => {
    for (const site of sites) await site.stop();
    await server?.stop();
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  /** An empty target, both connections in a data folder on the given store, and the plan. */
  async function prepare(label: string, env: Record<string, string>): Promise<{ tgt: SiteInstance; data: string; plan: string; name: string; before: SiteSnapshot }> {
    const tgt = await emptySite(root, `Workers ${label} Target`);
    sites.push(tgt);
    const data = join(root, `data-${label}`);
    for (const [name, site] of [['src', source], ['tgt', tgt]] as const) {
      const added = await ferry(data, ['connection', 'add', name, '--platform', 'wordpress', '--url', site.url, '--username', site.adminUser, '--password-env', 'FERRY_TEST_PW'], { ...env, FERRY_TEST_PW: site.appPassword });
      expect(added.code, added.stderr).toBe(0);
    }
    const before = await snapshotSite(access(tgt));
    const name = `e2e-wp-${label}-move`;
    return { tgt, data, plan: writePlan(root, `wp-${label}`, `name: ${name}\nsource: src\ntarget: tgt\n`), name, before };
  }

  /** The target equals the source; nothing was written twice (same counts, no "-2" slugs). */
  async function expectCarriedOnce(tgt: SiteInstance, before: SiteSnapshot): Promise<void> {
    const after = await snapshotSite(access(tgt));
    expectSameSite(sourceSnap, after, before);
    for (const name of MAPS) {
      const extra = [...after[name].keys()].filter((k) => !sourceSnap[name].has(k) && !before[name].has(k));
      expect(extra, `${name} on the target that are neither the source's nor the target's own`).toEqual([]);
    }
    const slugs = [...after.posts.values(), ...after.categories.values(), ...after.tags.values(), ...after.media.values()].map((o) => String(o.slug ?? ''));
    const sourceSlugs = new Set([...sourceSnap.posts.values(), ...sourceSnap.categories.values(), ...sourceSnap.tags.values(), ...sourceSnap.media.values()].map((o) => String(o.slug ?? '')));
    expect(slugs.filter((s) => /-\d+$/.test(s) && !sourceSlugs.has(s)), 'suffixed slugs (a second copy)').toEqual([]);
  }

  it('ferry run --workers: FINISHED, verify equal, the writes spread over the workers, nothing twice, the workers leave cleanly', async () => {
    const store = await server.createDatabase('wp_workers');
    const env = { FERRY_STORE: store };
    const { tgt, data, plan, name, before } = await prepare('spread', env);
    const workers = [0, 1, 2].map(() => spawnFerry(data, ['worker'], env));
    try {
      const joined = await waitForWorkers<WorkerView>(data, env, workers);
      expect(joined.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());

      const result = await ferry(data, ['run', plan, '--workers', '--json'], env);
      const run = json<RunRecord>(result);
      const failed = await ferry(data, ['items', String(run.id), '--status', 'FAILED', '--json'], env);
      expect(json<unknown[]>(failed)).toEqual([]);
      expect(run.status, result.stderr.slice(-3000)).toBe('FINISHED');
      expect(run.summary!.verify?.discrepancyCount).toBe(0);
      expect(run.summary!.totals.failed).toBe(0);
      expect(run.summary!.totals.created).toBeGreaterThan(700);
      await expectCarriedOnce(tgt, before);
      const verified = await ferry(data, ['verify', name, '--json'], env);
      expect(verified.code, verified.stderr.slice(-3000)).toBe(0);
      expect(json<RunRecord>(verified).status).toBe('FINISHED');
      expect(json<RunRecord>(verified).summary!.verify?.discrepancyCount).toBe(0);

      // Counters reach the registry as the workers write them, a moment after the run's items are done.
      let after = json<WorkerView[]>(await ferry(data, ['workers', '--json'], env));
      for (let i = 0; i < 30 && after.reduce((a, w) => a + w.itemsDone, 0) < run.summary!.totals.created; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        after = json<WorkerView[]>(await ferry(data, ['workers', '--json'], env));
      }
      const done = after.map((w) => w.itemsDone);
      console.log(`items done per worker (WordPress): ${done.join(', ')}; totals ${JSON.stringify(run.summary!.totals)}`);
      expect(done.reduce((a, b) => a + b, 0)).toBeGreaterThan(700);
      expect(done.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
    }
    for (const w of workers) expect((await w.done).code).toBe(0);
    expect(json<WorkerView[]>(await ferry(data, ['workers', '--json'], env))).toEqual([]);
  }, 300_000);

  it('kill -9 of a busy worker every few seconds during the run (restarted each time): FINISHED, verify equal, nothing twice on the target', async () => {
    const store = await server.createDatabase('wp_kills');
    const env = { FERRY_STORE: store, FERRY_WORKER_LEASE_SECONDS: '3' };
    const { tgt, data, plan, name, before } = await prepare('kills', env);
    const workers = [0, 1, 2].map(() => spawnFerry(data, ['worker'], env));
    let kills = 0;
    let running = true;
    try {
      const started = spawnFerry(data, ['run', plan, '--workers', '--json'], env);
      // Each kill goes to a worker holding a chunk (by its last heartbeat), so that it lands in the middle of writes.
      const client = new pg.Client({ connectionString: store });
      await client.connect();
      const killer = (async () => {
        await new Promise((r) => setTimeout(r, 5000));
        while (running && kills < 12) {
          // Until the first worker has opened the queue, neither table exists yet (a loaded machine: more than 5 s).
          const rows = await client
            .query<{ pid: number }>(`SELECT w.pid FROM ferry_workers w WHERE EXISTS (SELECT 1 FROM pgboss.job j WHERE j.state = 'active' AND j.id::text = ANY (w.jobs))`)
            .then((r) => r.rows, (error: { code?: string }) => {
              if (error.code === '42P01') return [];
              throw error;
            });
          const busy = new Set(rows.map((r) => Number(r.pid)));
          const i = workers.findIndex((w) => busy.has(w.child.pid!));
          if (i < 0) {
            await new Promise((r) => setTimeout(r, 300));
            continue;
          }
          workers[i]!.child.kill('SIGKILL');
          kills++;
          workers[i] = spawnFerry(data, ['worker'], env);
          await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1500));
        }
      })().finally(() => client.end());
      const result = await started.done;
      running = false;
      await killer;
      const run = json<RunRecord>(result);
      const retried = await retriedChunks(store);
      console.log(`worker kills during the WordPress run: ${kills}; take-overs of a chunk: ${retried}; totals ${JSON.stringify(run.summary?.totals)}`);
      const failed = await ferry(data, ['items', String(run.id), '--status', 'FAILED', '--json'], env);
      expect(json<unknown[]>(failed)).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(retried, 'no chunk was taken over from a killed worker').toBeGreaterThan(0);
      expect(run.status, result.stderr.slice(-3000)).toBe('FINISHED');
      expect(run.summary!.verify?.discrepancyCount).toBe(0);
      expect(run.summary!.totals.failed).toBe(0);
      await expectCarriedOnce(tgt, before);
      const verified = await ferry(data, ['verify', name, '--json'], env);
      expect(verified.code, verified.stderr.slice(-3000)).toBe(0);
      expect(json<RunRecord>(verified).summary!.verify?.discrepancyCount).toBe(0);
    } finally {
      running = false;
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.done));
    }
  }, 300_000);
});
