import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { setUpAdmin } from './dashboard-setup-steps.js';
import { ferry, spawnFerry, type CliResult } from './cli.js';
import { pgWikis } from './pg-wikis.js';
import { expectSourceOnTarget, TOOLS } from './small-wiki.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { target } from './wikis.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import type { ChildProcess } from 'node:child_process';

interface RunView {
  id: number;
  status: string;
  summary: { totals: { created: number; failed: number }; verify?: { discrepancyCount: number } } | null;
  workers: { queued: number; active: number; waiting: boolean; command: string } | null;
}

/**
 * Issue 10 in the dashboard: `ferry serve --workers` (FERRY_WORKERS=1) on a
 * PostgreSQL store, a MediaWiki -> MediaWiki run started from the dashboard
 * with no worker yet (its page says to start one), then two `ferry worker`
 * processes joined: the Workers page lists both, host, pid, batch and
 * heartbeat, while they write; the run finishes with verify equal.
 */
describe('the Workers page in Chromium: a dashboard run written by two ferry worker processes', () => {
  const f = pgWikis('e2e-dash-workers', 'Dash Workers Source');
  let store: string;
  let data: string;
  let tgt: WikiInstance;
  let before: WikiSnapshot;
  let served: ServedFerry;
  let browser: Browser;
  let ui: Page;
  let csrf = '';
  const workers: Array<{ child: ChildProcess; done: Promise<CliResult> }> = [];

  const api = async <T,>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await ui.request.fetch(`${served.url}${path}`, { method, headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, ...(body !== undefined ? { data: JSON.stringify(body) } : {}) });
    if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    store = await f.server.createDatabase('dash_workers');
    tgt = await target(f.root, 'Dash Workers Target');
    f.wikis.push(tgt);
    data = join(f.root, 'data');
    for (const [name, wiki] of [['src', f.source], ['tgt', tgt]] as const) {
      const added = await ferry(data, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', 'FERRY_TEST_PW'], { FERRY_TEST_PW: wiki.botPassword, FERRY_STORE: store });
      expect(added.code, added.stderr).toBe(0);
    }
    before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    served = await serveFerry(data, { FERRY_STORE: store, FERRY_WORKERS: '1' });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.done));
    await served?.stop();
  });

  it('the run started from the dashboard waits for workers and says how to start one; two workers join, the Workers page shows them at work, verify equal', async () => {
    expect(served.output()).toMatch(/Runs started here hand their batches to the workers on postgres:\/\/[^\s]*\*\*\*@/);
    ui = await newPage(browser);
    await setUpAdmin(ui, served.url, served.setupToken!, 'correct-horse-battery');
    csrf = (await api<{ csrf: string }>('GET', '/api/session')).csrf;
    await api('POST', '/api/migrations', { yaml: 'name: farm\nsource: src\ntarget: tgt\n' });

    // Run from the migration page, as a person would: no worker has joined yet.
    await ui.getByRole('link', { name: 'farm', exact: true }).click();
    await ui.getByRole('heading', { name: 'Migration farm' }).waitFor();
    await ui.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = ui.getByRole('dialog', { name: 'Run migration "farm"' });
    await dialog.getByRole('heading', { name: 'Pre-migration checks' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => dialog.getByRole('button', { name: 'Confirm and run' }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await dialog.waitFor({ state: 'hidden' });
    let runId = 0;
    await expect.poll(async () => (runId = (await api<{ runs: Array<{ id: number }> }>('GET', '/api/migrations/farm')).runs[0]?.id ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);

    // The run page says it waits for workers and which command adds one (the password hidden).
    await ui.goto(`${served.url}/runs/${runId}`);
    await ui.getByRole('heading', { name: `Run ${runId} of farm` }).waitFor();
    const waiting = ui.locator('#workers-waiting');
    await waiting.waitFor({ timeout: 120_000 });
    await expect(waiting.textContent()).resolves.toMatch(/^Waiting for workers: start ferry worker --store postgres:\/\/\S*:\*\*\*@127\.0\.0\.1:\d+\/dash_workers \(with the same secret\.key/);
    expect(await waiting.textContent()).not.toContain(new URL(store).password);
    const view = await api<RunView>('GET', `/api/runs/${runId}`);
    expect(view.status).toBe('RUNNING');
    expect(view.workers).toMatchObject({ waiting: true, active: 0 });
    expect(view.workers!.queued).toBeGreaterThan(0);
    await checkPage(ui, 'workers-run-waiting');

    // Two workers join, one chunk (up to 100 items) each at a time: the pages step has two chunks, one for each.
    for (let i = 0; i < 2; i++) workers.push(spawnFerry(data, ['worker', '--chunks', '1'], { FERRY_STORE: store }));
    const pids = workers.map((w) => w.child.pid!);
    for (const w of workers) void w.done.then((r) => r.code !== 0 && console.error(`worker ${w.child.pid} exited ${r.code}: ${r.stderr.slice(-2000)}`));
    await waiting.getByRole('link', { name: 'Workers' }).click();
    await ui.getByRole('heading', { name: 'Workers' }).waitFor();
    const rows = ui.locator('table tbody tr');
    // Every 3 s the page asks again: both workers listed, each with its host, pid and a heartbeat; a batch while it writes.
    const busy = new Set<number>();
    let shot = false;
    let both = false;
    const deadline = Date.now() + 150_000;
    for (;;) {
      // Each row's cells, and last the link of its batch (to the run it belongs to).
      const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...[...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''), tr.querySelector('td a')?.getAttribute('href') ?? '']));
      const listed = cells.filter((c) => pids.includes(Number(c[1])));
      let busyNow = 0;
      for (const c of listed) {
        expect(c[0]!.length).toBeGreaterThan(0);
        expect(c[5]).toMatch(/^\d+ s ago$/);
        if (c[2] === 'busy' && new RegExp(`^run ${runId} step \\d+ \\w+: .+`).test(c[3]!)) {
          expect(c[7]).toBe(`/runs/${runId}`);
          busy.add(Number(c[1]));
          busyNow++;
        }
      }
      // The screenshot shows one busy worker at least; taken again the first time both are busy at once.
      if (listed.length === 2 && ((busy.size >= 1 && !shot) || (busyNow === 2 && !both))) {
        await checkPage(ui, 'workers-busy');
        shot = true;
        both = busyNow === 2;
      }
      const run = await api<RunView>('GET', `/api/runs/${runId}`);
      if ((busy.size === 2 && both) || run.status !== 'RUNNING') break;
      if (Date.now() > deadline) throw new Error(`the Workers page did not show both workers at work: ${JSON.stringify(cells)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(shot).toBe(true);
    expect([...busy].sort()).toEqual([...pids].sort());

    // The run finishes through the workers, verify equal; its page no longer waits.
    let run: RunView | undefined;
    await expect.poll(async () => (run = await api<RunView>('GET', `/api/runs/${runId}`)).status, { timeout: 150_000, interval: 1000 }).not.toBe('RUNNING');
    expect(run!.status).toBe('FINISHED');
    expect(run!.summary!.verify?.discrepancyCount).toBe(0);
    expect(run!.summary!.totals.failed).toBe(0);
    expect(run!.summary!.totals.created).toBeGreaterThan(150);
    expect(run!.workers).toMatchObject({ waiting: false, queued: 0, active: 0 });
    expectSourceOnTarget(f.sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);
    await ui.goto(`${served.url}/runs/${runId}`);
    await ui.getByRole('heading', { name: `Run ${runId} of farm` }).waitFor();
    await expect(ui.locator('#workers-waiting').count()).resolves.toBe(0);

    // The workers leave cleanly and the registry forgets them.
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect((await w.done).code).toBe(0);
    const left = await api<{ store: string; workers: unknown[] }>('GET', '/api/workers');
    expect(left).toEqual({ store: 'postgres', workers: [] });
  });
});
