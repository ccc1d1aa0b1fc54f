import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';

describe('the dashboard in Chromium', () => {
  let dataDir: string;
  let served: ServedFerry;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ferry-dash-'));
    served = await serveFerry(dataDir);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks for the setup token on a new data folder, creates the admin, and shows the empty migrations page', async () => {
    expect(served.setupToken).toMatch(/^setup_/);
    const page = await newPage(browser);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Set up Ferry' }).waitFor();
    await checkPage(page, 'setup');
    await page.getByLabel('Setup token').fill('setup_wrong');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel(/^Password/).fill('correct-horse-battery');
    await page.getByRole('button', { name: /Create administrator/ }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not the setup token');
    await page.getByLabel('Setup token').fill(served.setupToken!);
    await page.getByRole('button', { name: /Create administrator/ }).click();
    await page.getByRole('heading', { name: 'Migrations' }).waitFor();
    // The list arrives after the heading: wait for it rather than look once.
    await page.getByText('No migration yet').waitFor();
    await checkPage(page, 'migrations-empty');

    // A reload keeps the session (http-only cookie); a second browser must sign in.
    await page.reload();
    await page.getByRole('heading', { name: 'Migrations' }).waitFor();
    const other = await newPage(browser);
    await other.goto(`${served.url}/migrations/x`);
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(other, 'sign-in');
  });
});
