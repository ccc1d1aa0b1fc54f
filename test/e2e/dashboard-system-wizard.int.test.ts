import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { navigate, setUpAdmin, visit } from './dashboard-setup-steps.js';
import { smallSource } from './small-wiki.js';
import { scratch, target } from './wikis.js';

/**
 * Issue 9's web wizard in Chromium, end to end on real wikis: a small
 * generated MediaWiki copied as a whole onto a fresh one through the local
 * path — every step screenshotted and checked with axe-core, the byte bars
 * reach done, the result shows FINISHED and the login URL, the target serves
 * the source's Main Page; then Undo from the result restores the target.
 */

type Json = Record<string, any>;

async function siteinfo(wiki: WikiInstance): Promise<Json> {
  const response = await fetch(`${wiki.apiUrl}?action=query&meta=siteinfo&format=json&formatversion=2`);
  return ((await response.json()) as Json).query.general as Json;
}

describe('the dashboard system migration wizard', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let served: ServedFerry;
  let browser: Browser;
  let page: Page;
  let secrets: string[];

  beforeAll(async () => {
    root = scratch('e2e-dash-system');
    ({ source } = await smallSource(root, 'System Wizard Source'));
    tgt = await target(root, 'System Wizard Target');
    const secret = /\$wgSecretKey = ["']([0-9a-f]+)["']/.exec(readFileSync(join(source.dir, 'LocalSettings.php'), 'utf8'))?.[1];
    secrets = [source.botPassword, tgt.botPassword, ...(secret ? [secret] : [])];
    served = await serveFerry(join(root, 'data'));
    browser = await launchBrowser();
    page = await newPage(browser);
    await setUpAdmin(page, served.url, served.setupToken!, 'correct-horse-battery');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  const stepIs = async (n: number, name: string) => {
    await page.getByText(`Step ${n} of 7: ${name}`).waitFor({ timeout: 120_000 });
    await expect(page.getByRole('heading', { level: 2 }).first().textContent()).resolves.toBe(name);
  };

  it('copies a whole wiki through the seven steps, then undoes it from the result', async () => {
    await navigate(page, 'System migration', 'System migration');
    await stepIs(1, 'Welcome');
    await page.getByText("The target's data is replaced").waitFor();
    await page.getByText('Ferry snapshots the target before writing to it').waitFor();
    await visit(page, 'system-wizard-1-welcome', secrets);
    await page.getByRole('button', { name: 'Start' }).click();

    await stepIs(2, 'Source');
    await page.getByLabel('Platform').selectOption('mediawiki');
    // A relative config path is refused in words, before any request.
    await page.locator('#system-source-config').fill('LocalSettings.php');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText("The source's config file must be an absolute path").waitFor();
    await page.locator('#system-source-config').fill(join(source.dir, 'LocalSettings.php'));
    await page.getByText('More (source): work folder, code folder, environment').click();
    await page.locator('#system-source-work').fill(join(root, 'source-work'));
    await page.locator('#system-target-config').fill(join(tgt.dir, 'LocalSettings.php'));
    await page.getByText('More (target): work folder, code folder, environment').click();
    await page.locator('#system-target-work').fill(join(root, 'target-work'));
    // The SSH fields are there for another machine.
    await page.getByRole('radio', { name: 'Another machine, over SSH' }).first().check();
    await page.getByLabel('Host key fingerprint').first().waitFor();
    await visit(page, 'system-wizard-2-source-ssh', secrets);
    await page.getByRole('radio', { name: 'This machine (the one running Ferry)' }).first().check();
    await visit(page, 'system-wizard-2-source', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(3, 'Source info');
    const facts = page.getByLabel('Source info', { exact: true });
    await facts.waitFor();
    const text = (await facts.textContent()) ?? '';
    expect(text).toMatch(/PlatformMediaWiki 1\.\d+/);
    expect(text).toMatch(/Databasesqlite/);
    expect(text).toMatch(/Licence keys\$wgSecretKey, \$wgUpgradeKey present \(values not shown\)/);
    expect(text).toMatch(/Server roleStandalone/);
    await page.getByText('The system is a standalone type.').waitFor();
    await visit(page, 'system-wizard-3-source-info', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(4, 'Options');
    await page.getByRole('radio', { name: /Copy the basic settings only/ }).waitFor();
    await page.getByLabel(/Migrate the licence/).check();
    await page.getByLabel('What the source is left in after the copy').selectOption('online');
    await page.getByLabel('Name of this migration').fill('wiki-move');
    await visit(page, 'system-wizard-4-options', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(5, 'Confirmation');
    await page.getByRole('heading', { name: 'Pre-checks' }).waitFor({ timeout: 120_000 });
    const execute = page.getByRole('button', { name: 'Execute' });
    await expect(execute.isDisabled()).resolves.toBe(true);
    await visit(page, 'system-wizard-5-confirmation', secrets);
    // Nothing saved before Execute.
    await expect((await page.request.get(`${served.url}/api/migrations`)).json()).resolves.toEqual([]);
    await page.getByLabel(/Type the target's URL/).fill(tgt.url);
    await expect(execute.isDisabled()).resolves.toBe(false);
    await execute.click();

    await stepIs(6, 'Execution');
    await page.getByRole('progressbar', { name: 'Copies the database progress' }).waitFor({ timeout: 60_000 });
    await visit(page, 'system-wizard-6-execution', secrets);
    await page.getByRole('button', { name: 'See the result' }).waitFor({ timeout: 120_000 });
    await page.getByText('Congratulations! The migration was successfully completed.').waitFor();
    const bars = page.getByRole('progressbar');
    expect(await bars.count()).toBeGreaterThan(3);
    for (let i = 0; i < (await bars.count()); i++) {
      const bar = bars.nth(i);
      expect(await bar.getAttribute('aria-valuenow'), (await bar.getAttribute('aria-label')) ?? '').toBe(await bar.getAttribute('aria-valuemax'));
    }
    await visit(page, 'system-wizard-6-execution-done', secrets);
    await page.getByRole('button', { name: 'See the result' }).click();

    await stepIs(7, 'Result');
    await page.getByText('Setup process was successful!').waitFor({ timeout: 30_000 });
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/FINISHED/);
    const login = page.getByRole('link', { name: /Special:UserLogin/ });
    await expect(login.getAttribute('href')).resolves.toBe(`${tgt.url}/index.php?title=Special:UserLogin`);
    await page.getByRole('heading', { name: 'DNS changes to make' }).waitFor();
    await visit(page, 'system-wizard-7-result', secrets);

    // The target serves the source's Main Page and is named as the source now.
    const main = await fetch(`${tgt.url}/index.php?title=Main_Page`);
    expect(main.status).toBe(200);
    expect(await main.text()).toContain('System Wizard Source');
    expect((await siteinfo(tgt)).sitename).toBe('System Wizard Source');

    await page.getByRole('button', { name: 'Undo this migration' }).click();
    await page.getByText('The target is restored as it was before the migration.').waitFor({ timeout: 120_000 });
    await visit(page, 'system-wizard-7-undone', secrets);
    expect((await siteinfo(tgt)).sitename).toBe('System Wizard Target');
    expect(existsSync(join(tgt.dir, 'FerrySystemSettings.php'))).toBe(false);

    // The migration page and the run page work for a system migration: its configuration, its operations in bytes, no items.
    await page.getByRole('link', { name: 'Open the migration wiki-move' }).click();
    await page.getByRole('heading', { level: 1, name: /Migration wiki-move/ }).waitFor();
    await page.getByText('System migration: the whole installation (database, files, settings)').waitFor();
    await page.getByRole('table').first().waitFor();
    await visit(page, 'system-wizard-8-migration-page', secrets);
    // Run's dialog says what a system run does, and offers no reset (the target is snapshotted instead).
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText("replaces the data of the target").waitFor();
    await expect(page.getByLabel(/Reset the target first/).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    const runs = ((await (await page.request.get(`${served.url}/api/migrations/wiki-move`)).json()) as Json).runs as Json[];
    const copy = runs.find((r) => r.kind === 'run')!;
    expect(copy.status).toBe('FINISHED');
    expect(runs.find((r) => r.kind === 'undo')).toMatchObject({ status: 'FINISHED', parentRunId: copy.id });
    await page.goto(`${served.url}/runs/${copy.id}`);
    await page.getByRole('heading', { level: 2, name: 'Operations' }).waitFor();
    await page.getByText('A system migration has no items').waitFor();
    const database = page.locator('tr[data-step="Copies the database"]');
    await expect(database.textContent()).resolves.toMatch(/Success.*\d+\.\d (KiB|MiB) \/ \d+\.\d (KiB|MiB)/);
    await visit(page, 'system-wizard-9-run-page', secrets);
  });

  it('a pre-check error (target older than the source) is shown at Confirmation, Execute stays disabled, nothing is saved', async () => {
    const older = await serveFerry(join(root, 'data-older'), { FERRY_SYSTEM_VERSION: 'target:1.35.0' });
    const p = await newPage(browser);
    try {
      await setUpAdmin(p, older.url, older.setupToken!, 'correct-horse-battery');
      await p.goto(`${older.url}/system/new`);
      await p.getByRole('button', { name: 'Start' }).click();
      await p.locator('#system-source-config').fill(join(source.dir, 'LocalSettings.php'));
      await p.locator('#system-target-config').fill(join(tgt.dir, 'LocalSettings.php'));
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByText('The system is a standalone type.').waitFor({ timeout: 60_000 });
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByLabel('Name of this migration').fill('older-move');
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByText('Step 5 of 7: Confirmation').waitFor({ timeout: 60_000 });
      await p.getByText(/Error: The target runs MediaWiki 1\.35\.0, older than the source/).waitFor();
      await expect(p.getByRole('button', { name: 'Execute' }).isDisabled()).resolves.toBe(true);
      await expect(p.getByLabel(/Type the target's URL/).count()).resolves.toBe(0);
      await visit(p, 'system-wizard-5-confirmation-error', secrets);
      await expect((await p.request.get(`${older.url}/api/migrations`)).json()).resolves.toEqual([]);
    } finally {
      await p.context().close();
      await older.stop();
    }
  });

  it('Stop during the file copy: the run ends STOPPED, Continue finishes it from there, and Undo restores the target and takes the source out of maintenance', async () => {
    const slow = await serveFerry(join(root, 'data-stop'), { FERRY_SYSTEM_SLOW: 'copy-files:700' });
    const p = await newPage(browser);
    try {
      await setUpAdmin(p, slow.url, slow.setupToken!, 'correct-horse-battery');
      await p.goto(`${slow.url}/system/new`);
      await p.getByRole('button', { name: 'Start' }).click();
      await p.locator('#system-source-config').fill(join(source.dir, 'LocalSettings.php'));
      await p.locator('#system-target-config').fill(join(tgt.dir, 'LocalSettings.php'));
      await p.getByText('More (target): work folder, code folder, environment').click();
      await p.locator('#system-target-work').fill(join(root, 'stop-work'));
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByText('The system is a standalone type.').waitFor({ timeout: 60_000 });
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByLabel('Name of this migration').fill('stop-move');
      await p.getByRole('button', { name: 'Next' }).click();
      await p.getByLabel(/Type the target's URL/).fill(tgt.url, { timeout: 60_000 });
      await p.getByRole('button', { name: 'Execute' }).click();
      await p.getByText('Step 6 of 7: Execution').waitFor();
      await p.locator('.wizard-progress li', { hasText: 'Copies the uploaded files' }).getByText('Running').waitFor({ timeout: 60_000 });
      // The database copies beside the (slowed) file copy: stopped once it is done, run 1 keeps it and the next run skips it.
      await p.locator('.wizard-progress li', { hasText: 'Copies the database' }).getByText('Success').waitFor({ timeout: 60_000 });
      expect((await siteinfo(source)).readonly).toBe(true);
      await p.getByRole('button', { name: 'Stop' }).click();
      await p.getByRole('button', { name: 'See the result' }).waitFor({ timeout: 60_000 });
      await p.getByText('The run has ended before finishing').waitFor();
      await visit(p, 'system-wizard-6-execution-stopped', secrets);
      await p.getByRole('button', { name: 'See the result' }).click();
      await p.getByText('The run ended without finishing every operation').waitFor();
      await expect(p.getByRole('status').first().textContent()).resolves.toMatch(/STOPPED/);
      await visit(p, 'system-wizard-7-stopped', secrets);
      // Continue: a new run goes on from the file copy, to the end.
      await p.getByRole('button', { name: 'Continue the migration' }).click();
      await p.getByText('Step 6 of 7: Execution').waitFor();
      await p.getByText('Congratulations! The migration was successfully completed.').waitFor({ timeout: 120_000 });
      await expect(p.locator('.wizard-progress li', { hasText: 'Copies the database' }).textContent()).resolves.toMatch(/Skipped.*done in run 1/);
      await p.getByRole('button', { name: 'See the result' }).click();
      await p.getByText('Setup process was successful!').waitFor();
      expect((await siteinfo(tgt)).sitename).toBe('System Wizard Source');
      await p.getByRole('button', { name: 'Undo this migration' }).click();
      await p.getByText('The target is restored as it was before the migration.').waitFor({ timeout: 120_000 });
      await visit(p, 'system-wizard-7-stopped-undone', secrets);
      expect((await siteinfo(tgt)).sitename).toBe('System Wizard Target');
      expect((await siteinfo(source)).readonly ?? false).toBe(false);
    } finally {
      await p.context().close();
      await slow.stop();
    }
  });
});
