import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, StepRecord } from '../../src/core/ports.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { checkPage, launchBrowser, newPage, serveFerry, type ServedFerry } from './browser.js';
import { ferry, json } from './cli.js';
import { smallSource } from './small-wiki.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

const PLAN = `# split by namespace (this comment must survive edits)
name: e2e-jobs
source: src
target: tgt
jobs:
  - name: People
    steps: [user]
  - name: Templates
    steps: [page]
    scope:
      - namespace: [10]
  - name: Articles
    steps: [page, file]
    scope:
      - type: page
        namespace: [0]
`;

interface Status {
  runs: RunRecord[];
  steps: StepRecord[];
}

describe('jobs between two real wikis: the CLI and the dashboard jobs page', () => {
  let root: string;
  let dataDir: string;
  const wikis: WikiInstance[] = [];
  let served: ServedFerry;
  let browser: Browser;

  beforeAll(async () => {
    root = scratch('e2e-jobs');
    const { source } = await smallSource(root, 'Jobs Source');
    wikis.push(source);
    const tgt = await target(root, 'Jobs Target');
    wikis.push(tgt);
    dataDir = join(root, 'data');
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    for (const wiki of wikis) await wiki.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('ferry run --job runs one job, and ferry jobs / ferry job edit the saved plan', async () => {
    const plan = writePlan(root, 'jobs', PLAN);
    const people = await ferry(dataDir, ['run', plan, '--job', 'People', '--json']);
    expect(people.code, people.stderr).toBe(0);
    const run = json<RunRecord>(people);
    expect(run.status).toBe('FINISHED');
    const status = json<Status>(await ferry(dataDir, ['status', 'e2e-jobs', '--json']));
    expect(status.steps.map((s) => [s.job, s.type, s.status, s.reason])).toEqual([
      ['People', 'user', 'Success', null],
      ['Templates', 'page', 'Skipped', "not in this run's jobs"],
      ['Articles', 'page', 'Skipped', "not in this run's jobs"],
      ['Articles', 'file', 'Skipped', "not in this run's jobs"],
    ]);
    expect(run.summary?.types.user?.created).toBeGreaterThan(0);
    expect(run.summary?.types.page).toBeUndefined();

    const unknown = await ferry(dataDir, ['run', 'e2e-jobs', '--job', 'Nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job named "Nope": the jobs are "People", "Templates", "Articles"');

    const listed = await ferry(dataDir, ['jobs', 'e2e-jobs']);
    expect(listed.stdout).toMatch(/2\s+Templates\s+page\s+Pages\s+namespace 10/);
    const added = await ferry(dataDir, ['job', 'add', 'e2e-jobs', 'Talk', '--steps', 'page', '--namespace', '1', '--at', '2']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/Added job "Talk"[\s\S]*2\s+Talk\s+page/);
    const moved = await ferry(dataDir, ['job', 'move', 'e2e-jobs', 'Talk', '1']);
    expect(moved.stdout).toContain('warning: Step "page" (job "Talk") runs before "user"');
    expect((await ferry(dataDir, ['job', 'rename', 'e2e-jobs', 'Talk', 'People'])).stderr).toContain('A job named "People" exists already');
    expect((await ferry(dataDir, ['job', 'remove', 'e2e-jobs', 'Talk'])).code).toBe(0);
    const after = json<{ jobs: Array<{ name: string }> }>(await ferry(dataDir, ['jobs', 'e2e-jobs', '--json']));
    expect(after.jobs.map((j) => j.name)).toEqual(['People', 'Templates', 'Articles']);
  });

  it('the jobs page: edit, reorder, Save with errors in place, run one job; a viewer only reads', async () => {
    served = await serveFerry(dataDir);
    browser = await launchBrowser();
    const page = await newPage(browser);
    await page.goto(`${served.url}/migrations/e2e-jobs/jobs`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByLabel('Setup token').fill(served.setupToken!);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel(/^Password/).fill('correct-horse-battery');
    await page.getByRole('button', { name: /Create administrator/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs of e2e-jobs' }).waitFor();
    const card = (name: string) => page.getByRole('region', { name: new RegExp(`^\\d+\\. ${name}$`) });
    await card('Articles').waitFor();
    expect(await page.getByRole('region').evaluateAll((els) => els.map((e) => e.querySelector('h2')?.textContent))).toEqual(['1. People', '2. Templates', '3. Articles']);
    await checkPage(page, 'jobs');

    // Rename by keyboard, move up, add an empty job: Save answers the planner's error on that job's card.
    await card('Articles').getByLabel('Job name').fill('Main pages');
    await card('Main pages').getByRole('button', { name: 'Move up' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('region').evaluateAll((els) => els.map((e) => e.querySelector('h2')?.textContent))).toEqual(['1. People', '2. Main pages', '3. Templates']);
    await page.getByRole('button', { name: 'Add job' }).click();
    await page.getByRole('button', { name: 'Save jobs' }).click();
    const problem = card('New job 4').getByRole('alert');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('body.jobs.3.steps: a job needs at least one step');
    await checkPage(page, 'jobs-error');
    await card('New job 4').getByRole('button', { name: 'Remove job' }).click();

    // Templates before People: a warning shown at once, not a refusal.
    await card('Templates').getByRole('button', { name: 'Move up' }).click();
    await card('Templates').getByRole('button', { name: 'Move up' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Order warnings' }).textContent()).resolves.toContain('Step "page" (job "Templates") runs before "user"');
    await page.getByRole('button', { name: 'Save jobs' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = json<{ jobs: Array<{ name: string; steps: Array<{ type: string }> }>; warnings: string[] }>(await ferry(dataDir, ['jobs', 'e2e-jobs', '--json']));
    expect(saved.jobs.map((j) => j.name)).toEqual(['Templates', 'People', 'Main pages']);
    expect(saved.warnings).toEqual([expect.stringContaining('Step "page" (job "Templates") runs before "user"')]);
    await checkPage(page, 'jobs-saved');

    // Run this job: only Templates runs; the page links to the migration.
    await card('Templates').getByRole('button', { name: 'Run this job' }).click();
    const started = page.getByRole('status').filter({ hasText: /Run \d+ of job “Templates” started/ });
    await started.waitFor();
    expect(await started.getByRole('link').getAttribute('href')).toBe('/migrations/e2e-jobs');
    const runId = Number(/Run (\d+)/.exec((await started.textContent()) ?? '')?.[1]);
    let status: Status | undefined;
    for (let i = 0; i < 600; i++) {
      status = json<Status>(await ferry(dataDir, ['status', 'e2e-jobs', '--json']));
      if (status.runs[0]?.id === runId && status.runs[0].status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status!.runs[0]).toMatchObject({ id: runId, status: 'FINISHED' });
    expect(status!.steps.map((s) => [s.job, s.status])).toEqual([
      ['Templates', 'Success'],
      ['People', 'Skipped'],
      ['Main pages', 'Skipped'],
      ['Main pages', 'Skipped'],
    ]);

    await viewerReads(page, served.url);
    const yaml = (await page.evaluate(async () => (await (await fetch('/api/migrations/e2e-jobs')).json()) as { planYaml: string })).planYaml;
    expect(yaml).toContain('# split by namespace (this comment must survive edits)');
  });

  /** A viewer sees the jobs read-only: no Save, no Run, disabled fields that say why. */
  async function viewerReads(admin: Page, url: string): Promise<void> {
    const made = await admin.evaluate(async () => {
      const session = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: JSON.stringify({ name: 'vera', password: 'vera-password-123', role: 'viewer' }) });
      return res.status;
    });
    expect(made).toBe(201);
    const page = await newPage(browser);
    await page.goto(`${url}/migrations/e2e-jobs/jobs`);
    await page.getByLabel('User name').fill('vera');
    await page.getByLabel(/^Password/).fill('vera-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs of e2e-jobs' }).waitFor();
    await page.getByText('editing and running them needs the operator role').waitFor();
    expect(await page.getByRole('button', { name: 'Save jobs' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run this job' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove job' }).count()).toBe(0);
    const name = page.getByLabel('Job name').first();
    expect(await name.isDisabled()).toBe(true);
    expect(await name.getAttribute('title')).toBe('Editing jobs needs the operator role');
    await checkPage(page, 'jobs-viewer');
  }
});
