import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { navigate, setUpAdmin, signIn, visit } from './dashboard-setup-steps.js';
import { smallSource } from './small-wiki.js';
import { scratch, target } from './wikis.js';

const ADMIN_PASSWORD = 'correct-horse-battery';
const OPERATOR_PASSWORD = 'operator-horse-battery';

/**
 * The setup pages in Chromium against `ferry serve` and two real small
 * MediaWikis: connections added, checked and discovered in the UI, a plan
 * written, checked (an error beside its field), previewed and saved in the
 * editor, an operator added on the access page (who then sees no
 * add-connection form), and the audit log with its CSV. No page ever holds
 * a connection's password.
 */
describe('dashboard setup pages: connections, plan editor, access, audit', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let served: ServedFerry;
  let browser: Browser;
  let page: Page;
  let secrets: string[];
  let pageTitles: string[];

  beforeAll(async () => {
    root = scratch('e2e-dash-setup');
    const small = await smallSource(root, 'Setup Source');
    source = small.source;
    pageTitles = small.content.pages.filter((p) => p.namespace === 0 && !/[*?]/.test(p.title)).map((p) => p.title).sort().slice(0, 2);
    tgt = await target(root, 'Setup Target');
    secrets = [source.botPassword, tgt.botPassword];
    served = await serveFerry(join(root, 'data'));
    browser = await launchBrowser();
    page = await newPage(browser);
    await setUpAdmin(page, served.url, served.setupToken!, ADMIN_PASSWORD);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('adds both connections from the schema-built form, checks them (identity shown) and discovers the source', async () => {
    await navigate(page, 'Connections', 'Connections');
    await page.getByText('No connection yet').waitFor();
    await visit(page, 'connections-empty', secrets);

    await page.getByRole('button', { name: 'Add a connection' }).click();
    const form = page.getByRole('form', { name: 'Add a connection' });
    // The labels, help and the password input come from the platform's config schema.
    await expect(form.getByLabel('Wiki URL').getAttribute('type')).resolves.toBe('url');
    await expect(form.getByLabel(/^Password/).getAttribute('type')).resolves.toBe('password');
    await form.getByText('Special:BotPasswords').waitFor();
    await visit(page, 'connections-add-form', secrets);

    // A URL with an account in it: the API refuses it, and the error shows beside the URL field.
    await form.getByLabel('Connection name').fill('src');
    await form.getByLabel('Wiki URL').fill(source.url.replace('http://', 'http://someone:pw@'));
    await form.getByLabel('User name').fill(source.botUser);
    await form.getByLabel(/^Password/).fill(source.botPassword);
    await form.getByRole('button', { name: 'Check and save' }).click();
    await form.locator('input[name="url"][aria-invalid="true"]').waitFor({ timeout: 30_000 });
    const urlError = form.locator('#' + (await form.getByLabel('Wiki URL').getAttribute('aria-describedby'))!.split(' ').pop()!);
    await expect(urlError.textContent()).resolves.toContain('must not contain an account or password');
    await expect(urlError.evaluate((e) => e.closest('label')?.querySelector('input')?.name)).resolves.toBe('url');
    await form.getByLabel(/^Password/).fill('');
    await visit(page, 'connections-add-error', secrets);

    await form.getByLabel('Wiki URL').fill(source.url);
    await form.getByLabel(/^Password/).fill(source.botPassword);
    await form.getByRole('button', { name: 'Check and save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved "src": reached Setup Source' }).waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'src', level: 2 }).waitFor();

    await page.getByRole('button', { name: 'Add a connection' }).click();
    await form.getByLabel('Connection name').fill('tgt');
    await form.getByLabel('Wiki URL').fill(tgt.url);
    await form.getByLabel('User name').fill(tgt.botUser);
    await form.getByLabel(/^Password/).fill(tgt.botPassword);
    await form.getByRole('button', { name: 'Check and save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved "tgt": reached Setup Target' }).waitFor({ timeout: 60_000 });
    const rows = page.getByRole('table').first().getByRole('row');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(1).textContent()).resolves.toContain(source.url);
    await expect(rows.nth(1).textContent()).resolves.toContain(source.botUser.split('@')[0]);
    await visit(page, 'connections-list', secrets);

    // Check: the identity the instance answered.
    await page.getByRole('button', { name: 'Check src' }).click();
    await page.getByRole('status').filter({ hasText: 'Checked "src": reached Setup Source (mediawiki' }).waitFor({ timeout: 60_000 });
    const identity = page.getByRole('definition');
    await expect(page.getByLabel('Identity of Setup Source').textContent()).resolves.toMatch(/SiteSetup Source.*Platformmediawiki 1\.\d+.*Account/);
    expect(await identity.count()).toBeGreaterThan(4);
    await visit(page, 'connections-checked', secrets);

    // Discover: counts per type, when it was taken and how old it is.
    await page.getByRole('button', { name: 'Discover src' }).click();
    await page.getByRole('status').filter({ hasText: 'Took the inventory of "src"' }).waitFor({ timeout: 120_000 });
    const inventory = page.getByRole('table', { name: 'Items per type' });
    await inventory.waitFor();
    await expect(inventory.textContent()).resolves.toMatch(/Pages\d+/);
    await page.getByText(/Inventory taken .* \(just taken|min old\)/).waitFor();
    await visit(page, 'connections-discovered', secrets);
  });

  it('writes a plan in the editor: an error beside its field, the preview as a table, then saves it', async () => {
    await navigate(page, 'New plan', 'New plan');
    await visit(page, 'plan-editor-empty', secrets);
    await page.getByLabel('Name', { exact: true }).fill('dash-plan');
    await page.getByLabel('Source (where the content is now)').selectOption('src');
    await page.getByLabel('Target (where it should go)').selectOption('tgt');
    await page.getByLabel('Files').uncheck();
    for (const [i, title] of pageTitles.entries()) {
      await page.getByRole('button', { name: 'Add an include filter' }).click();
      await page.getByLabel(`Include filter ${i + 1}: type`).selectOption('page');
      await page.getByLabel(`Include filter ${i + 1}: pattern`).fill(title);
    }
    await page.getByLabel('Concurrency').fill('99');
    await page.getByRole('button', { name: 'Check the plan' }).click();
    await page.locator('#plan-options-concurrency-error').waitFor();
    await expect(page.locator('#plan-options-concurrency-error').textContent()).resolves.toMatch(/16/);
    await expect(page.getByLabel('Concurrency').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('The plan has a problem');
    await visit(page, 'plan-editor-error', secrets);

    await page.getByLabel('Concurrency').fill('2');
    await page.getByRole('button', { name: 'Check the plan' }).click();
    await page.getByRole('status').filter({ hasText: 'The plan is valid' }).waitFor();
    await page.getByRole('button', { name: 'Show as YAML' }).click();
    const yaml = await page.getByLabel('The plan as YAML').textContent();
    expect(yaml).toContain('name: dash-plan');
    expect(yaml).toContain('file: false');
    expect(yaml).toContain(`pattern: ${pageTitles[0]}`);

    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const items = page.getByRole('table', { name: 'What a run would do, item by item' });
    await items.waitFor({ timeout: 120_000 });
    await page.getByLabel('Show items that would be').selectOption('create');
    for (const title of pageTitles) await expect(items.getByRole('row').filter({ hasText: title }).first().textContent()).resolves.toContain('create');
    await expect(page.getByRole('table', { name: 'What a run would do, per type' }).textContent()).resolves.toContain('Pages');
    await visit(page, 'plan-editor-preview', secrets);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/plans/new'));
    // The saved plan is the migration "dash-plan", and the editor opens it again as it was.
    await page.goto(`${served.url}/migrations/dash-plan/edit`);
    await page.getByRole('heading', { name: 'Edit the plan of dash-plan' }).waitFor();
    await expect(page.getByLabel(`Include filter 2: pattern`).inputValue()).resolves.toBe(pageTitles[1]);
    await expect(page.getByLabel('Files').isChecked()).resolves.toBe(false);
    await visit(page, 'plan-editor-edit', secrets);

    // Removing a connection asks first, in a dialog; one that a migration uses is refused in words.
    await navigate(page, 'Connections', 'Connections');
    await page.getByRole('button', { name: 'Remove src' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the connection "src"?' });
    await dialog.waitFor();
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Keep it');
    await dialog.getByRole('button', { name: 'Remove src' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('"src" is used by the migration(s) "dash-plan"');
    await visit(page, 'connections-remove-refused', secrets);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect(page.getByRole('button', { name: 'Check src' }).count()).resolves.toBe(1);
  });

  it('adds an operator on the access page, who then sees no add-connection form; tokens are shown once', async () => {
    await navigate(page, 'Access', 'Users and tokens');
    await page.getByLabel('User name').fill('olga');
    await page.getByLabel(/^Password/).fill(OPERATOR_PASSWORD);
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.getByRole('status').filter({ hasText: 'Added olga as operator' }).waitFor();
    await expect(page.getByLabel('Role of olga').inputValue()).resolves.toBe('operator');
    await page.getByLabel('Label for a new token').fill('nightly sync');
    await page.getByRole('button', { name: 'Create a token' }).click();
    await page.getByText('It will not be shown again.').waitFor();
    await expect(page.locator('code.token').textContent()).resolves.toMatch(/^ferry_/);
    await visit(page, 'access', secrets);

    const operator = await newPage(browser);
    await signIn(operator, served.url, 'olga', OPERATOR_PASSWORD);
    await navigate(operator, 'Connections', 'Connections');
    await operator.getByRole('button', { name: 'Discover tgt' }).waitFor();
    await expect(operator.getByRole('button', { name: 'Add a connection' }).count()).resolves.toBe(0);
    await expect(operator.getByRole('form', { name: 'Add a connection' }).count()).resolves.toBe(0);
    await expect(operator.getByRole('button', { name: 'Remove src' }).count()).resolves.toBe(0);
    await operator.getByText('Only an admin can add or remove connections').waitFor();
    await visit(operator, 'connections-operator', secrets);
    await navigate(operator, 'Access', 'Users and tokens');
    await expect(operator.getByRole('heading', { name: 'Users', exact: true }).count()).resolves.toBe(0);
    await visit(operator, 'access-operator', secrets);
    // The audit log is for admins: no link to it, and the page says so.
    await expect(operator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).count()).resolves.toBe(0);
    await operator.goto(`${served.url}/audit`);
    await operator.getByText('Only an admin can read the audit log.').waitFor();
    await operator.context().close();
  });

  it('the audit log lists those actions, filters by text, and downloads as CSV', async () => {
    await navigate(page, 'Audit', 'Audit log');
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.waitFor();
    const text = await table.textContent();
    for (const action of ['connection.add', 'migration.save', 'user.add']) expect(text).toContain(action);
    expect(text).toContain('olga');
    // Times in the browser's zone (the test browser runs in Europe/Berlin; the API speaks UTC).
    const time = table.locator('time').first();
    const iso = (await time.getAttribute('datetime'))!;
    expect(iso).toMatch(/Z$/);
    await expect(time.textContent()).resolves.toBe(new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'medium' }));
    await visit(page, 'audit', secrets);
    await page.getByLabel('Filter by text').fill('connection.add');
    await expect(table.getByRole('row').count()).resolves.toBe(3);
    await visit(page, 'audit-filtered', secrets);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('connection.add');
    expect(csv).toContain('src');
    for (const secret of secrets) expect(csv).not.toContain(secret);
  });
});
