import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, json, spawnFerry } from './cli.js';
import { pgWikis } from './pg-wikis.js';
import { expectSourceOnTarget, TOOLS } from './small-wiki.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { target, writePlan } from './wikis.js';

const KILLS = 3;

/** Rows of a store table, read straight from PostgreSQL (not through Ferry). */
async function count(url: string, query: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(query)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

/**
 * Issue 10, the store half: a MediaWiki -> MediaWiki migration through the
 * real CLI with its store on PostgreSQL (`--store` and FERRY_STORE), the
 * target verified equal, the runs visible from any data folder given the
 * same store; and a run killed with SIGKILL and resumed on PostgreSQL.
 */
describe('MediaWiki -> MediaWiki with the store on PostgreSQL', () => {
  const f = pgWikis('e2e-pg-store', 'PG Source');

  /** `connection add` through the CLI, the store from FERRY_STORE. */
  async function addConnection(data: string, store: string, name: string, wiki: WikiInstance): Promise<void> {
    const result = await ferry(data, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', 'FERRY_TEST_PW'], { FERRY_TEST_PW: wiki.botPassword, FERRY_STORE: store });
    expect(result.code, result.stderr).toBe(0);
  }

  let reference: RunRecord;

  it('migrates and verifies equal; status shows the run from another data folder; nothing of the store is in the data folder', async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const store = await server.createDatabase('wiki_move');
    const tgt = await target(root, 'PG Target');
    wikis.push(tgt);
    const data = join(root, 'data');
    await addConnection(data, store, 'src', source);
    await addConnection(data, store, 'tgt', tgt);
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    const plan = writePlan(root, 'pg-move', 'name: e2e-pg-move\nsource: src\ntarget: tgt\n');

    const result = await ferry(data, ['--store', store, 'run', plan, '--json']);
    const run = json<RunRecord>(result);
    expect(run.status, result.stderr.slice(-3000)).toBe('FINISHED');
    expect(run.summary!.verify?.discrepancyCount).toBe(0);
    expect(run.summary!.totals.failed).toBe(0);
    expect(run.summary!.totals.created).toBeGreaterThan(150);
    reference = run;
    expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);
    const verified = await ferry(data, ['verify', 'e2e-pg-move'], { FERRY_STORE: store });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // The store is PostgreSQL's: the data folder holds the logs and the key, no ferry.sqlite.
    expect(existsSync(join(data, 'ferry.sqlite'))).toBe(false);
    expect(existsSync(join(data, 'secret.key'))).toBe(true);
    const { created, updated, unchanged, adopted } = run.summary!.totals;
    expect(await count(store, `select count(*) as n from items where run_id = ${run.id} and status = 'COMPLETE'`)).toBe(created + updated + unchanged + adopted);
    expect(await count(store, 'select count(*) as n from id_map')).toBeGreaterThanOrEqual(run.summary!.totals.created);

    // Any data folder given the same store sees the same migration and runs (the run, then the verify).
    const elsewhere = join(root, 'data-elsewhere');
    const status = json<{ runs: RunRecord[] }>(await ferry(elsewhere, ['status', 'e2e-pg-move', '--json', '--store', store]));
    expect(status.runs.map((r) => [r.id, r.kind, r.status])).toEqual([[expect.any(Number), 'verify', 'FINISHED'], [run.id, 'run', 'FINISHED']]);
    const listed = await ferry(elsewhere, ['status'], { FERRY_STORE: store });
    expect(listed.stdout).toMatch(/e2e-pg-move\s+src\s+tgt\s+FINISHED/);
    // Without --store the same folder is the embedded SQLite store, empty.
    const local = await ferry(elsewhere, ['status']);
    expect(local.stdout).toContain('No migrations yet');
  }, 600_000);

  it('a wrong password in the URL: a message with the fix, the password never printed, exit 1; --store wins over FERRY_STORE; another scheme is refused', async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const password = new URL(server.url).password;
    const wrong = server.url.replace(password, 'wrong-pass-123');
    const result = await ferry(join(root, 'data-wrong'), ['status'], { FERRY_STORE: wrong });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Cannot open the PostgreSQL store postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/ferry: the password of role "ferry" was refused\nhint: /);
    expect(result.stderr + result.stdout).not.toContain('wrong-pass-123');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // --store wins over FERRY_STORE.
    const chosen = await ferry(join(root, 'data-wrong'), ['--store', server.url, 'status'], { FERRY_STORE: wrong });
    expect(chosen.code, chosen.stderr).toBe(0);
    // A URL of another database is refused before the data folder is made.
    const other = await ferry(join(root, 'data-mysql'), ['status'], { FERRY_STORE: 'mysql://ferry:hunter22@127.0.0.1/ferry' });
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('error: The store mysql://ferry:***@127.0.0.1/ferry is not a PostgreSQL URL\nhint: give --store (or FERRY_STORE) as postgres://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out to keep the store in the data folder\n');
    expect(existsSync(join(root, 'data-mysql'))).toBe(false);
  });

  it(`killed with SIGKILL ${KILLS} times during its pages and resumed: one run, FINISHED, the target equal to the source`, async () => {
    const { root, server, source, sourceSnap, wikis } = f;
    const store = await server.createDatabase('wiki_kill');
    const tgt = await target(root, 'PG Killed Target');
    wikis.push(tgt);
    const data = join(root, 'data-kill');
    await addConnection(data, store, 'src', source);
    await addConnection(data, store, 'tgt', tgt);
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    const plan = writePlan(root, 'pg-kill', 'name: e2e-pg-kill\nsource: src\ntarget: tgt\n');
    let runId: number | undefined;
    for (let kills = 0; kills < KILLS; kills++) {
      const run = spawnFerry(data, ['run', kills === 0 ? plan : 'e2e-pg-kill'], { FERRY_STORE: store });
      let armed = false;
      run.onStderr((stderr) => {
        if (armed || !/^> [^:]+: Pages$/m.test(stderr)) return;
        armed = true;
        setTimeout(() => run.child.exitCode === null && run.child.kill('SIGKILL'), 150 + 100 * kills);
      });
      const result = await run.done;
      expect(result.signal, `run ${kills + 1} ended before its kill:\n${result.stderr.slice(-2000)}`).toBe('SIGKILL');
      const status = json<{ runs: RunRecord[] }>(await ferry(data, ['status', 'e2e-pg-kill', '--json'], { FERRY_STORE: store }));
      runId ??= status.runs[0]!.id;
      expect(status.runs.map((r) => [r.id, r.status])).toEqual([[runId, 'RUNNING']]);
    }
    const final = json<RunRecord>(await ferry(data, ['run', 'e2e-pg-kill', '--json'], { FERRY_STORE: store }));
    expect(final.status).toBe('FINISHED');
    expect(final.id).toBe(runId);
    expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);
    expect(final.summary!.totals).toEqual(reference.summary!.totals);
    expect(final.summary!.verify?.discrepancyCount).toBe(0);
    // Every item once: as many ID map entries as the uninterrupted run's, none left pending.
    expect(await count(store, "select count(*) as n from id_map where state = 'pending'")).toBe(0);
    expect(await count(store, 'select count(*) as n from id_map')).toBe(await count(server.urlFor('wiki_move'), 'select count(*) as n from id_map'));
  }, 600_000);
});
