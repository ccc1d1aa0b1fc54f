import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { checkPage } from './browser.js';

/**
 * Steps the dashboard-setup browser tests share: the first admin through the
 * setup token, and a page check that adds "no secret in the HTML" to the
 * screenshot and axe-core check of checkPage.
 */

export async function setUpAdmin(page: Page, url: string, token: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Setup token').fill(token);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: /Create administrator/ }).click();
  await page.getByRole('heading', { name: 'Migrations' }).waitFor();
}

export async function signIn(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Migrations' }).waitFor();
}

/** checkPage, and none of `secrets` in the page's HTML (nor in any input's value). */
export async function visit(page: Page, name: string, secrets: string[]): Promise<void> {
  await checkPage(page, name);
  const html = await page.content();
  const values = await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value).join('\n'));
  for (const secret of secrets) {
    expect(html.includes(secret), `${name}: a connection password is in the page's HTML`).toBe(false);
    expect(values.includes(secret), `${name}: a connection password is in an input`).toBe(false);
  }
}

/** Goes to a page through the navigation bar (the way a person does) and waits for its h1. */
export async function navigate(page: Page, link: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
