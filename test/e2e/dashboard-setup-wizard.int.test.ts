import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { navigate, setUpAdmin, visit } from './dashboard-setup-steps.js';
import { smallSource } from './small-wiki.js';
import { addConnection, scratch, target } from './wikis.js';

/**
 * The wizard in Chromium, end to end on a real migration between two small
 * MediaWikis (a few pages, its users): Welcome, Source, Source info, Options,
 * Confirmation (the preview), Execution (bars reach done, live), Result.
 */
describe('the dashboard wizard on a real migration', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let served: ServedFerry;
  let browser: Browser;
  let page: Page;
  let secrets: string[];
  let pageTitles: string[];

  beforeAll(async () => {
    root = scratch('e2e-dash-wizard');
    const small = await smallSource(root, 'Wizard Source');
    source = small.source;
    pageTitles = small.content.pages.filter((p) => p.namespace === 0 && !/[*?]/.test(p.title)).map((p) => p.title).sort().slice(0, 3);
    tgt = await target(root, 'Wizard Target');
    secrets = [source.botPassword, tgt.botPassword];
    const dataDir = join(root, 'data');
    await addConnection(dataDir, 'old-wiki', source);
    await addConnection(dataDir, 'new-wiki', tgt);
    served = await serveFerry(dataDir);
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
    // The step's heading takes the focus, so a keyboard user starts at the top of the step.
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe('H2');
    await expect(page.getByRole('heading', { level: 2 }).first().textContent()).resolves.toBe(name);
  };

  it('walks through the seven steps and migrates: the bars reach done and the result shows the outcome', async () => {
    await navigate(page, 'Wizard', 'Migration wizard');
    await stepIs(1, 'Welcome');
    await page.getByText('Nothing is written to any instance before you confirm').waitFor();
    await visit(page, 'wizard-1-welcome', secrets);
    await page.getByRole('button', { name: 'Start' }).click();

    await stepIs(2, 'Source');
    await expect(page.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    // By keyboard: the radio is reachable and chosen with the space bar.
    await page.getByRole('radio', { name: /old-wiki/ }).focus();
    await page.keyboard.press('Space');
    await expect(page.getByRole('radio', { name: /old-wiki/ }).isChecked()).resolves.toBe(true);
    await visit(page, 'wizard-2-source', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(3, 'Source info');
    await page.getByLabel('Identity of Wizard Source').waitFor({ timeout: 120_000 });
    await expect(page.getByLabel('Identity of Wizard Source').textContent()).resolves.toMatch(/Platformmediawiki 1\.\d+/);
    const counts = page.getByRole('table', { name: 'Items per type' });
    await counts.waitFor({ timeout: 120_000 });
    await expect(counts.textContent()).resolves.toMatch(/Pages\d+.*Files5/s);
    await visit(page, 'wizard-3-source-info', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(4, 'Options');
    await page.getByLabel(/^Target/).selectOption('new-wiki');
    await expect(page.getByLabel('Name of this migration').inputValue()).resolves.toBe('old-wiki-to-new-wiki');
    await page.getByLabel('Files').uncheck();
    for (const [i, title] of pageTitles.entries()) {
      await page.getByRole('button', { name: 'Add an include filter' }).click();
      await page.getByLabel(`Include filter ${i + 1}: type`).selectOption('page');
      await page.getByLabel(`Include filter ${i + 1}: pattern`).fill(title);
    }
    await page.getByLabel('When something with the same name already exists on the target').selectOption('update');
    // A name the plan format refuses: the error shows beside the name, and the wizard stays on Options.
    await page.getByLabel('Name of this migration').fill('old/wiki');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('#plan-name-error').waitFor();
    await expect(page.locator('#plan-name-error').textContent()).resolves.toContain('letters, digits, space, dot, dash or underscore');
    await expect(page.getByText('Step 4 of 7: Options').count()).resolves.toBe(1);
    await visit(page, 'wizard-4-options-error', secrets);
    await page.getByLabel('Name of this migration').fill('old-wiki-to-new-wiki');
    await visit(page, 'wizard-4-options', secrets);
    await page.getByRole('button', { name: 'Next' }).click();

    await stepIs(5, 'Confirmation');
    await page.getByText('to create').waitFor({ timeout: 120_000 });
    const totals = await page.locator('ul.totals').textContent();
    const creates = Number(/(\d+) to create/.exec(totals ?? '')?.[1]);
    expect(creates).toBeGreaterThanOrEqual(pageTitles.length);
    await expect(page.locator('p').filter({ hasText: 'The migration old-wiki-to-new-wiki will copy from old-wiki to new-wiki' }).count()).resolves.toBe(1);
    await visit(page, 'wizard-5-confirmation', secrets);
    await page.getByRole('button', { name: 'Start the migration' }).click();

    await stepIs(6, 'Execution');
    await page.getByRole('progressbar', { name: 'Pages progress' }).waitFor({ timeout: 60_000 });
    await visit(page, 'wizard-6-execution', secrets);
    await page.getByRole('button', { name: 'See the result' }).waitFor({ timeout: 200_000 });
    for (const name of ['Users progress', 'Pages progress']) {
      const bar = page.getByRole('progressbar', { name });
      const [now, max] = [await bar.getAttribute('aria-valuenow'), await bar.getAttribute('aria-valuemax')];
      expect(Number(max)).toBeGreaterThan(0);
      expect(now).toBe(max);
    }
    await visit(page, 'wizard-6-execution-done', secrets);
    await page.getByRole('button', { name: 'See the result' }).click();

    await stepIs(7, 'Result');
    await page.getByText('The migration is complete.').waitFor({ timeout: 30_000 });
    await expect(page.getByLabel('Counts').textContent()).resolves.toMatch(/created\d+/);
    await page.getByText('Verify found no difference between source and target').waitFor();
    await page.getByRole('heading', { name: 'Post-migration actions' }).waitFor();
    await expect(page.getByRole('link', { name: 'Open the migration old-wiki-to-new-wiki' }).getAttribute('href')).resolves.toBe('/migrations/old-wiki-to-new-wiki');
    const log = await page.getByRole('link', { name: "The run's log" }).getAttribute('href');
    const logText = await (await page.request.get(`${served.url}${log}`)).text();
    expect(logText.length).toBeGreaterThan(0);
    await visit(page, 'wizard-7-result', secrets);

    // The run's start is in the audit log.
    await navigate(page, 'Audit', 'Audit log');
    await page.getByRole('table', { name: 'Audit entries' }).getByText('run.start').waitFor();
  });
});
