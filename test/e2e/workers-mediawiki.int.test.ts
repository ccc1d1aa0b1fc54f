import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import { ferry, json, spawnFerry, waitForWorkers } from './cli.js';
import { pgWikis } from './pg-wikis.js';
import { expectSourceOnTarget, TOOLS } from './small-wiki.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { target, writePlan } from './wikis.js';

interface WorkerView {
  pid: number;
  state: string;
  itemsDone: number;
}

/**
 * Issue 10, the workers half: MediaWiki -> MediaWiki through the real CLI,
 * the store on PostgreSQL, `ferry run --workers` with three `ferry worker`
 * processes doing the writes; verify equal.
 */
describe('MediaWiki -> MediaWiki with 3 ferry worker processes', () => {
  const f = pgWikis('e2e-workers', 'Workers Source');

  it('ferry run --workers: FINISHED, verify equal, the writes spread over the workers, the workers leave cleanly', async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const store = await server.createDatabase('wiki_workers');
    const tgt = await target(root, 'Workers Target');
    wikis.push(tgt);
    const data = join(root, 'data');
    for (const [name, wiki] of [['src', source], ['tgt', tgt]] as const) {
      const added = await ferry(data, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', 'FERRY_TEST_PW'], { FERRY_TEST_PW: wiki.botPassword, FERRY_STORE: store });
      expect(added.code, added.stderr).toBe(0);
    }
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    const plan = writePlan(root, 'workers-move', 'name: e2e-workers-move\nsource: src\ntarget: tgt\n');

    const workers = [0, 1, 2].map(() => spawnFerry(data, ['worker'], { FERRY_STORE: store }));
    try {
      const joined = await waitForWorkers<WorkerView>(data, { FERRY_STORE: store }, workers);
      expect(joined.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());

      const result = await ferry(data, ['--store', store, 'run', plan, '--workers', '--json']);
      const run = json<RunRecord>(result);
      expect(run.status, result.stderr.slice(-3000)).toBe('FINISHED');
      expect(run.summary!.verify?.discrepancyCount).toBe(0);
      expect(run.summary!.totals.failed).toBe(0);
      expect(run.summary!.totals.created).toBeGreaterThan(150);
      expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);

      // Counters reach the registry as the workers write them, a moment after the run's items are done.
      let after = json<WorkerView[]>(await ferry(data, ['workers', '--json'], { FERRY_STORE: store }));
      for (let i = 0; i < 30 && after.reduce((a, w) => a + w.itemsDone, 0) < run.summary!.totals.created; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        after = json<WorkerView[]>(await ferry(data, ['workers', '--json'], { FERRY_STORE: store }));
      }
      const done = after.map((w) => w.itemsDone);
      expect(done.reduce((a, b) => a + b, 0)).toBeGreaterThan(150);
      expect(done.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
    }
    for (const w of workers) expect((await w.done).code).toBe(0);
    const left = json<WorkerView[]>(await ferry(data, ['workers', '--json'], { FERRY_STORE: store }));
    expect(left).toEqual([]);
  });

  it('kill -9 of a random worker every second or so during the run (restarted each time): FINISHED, verify equal, nothing twice on the target', async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const store = await server.createDatabase('wiki_kills');
    const tgt = await target(root, 'Kills Target');
    wikis.push(tgt);
    const data = join(root, 'data-kills');
    const env = { FERRY_STORE: store, FERRY_WORKER_LEASE_SECONDS: '3' };
    for (const [name, wiki] of [['src', source], ['tgt', tgt]] as const) {
      const added = await ferry(data, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', 'FERRY_TEST_PW'], { ...env, FERRY_TEST_PW: wiki.botPassword });
      expect(added.code, added.stderr).toBe(0);
    }
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    const plan = writePlan(root, 'kills-move', 'name: e2e-kills-move\nsource: src\ntarget: tgt\n');
    const workers = [0, 1, 2].map(() => spawnFerry(data, ['worker'], env));
    let kills = 0;
    let running = true;
    try {
      const started = spawnFerry(data, ['run', plan, '--workers', '--json'], env);
      const killer = (async () => {
        await new Promise((r) => setTimeout(r, 3000));
        while (running && kills < 20) {
          const i = Math.floor(Math.random() * workers.length);
          workers[i]!.child.kill('SIGKILL');
          kills++;
          workers[i] = spawnFerry(data, ['worker'], env);
          await new Promise((r) => setTimeout(r, 800 + Math.random() * 800));
        }
      })();
      const result = await started.done;
      running = false;
      await killer;
      const run = json<RunRecord>(result);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(run.status, result.stderr.slice(-3000)).toBe('FINISHED');
      expect(run.summary!.verify?.discrepancyCount).toBe(0);
      expect(run.summary!.totals.failed).toBe(0);
      expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);
      console.log(`worker kills during the MediaWiki run: ${kills}; totals ${JSON.stringify(run.summary!.totals)}`);
    } finally {
      running = false;
      for (const w of workers) w.child.kill('SIGTERM');
    }
  });

  it('without a PostgreSQL store, ferry worker and ferry run --workers say what is needed', async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const data = join(root, 'data-sqlite');
    const worker = await ferry(data, ['worker'], { FERRY_STORE: '' });
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain('`ferry worker` needs the store on PostgreSQL');
    expect(worker.stderr).toContain('hint: give --store postgres://');
    expect(worker.stderr).not.toContain('    at ');
  });
});
