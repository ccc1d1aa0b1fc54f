import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../src/harness/chromium.js';
import { spawnFerry } from './cli.js';

/** Screenshots of every page the browser tests visit land here (ignored by git). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

export interface ServedFerry {
  url: string;
  /** The one-time setup token `ferry serve` printed (undefined when users exist). */
  setupToken: string | undefined;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the real `ferry serve` on a free port and reads its URL and setup token from what it prints. */
export async function serveFerry(dataDir: string, env: Record<string, string> = {}): Promise<ServedFerry> {
  const served = spawnFerry(dataDir, ['serve', '--port', '0'], env);
  let stdout = '';
  served.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Press Ctrl-C/.test(stdout)) {
    if (served.child.exitCode !== null || Date.now() > deadline) {
      const r = await Promise.race([served.done, new Promise<undefined>((resolve) => setTimeout(resolve, 1000, undefined))]);
      throw new Error(`ferry serve did not start: ${stdout}\n${r?.stderr ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /Ferry dashboard on (http:\/\/\S+?)\/? /.exec(stdout)?.[1];
  if (!url) throw new Error(`no URL in ferry serve's output: ${stdout}`);
  const setupToken = /^\s+(setup_\S+)\s*$/m.exec(stdout)?.[1];
  return {
    url,
    setupToken,
    output: () => stdout,
    async stop() {
      if (served.child.exitCode === null) served.child.kill('SIGTERM');
      await served.done;
    },
  };
}

/** Debian's Chromium, headless, through playwright-core. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
}

/** A new page in its own context (cookies of its own), in a fixed time zone so times are checkable. */
export async function newPage(browser: Browser, timezoneId = 'Europe/Berlin'): Promise<Page> {
  const context = await browser.newContext({ timezoneId, locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Saves a full-page screenshot as `<name>.png` and checks the page with
 * axe-core: no serious or critical violation (the test fails naming them).
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${name}: ${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`)).toEqual([]);
}
