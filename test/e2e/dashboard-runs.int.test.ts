import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedPage } from '../../src/generator/content-types.js';
import { fillWiki } from '../../src/generator/fill-wiki.js';
import { encodePng } from '../../src/generator/png.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { checkPage, launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { setUpAdmin } from './dashboard-setup-steps.js';
import { spawnFerry } from './cli.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { addConnection, scratch, target } from './wikis.js';

/** A PNG of noise: it does not compress, so its size is about side * side * 3 bytes. */
function noisePng(side: number): Buffer {
  const noise = randomBytes(side * side * 3);
  return encodePng({ width: side, height: side, pixel: (x, y) => {
    const at = (y * side + x) * 3;
    return [noise[at]!, noise[at + 1]!, noise[at + 2]!];
  } });
}

function page(title: string, i: number): GeneratedPage {
  const at = (m: number) => new Date(Date.UTC(2024, 0, 1, 0, i, m)).toISOString().replace('.000', '');
  return {
    title,
    namespace: 0,
    revisions: [
      { text: `First words of ${title}.`, user: 'Uploader', timestamp: at(0), comment: 'start', minor: false },
      { text: `First words of ${title}.\n\nMore, later.`, user: 'Uploader', timestamp: at(1), comment: 'more', minor: false },
    ],
  };
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

interface Item { type: string; sourceId: string; label: string; status: string }

describe('the migrations and runs pages in Chromium, against two real wikis', () => {
  let root: string;
  let dataDir: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let served: ServedFerry;
  let browser: Browser;
  let ui: Page;
  let csrf = '';
  const runIds: Record<string, number> = {};

  const api = async <T,>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await ui.request.fetch(`${served.url}${path}`, { method, headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, ...(body !== undefined ? { data: JSON.stringify(body) } : {}) });
    if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const badgeIn = (scope: Page, selector: string) => scope.locator(`${selector} .badge`).first();
  const waitText = async (locator: ReturnType<Page['locator']>, text: RegExp, timeout = 120_000) => {
    await expect.poll(async () => (await locator.textContent({ timeout: 5_000 }).catch(() => '')) ?? '', { timeout, interval: 200 }).toMatch(text);
  };

  beforeAll(async () => {
    root = scratch('e2e-dash-runs');
    dataDir = join(root, 'data');
    [source, tgt] = await Promise.all([target(root, 'Runs Source'), target(root, 'Runs Target', { maxUploadBytes: 50_000 })]);
    await fillWiki(source, {
      users: [{ name: 'Uploader', groups: [] }],
      // Six notes for the first runs; the bulk pages make a run long enough to stop and to watch.
      pages: [...Array.from({ length: 6 }, (_, i) => page(`Note ${i + 1}`, i)), ...Array.from({ length: 100 }, (_, i) => page(`Bulk ${String(i + 1).padStart(3, '0')}`, 10 + i))],
      files: [
        { name: 'Small noise.png', bytes: noisePng(24), mime: 'image/png', description: 'A small picture.', user: 'Uploader', olderVersions: [] },
        { name: 'Big noise.png', bytes: noisePng(200), mime: 'image/png', description: 'A big picture.', user: 'Uploader', olderVersions: [] },
      ],
    });
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
    served = await serveFerry(dataDir);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('signs in with the setup token; a saved migration shows its configuration and planned steps', async () => {
    ui = await newPage(browser);
    await setUpAdmin(ui, served.url, served.setupToken!, 'correct-horse-battery');
    csrf = (await api<{ csrf: string }>('GET', '/api/session')).csrf;
    await api('POST', '/api/migrations', { yaml: 'name: wiki\nsource: src\ntarget: tgt\nexclude:\n  - type: page\n    pattern: "Bulk*"\n' });
    // Small batches, one at a time: pages are read 20 to a request now, and with the default batches the
    // last pages could all be in flight by the time the test presses Stop (no READY item left to cancel).
    await api('POST', '/api/migrations', { yaml: 'name: slow\nsource: src\ntarget: tgt\noptions:\n  concurrency: 1\n  batchSize: 4\n  verify: false\n' });

    // The list updates by itself (GET /api/stream): both rows, never run.
    await ui.getByRole('link', { name: 'slow', exact: true }).waitFor();
    await expect.poll(() => ui.locator('tbody tr').count()).toBe(2);
    await expect(badgeIn(ui, 'tbody tr:has-text("wiki")').textContent()).resolves.toBe('SAVED');
    await ui.getByRole('searchbox', { name: 'Search by name' }).fill('wik');
    await expect.poll(() => ui.locator('tbody tr').count()).toBe(1);
    await ui.getByRole('searchbox', { name: 'Search by name' }).fill('');
    // The actions menu by keyboard: arrows open it and move, Escape closes it and gives focus back.
    const actions = ui.getByRole('button', { name: 'Actions for wiki' });
    await actions.focus();
    await ui.keyboard.press('ArrowDown');
    const focused = () => ui.evaluate(() => document.activeElement?.textContent ?? '');
    await expect.poll(focused).toBe('Migration steps');
    await ui.keyboard.press('End');
    await expect.poll(focused).toBe('Archive');
    await ui.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('Migration steps');
    await expect(ui.getByRole('menuitem', { name: 'Open log file' }).getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(ui.getByRole('menuitem', { name: 'Open log file' }).getAttribute('title')).resolves.toMatch(/never run/);
    await checkPage(ui, 'runs-migrations-menu');
    await ui.keyboard.press('Escape');
    await expect.poll(() => ui.getByRole('menu').count()).toBe(0);
    await expect.poll(() => actions.evaluate((el) => el === document.activeElement)).toBe(true);

    await ui.getByRole('link', { name: 'wiki', exact: true }).click();
    await ui.getByRole('heading', { name: 'Migration wiki' }).waitFor();
    await ui.getByText('Never run: every step starts as Pending.').waitFor();
    // The planned steps (from POST /api/migrations/{name}/prechecks), each Pending.
    await ui.locator('tr[data-step="Files"]').waitFor({ timeout: 60_000 });
    for (const step of ['Users', 'Pages', 'Files']) await expect(badgeIn(ui, `tr[data-step="${step}"]`).textContent()).resolves.toBe('Pending');
    await expect(ui.locator('.facts').textContent()).resolves.toMatch(/Sourcesrc.*Targettgt.*1 exclude.*skip/);
    await checkPage(ui, 'runs-migration-never-run');
  });

  it('runs from the UI after the confirmation, and the steps turn Success live', async () => {
    await ui.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = ui.getByRole('dialog', { name: 'Run migration "wiki"' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toMatch(/deletes nothing on the target/);
    // Reset: what will be deleted, and the target's name typed again.
    await dialog.getByLabel(/Reset the target first/).check();
    await expect(dialog.textContent()).resolves.toMatch(/Delete ALL existing data on the target tgt/);
    await dialog.getByRole('heading', { name: 'Pre-migration checks' }).waitFor({ timeout: 60_000 });
    await expect(dialog.getByRole('button', { name: 'Confirm and run' }).isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type the target's name/).fill('tgt');
    await expect.poll(() => dialog.getByRole('button', { name: 'Confirm and run' }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await checkPage(ui, 'runs-run-dialog-reset');
    await dialog.getByLabel(/Reset the target first/).uncheck();
    await dialog.getByRole('heading', { name: 'Pre-migration checks' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => dialog.getByRole('button', { name: 'Confirm and run' }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // No reload from here: the panel follows GET /api/runs/{id}/stream.
    await waitText(badgeIn(ui, 'tr[data-step="Users"]'), /^Success$/);
    await waitText(badgeIn(ui, 'tr[data-step="Pages"]'), /^Success$/);
    await waitText(ui.locator('#steps .toolbar'), /INCOMPLETE/);
    await expect(badgeIn(ui, 'tr[data-step="Files"]').textContent()).resolves.toMatch(/Success|Error/);
    await expect.poll(() => ui.locator('#history-title + table tbody tr').count()).toBe(1);
    await checkPage(ui, 'runs-migration-after-run');
    const runs = await api<{ runs: Array<{ id: number; status: string }> }>('GET', '/api/migrations/wiki');
    expect(runs.runs.map((r) => r.status)).toEqual(['INCOMPLETE']);
    runIds.first = runs.runs[0]!.id;
  });

  it('shows the details: progress per type, items, verify report, log and CSV that matches the items', async () => {
    await ui.getByRole('link', { name: `Run ${runIds.first}`, exact: true }).click();
    await ui.getByRole('heading', { name: `Run ${runIds.first} of wiki` }).waitFor();
    // Every page was read (done = total); the 100 bulk pages were left out by the plan's filter.
    await expect(ui.locator('tr[data-type="page"] .progress-text').textContent()).resolves.toMatch(/^(\d+) \/ \1$/);
    await expect(ui.locator('tr[data-type="page"] td').nth(3).textContent()).resolves.toBe('100');
    await expect(ui.locator('tr[data-type="file"] td').nth(2).textContent()).resolves.toBe('1');
    await expect(ui.locator('#verify-title + *').textContent()).resolves.toMatch(/discrepanc|Every migrated item/);
    await expect(ui.locator('#verify-title ~ table').first().textContent()).resolves.toMatch(/Pages/);
    await waitText(ui.locator('pre.log'), /migration "wiki", run \d+ \(fresh\)/, 30_000);
    await checkPage(ui, 'runs-details');

    const items = (await api<{ items: Item[] }>('GET', `/api/runs/${runIds.first}/items?limit=5000`)).items;
    const download = ui.waitForEvent('download');
    await ui.getByRole('link', { name: 'Download items (CSV)' }).click();
    const csvFile = await (await download).path();
    const [header, ...rows] = parseCsv(readFileSync(csvFile!, 'utf8'));
    expect(header!.slice(0, 5)).toEqual(['type', 'source_id', 'key', 'label', 'status']);
    expect(rows.map((r) => [r[0], r[1], r[3], r[4]]).sort()).toEqual(items.map((i) => [i.type, i.sourceId, i.label, i.status]).sort());
    expect(rows.filter((r) => r[0] === 'file').map((r) => [r[3], r[4]]).sort()).toEqual([['File:Big noise.png', 'FAILED'], ['File:Small noise.png', 'COMPLETE']]);
    expect(rows.filter((r) => r[0] === 'page' && r[3]!.startsWith('Note ')).map((r) => r[4])).toEqual(Array(6).fill('COMPLETE'));
    expect(rows.filter((r) => r[0] === 'page' && r[3]!.startsWith('Bulk ')).map((r) => r[4])).toEqual(Array(100).fill('SKIPPED'));

    // The item table, filtered by status.
    await ui.getByLabel('Status', { exact: true }).selectOption('FAILED');
    await expect.poll(() => ui.locator('table.items tbody tr').count()).toBe(1);
    await expect(ui.locator('table.items tbody tr').textContent()).resolves.toMatch(/File:Big noise\.png.*upload limit/);
    await ui.getByText(/can be re-run until/).waitFor();
  });

  it('ticks off a post-migration action, and it stays ticked after a reload', async () => {
    const action = ui.locator('ul.checklist label', { hasText: 'Big noise.png' }).getByRole('checkbox');
    await expect(action.isChecked()).resolves.toBe(false);
    await action.check();
    await waitText(ui.locator('ul.checklist li', { hasText: 'Big noise.png' }), /done by admin/, 10_000);
    await ui.reload();
    await ui.getByRole('heading', { name: 'Post-migration actions' }).waitFor();
    await expect(ui.locator('ul.checklist label', { hasText: 'Big noise.png' }).getByRole('checkbox').isChecked()).resolves.toBe(true);
    await checkPage(ui, 'runs-details-action-ticked');
  });

  it('re-runs the failed item once the target allows it, then undoes the re-run\'s Files step and the first run\'s', async () => {
    await tgt.setSettings(`$wgMaxUploadSize = ${5 * 1024 * 1024};`);
    await ui.getByLabel('Status', { exact: true }).selectOption('FAILED');
    await ui.getByRole('checkbox', { name: 'Choose File:Big noise.png' }).check();
    await ui.getByRole('button', { name: 'Re-run chosen (1)' }).click();
    await ui.getByRole('heading', { name: /^Re-run \d+ of wiki$/ }).waitFor();
    runIds.rerun = Number(/\/runs\/(\d+)/.exec(ui.url())![1]);
    await waitText(ui.locator('.card .badge').first(), /^FINISHED$/);
    const items = (await api<{ items: Item[] }>('GET', `/api/runs/${runIds.rerun}/items`)).items;
    expect(items.map((i) => [i.label, i.status])).toEqual([['File:Big noise.png', 'COMPLETE']]);
    expect((await snapshotWiki(tgt.apiUrl, { tools: [] })).files.has('Big_noise.png')).toBe(true);
    await checkPage(ui, 'runs-rerun-details');

    // Undo one step: the re-run's Files removes the file the re-run created, and only that one.
    const undoFiles = async (runId: number) => {
      await ui.goto(`${served.url}/runs/${runId}`);
      await ui.getByRole('button', { name: 'Undo Files' }).click();
      await ui.getByRole('heading', { name: /^Undo \d+ of wiki$/ }).waitFor();
      await waitText(ui.locator('.card .badge').first(), /^FINISHED$/);
      const undoId = Number(/\/runs\/(\d+)/.exec(ui.url())![1]);
      return (await api<{ items: Array<Item & { outcome: string }> }>('GET', `/api/runs/${undoId}/items`)).items.map((i) => [i.type, i.label, i.outcome]).sort();
    };
    expect(await undoFiles(runIds.rerun!)).toEqual([['file', 'File:Big noise.png', 'removed']]);
    const between = await snapshotWiki(tgt.apiUrl, { tools: [] });
    expect([between.files.has('Big_noise.png'), between.files.has('Small_noise.png')]).toEqual([false, true]);
    // Then the first run's Files: what it created itself.
    expect(await undoFiles(runIds.first!)).toEqual([['file', 'File:Small noise.png', 'removed']]);
    const after = await snapshotWiki(tgt.apiUrl, { tools: [] });
    expect([after.files.has('Big_noise.png'), after.files.has('Small_noise.png')]).toEqual([false, false]);
    expect(after.pages.has('0:Note 1')).toBe(true);
    await checkPage(ui, 'runs-undo-details');
  });

  it('follows a run live in its details (ETA, log lines), stops it there and shows STOPPED, cancels an item, undoes the run', async () => {
    await ui.goto(`${served.url}/migrations/slow`);
    await ui.getByRole('heading', { name: 'Migration slow' }).waitFor();
    await ui.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = ui.getByRole('dialog', { name: 'Run migration "slow"' });
    await expect.poll(() => dialog.getByRole('button', { name: 'Confirm and run' }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await waitText(badgeIn(ui, 'tr[data-step="Pages"]'), /^Running$/);
    // Past the six notes (already there), so the run has created some bulk pages when it stops.
    await expect.poll(async () => Number(/^(\d+) \//.exec((await ui.locator('tr[data-step="Pages"] .progress-text').textContent()) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(12);
    await checkPage(ui, 'runs-migration-running');
    // Its details, live: progress with an ETA and the latest log lines; Stop from there.
    await ui.locator('#steps .toolbar').getByRole('link', { name: /^run \d+$/ }).click();
    await ui.getByRole('heading', { name: /^Run \d+ of slow$/ }).waitFor();
    await ui.getByRole('heading', { name: 'Latest log lines (live)' }).waitFor({ timeout: 30_000 });
    await waitText(ui.locator('tr[data-type="page"] .progress-text'), /^\d+ \/ \d+ · about .* left$/, 30_000);
    await checkPage(ui, 'runs-details-running');
    await ui.getByRole('button', { name: 'Stop' }).click();
    await waitText(ui.locator('.card .badge').first(), /^STOPPED$/);
    await ui.locator('.crumbs').getByRole('link', { name: 'slow' }).click();
    await waitText(ui.locator('#steps .toolbar'), /STOPPED/);
    const slow = await api<{ runs: Array<{ id: number; status: string }> }>('GET', '/api/migrations/slow');
    expect(slow.runs[0]!.status).toBe('STOPPED');
    const stoppedItems = (await api<{ items: Array<Item & { outcome: string | null }> }>('GET', `/api/runs/${slow.runs[0]!.id}/items?limit=5000`)).items;
    const createdPages = stoppedItems.filter((i) => i.type === 'page' && i.outcome === 'created').map((i) => i.label);
    expect(createdPages.length).toBeGreaterThan(0);
    expect(stoppedItems.some((i) => i.status === 'READY')).toBe(true);
    await checkPage(ui, 'runs-migration-stopped');

    // Undo of the whole stopped run, from its details: the pages it created leave the target.
    await ui.getByRole('link', { name: `run ${slow.runs[0]!.id}`, exact: true }).click();
    // Cancel one chosen READY item of the stopped run.
    await ui.getByLabel('Status', { exact: true }).selectOption('READY');
    const firstReady = ui.locator('table.items tbody tr').first();
    await waitText(firstReady.locator('.badge'), /^READY$/, 10_000);
    const readyLabel = (await firstReady.locator('td').nth(1).textContent())!;
    await firstReady.getByRole('checkbox').check();
    await ui.getByRole('button', { name: 'Cancel chosen READY items (1)' }).click();
    await waitText(ui.getByRole('status').filter({ hasText: 'Cancelled' }), /Cancelled 1 item\(s\)/, 10_000);
    const cancelled = (await api<{ items: Item[] }>('GET', `/api/runs/${slow.runs[0]!.id}/items?status=CANCELLED`)).items;
    expect(cancelled.map((i) => i.label)).toEqual([readyLabel]);
    await checkPage(ui, 'runs-stopped-cancelled-item');
    await ui.getByRole('button', { name: 'Undo this run' }).click();
    await ui.getByRole('heading', { name: /^Undo \d+ of slow$/ }).waitFor();
    await waitText(ui.locator('.card .badge').first(), /^FINISHED$/);
    const left = await snapshotWiki(tgt.apiUrl, { tools: [] });
    expect(createdPages.filter((title) => left.pages.has(`0:${title}`))).toEqual([]);
    expect(left.pages.has('0:Note 1')).toBe(true);
    await ui.getByRole('link', { name: 'slow', exact: true }).click();
    await ui.getByRole('heading', { name: 'Migration slow' }).waitFor();
  });

  it('a run started with the CLI in another process shows in the open dashboard and updates live', async () => {
    // Two pages open, neither reloaded: the list, and the migration's own page.
    const list = await newPage(browser);
    await list.context().addCookies(await ui.context().cookies());
    await list.goto(served.url);
    await list.getByRole('link', { name: 'slow', exact: true }).waitFor();
    await expect(badgeIn(list, 'tbody tr:has-text("slow")').textContent()).resolves.toBe('STOPPED');
    const before = (await api<{ runs: unknown[] }>('GET', '/api/migrations/slow')).runs.length;

    const cli = spawnFerry(dataDir, ['run', 'slow']);
    await waitText(badgeIn(list, 'tbody tr:has-text("slow")'), /^RUNNING$/, 60_000);
    await waitText(ui.locator('#steps .toolbar'), /RUNNING/, 30_000);
    await checkPage(list, 'runs-migrations-cli-running');
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    await waitText(badgeIn(list, 'tbody tr:has-text("slow")'), /^FINISHED$/, 30_000);
    await waitText(ui.locator('#steps .toolbar'), /FINISHED/, 30_000);
    await waitText(badgeIn(ui, 'tr[data-step="Pages"]'), /^Success$/, 30_000);
    await expect.poll(() => ui.locator('#history-title + table tbody tr').count()).toBe(before + 1);
    await list.close();
  });

  it('undoes one job of a run: the first run\'s Content job removes the pages it created', async () => {
    await ui.goto(`${served.url}/runs/${runIds.first}`);
    await ui.getByRole('button', { name: 'Undo job Content' }).click();
    await ui.getByRole('heading', { name: /^Undo \d+ of wiki$/ }).waitFor();
    await waitText(ui.locator('.card .badge').first(), /^FINISHED$/);
    const undoId = Number(/\/runs\/(\d+)/.exec(ui.url())![1]);
    const undone = (await api<{ items: Array<Item & { outcome: string }> }>('GET', `/api/runs/${undoId}/items?limit=500`)).items;
    // The notes and the two file description pages (pages in the File namespace) were the pages run 1 created.
    expect(undone.filter((i) => i.outcome === 'removed').map((i) => i.label).sort()).toEqual(['File:Big noise.png', 'File:Small noise.png', 'Note 1', 'Note 2', 'Note 3', 'Note 4', 'Note 5', 'Note 6']);
    expect(undone.every((i) => i.type === 'page')).toBe(true);
    const after = await snapshotWiki(tgt.apiUrl, { tools: [] });
    expect([1, 2, 3, 4, 5, 6].filter((n) => after.pages.has(`0:Note ${n}`))).toEqual([]);
    expect(after.pages.has('0:Bulk 050')).toBe(true);
    await checkPage(ui, 'runs-undo-job');
  });

  it('archives, finds it in the archived view, copies and deletes from the actions menu', async () => {
    await ui.goto(served.url);
    await ui.getByRole('link', { name: 'wiki', exact: true }).waitFor();
    // Open log file: the last run's log, in its details.
    await ui.getByRole('button', { name: 'Actions for slow' }).click();
    await ui.getByRole('menuitem', { name: 'Open log file' }).click();
    await ui.getByRole('heading', { name: /^Run \d+ of slow$/ }).waitFor();
    await waitText(ui.locator('pre.log'), /migration "slow"/, 30_000);
    await ui.goto(served.url);

    await ui.getByRole('button', { name: 'Actions for wiki' }).click();
    await ui.getByRole('menuitem', { name: 'Copy' }).click();
    const copy = ui.getByRole('dialog', { name: 'Copy "wiki"' });
    await copy.getByLabel('Name of the copy').fill('wiki-two');
    await checkPage(ui, 'runs-copy-dialog');
    await copy.getByRole('button', { name: 'Copy', exact: true }).click();
    await ui.getByRole('link', { name: 'wiki-two', exact: true }).waitFor();
    await expect(badgeIn(ui, 'tbody tr:has-text("wiki-two")').textContent()).resolves.toBe('SAVED');

    await ui.getByRole('button', { name: 'Actions for wiki-two' }).click();
    await ui.getByRole('menuitem', { name: 'Delete' }).click();
    const del = ui.getByRole('dialog', { name: 'Delete "wiki-two"?' });
    await expect(del.textContent()).resolves.toMatch(/removes the migration with all its runs/);
    await checkPage(ui, 'runs-delete-dialog');
    await del.getByRole('button', { name: 'Delete wiki-two' }).click();
    await expect.poll(() => ui.getByRole('link', { name: 'wiki-two', exact: true }).count()).toBe(0);

    await ui.getByRole('button', { name: 'Actions for wiki' }).click();
    await ui.getByRole('menuitem', { name: 'Archive' }).click();
    await expect.poll(() => ui.getByRole('link', { name: 'wiki', exact: true }).count()).toBe(0);
    await ui.getByRole('button', { name: 'Show archived' }).click();
    await ui.getByRole('heading', { name: 'Archived migrations' }).waitFor();
    await ui.getByRole('link', { name: 'wiki', exact: true }).waitFor();
    await checkPage(ui, 'runs-migrations-archived');
    const names = (await api<Array<{ name: string }>>('GET', '/api/migrations')).map((m) => m.name);
    expect(names).toEqual(['slow']);

    // A log file gone from disk: Open log file warns instead of opening it.
    const [archived] = await api<Array<{ lastRunId: number }>>('GET', '/api/migrations?archived=true');
    rmSync((await api<{ logFile: string }>('GET', `/api/runs/${archived!.lastRunId}`)).logFile);
    await ui.getByRole('button', { name: 'Actions for wiki' }).click();
    await ui.getByRole('menuitem', { name: 'Open log file' }).click();
    await waitText(ui.locator('.warning[role="alert"]'), /gone from disk/, 10_000);
    await checkPage(ui, 'runs-migrations-log-gone');
  });

  it('a viewer sees the pages but not the buttons their role cannot use', async () => {
    await api('POST', '/api/users', { name: 'vera', password: 'a long viewer password', role: 'viewer' });
    const viewer = await newPage(browser);
    await viewer.goto(served.url);
    await viewer.getByLabel('User name').fill('vera');
    await viewer.getByLabel(/^Password/).fill('a long viewer password');
    await viewer.getByRole('button', { name: /Sign in/ }).click();
    await viewer.getByRole('button', { name: 'Actions for slow' }).click();
    for (const item of ['Run', 'Copy', 'Delete', 'Archive']) await expect(viewer.getByRole('menuitem', { name: item, exact: true }).getAttribute('aria-disabled')).resolves.toBe('true');
    await viewer.keyboard.press('Escape');
    await viewer.getByRole('link', { name: 'slow', exact: true }).click();
    await viewer.getByRole('heading', { name: 'Migration slow' }).waitFor();
    await expect(viewer.getByRole('button', { name: 'Run', exact: true }).isDisabled()).resolves.toBe(true);
    await expect(viewer.getByRole('button', { name: 'Run', exact: true }).getAttribute('title')).resolves.toBe('Needs the operator role');
    await checkPage(viewer, 'runs-migration-viewer');
    await viewer.close();
  });
});
