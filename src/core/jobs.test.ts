import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nullLog } from '../app/run-log-file.js';
import { MemoryInstance, memoryConnector, memoryTypes } from '../sdk/testing/memory-platform.js';
import { openSqlite } from '../store/sqlite-store.js';
import { Store } from '../store/store.js';
import type { MigrationContext } from './context.js';
import { parsePlan } from './plan.js';
import { addJob, editableJobs, JobEditError, moveJob, removeJob, renameJob, setScope, setSteps, withJobs } from './job-edit.js';
import { layoutJobs, PlanMismatch } from './planner.js';
import type { ProgressEvent } from './reporter.js';
import { executeRun, type RunMode } from './runner.js';
import { previewMigration } from './preview.js';
import { executeUndo } from './undo.js';

async function setup(jobs: string, verify = false) {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-jobs-')), 'store.sqlite')));
  const source = new MemoryInstance('src');
  const target = new MemoryInstance('tgt');
  const connector = memoryConnector(new Map([['src', source], ['tgt', target]]));
  const plan = parsePlan(`name: t\nsource: src\ntarget: tgt\noptions:\n  verify: ${verify}\njobs:\n${jobs}`);
  const ctx: MigrationContext = {
    migrationId: 1,
    plan,
    types: memoryTypes,
    source: await connector.open({ instance: 'src' }, { log: () => undefined, userAgent: 't', tempDir: tmpdir() }),
    target: await connector.open({ instance: 'tgt' }, { log: () => undefined, userAgent: 't', tempDir: tmpdir() }),
    scope: { source: 'src', target: 'tgt' },
    signal: new AbortController().signal,
  };
  const deps = { store, clock: { now: () => new Date() }, log: nullLog, sleep: async () => undefined };
  const start = (kind: 'run' | 'undo') => store.createRun({ migrationId: 1, kind, startedAt: new Date().toISOString(), pid: process.pid });
  const run = async (mode: RunMode = { kind: 'fresh' }, onProgress?: (e: ProgressEvent) => void) => executeRun({ ...deps, ...(onProgress ? { onProgress } : {}) }, ctx, await start('run'), mode);
  for (const name of ['alice', 'bob']) source.put('person', name, `about ${name}`);
  // doc-00 .. doc-11: "doc-0*" holds ten of them, "doc-1*" two.
  for (let i = 0; i < 12; i++) source.put('doc', `doc-${String(i).padStart(2, '0')}`, `body ${i}`, i % 2 ? 'alice' : 'bob');
  return { store, source, target, ctx, deps, run, start };
}

/** How many docs the target holds, each written exactly once (its version is 1). */
function writtenOnce(target: MemoryInstance): number {
  const docs = [...target.objects.get('doc')!.values()];
  expect(docs.filter((d) => d.version !== 1)).toEqual([]);
  return docs.length;
}

const people = `  - name: People\n    steps: [person]\n`;
const split = (a: string, b: string) => `${people}  - name: Early docs\n    steps: [doc]\n    scope: [{ pattern: "${a}" }]\n  - name: Late docs\n    steps: [doc]\n    scope: [{ pattern: "${b}" }]\n`;

describe('jobs sharing an object type', () => {
  it('lays out the same type in two jobs, refuses it twice in one job and two jobs of one name', () => {
    const plan = (jobs: string) => parsePlan(`name: t\nsource: src\ntarget: tgt\njobs:\n${jobs}`);
    const layout = layoutJobs(memoryTypes, plan(split('doc-0*', 'doc-1*')));
    expect(layout.jobs.map((j) => [j.name, j.steps.map((s) => s.type), j.scope?.[0]?.pattern])).toEqual([
      ['People', ['person'], undefined],
      ['Early docs', ['doc'], 'doc-0*'],
      ['Late docs', ['doc'], 'doc-1*'],
    ]);
    expect(layout.warnings).toEqual([]);
    expect(() => layoutJobs(memoryTypes, plan(`  - name: A\n    steps: [doc, doc]\n`))).toThrow(/jobs\.0\.steps\.1: step "doc" is already in job "A"/);
    expect(() => layoutJobs(memoryTypes, plan(`${people}${people}`))).toThrow(PlanMismatch);
    // Out of order: a warning, not a refusal.
    expect(layoutJobs(memoryTypes, plan(`  - name: Docs\n    steps: [doc]\n${people}`)).warnings[0]).toMatch(/Step "doc" \(job "Docs"\) runs before "person"/);
  });

  it('two jobs of one type with disjoint scopes migrate every item once, each step counting its own', async () => {
    const { run, store, target } = await setup(split('doc-0*', 'doc-1*'));
    const events: ProgressEvent[] = [];
    const result = await run({ kind: 'fresh' }, (e) => events.push(e));
    expect(result.status).toBe('FINISHED');
    expect(result.summary?.types.doc?.created).toBe(12);
    expect(writtenOnce(target)).toBe(12);
    const steps = await store.listSteps(result.id);
    expect(steps.map((s) => [s.job, s.type, s.status, s.total, s.done])).toEqual([
      ['People', 'person', 'Success', 2, 2],
      ['Early docs', 'doc', 'Success', 10, 10],
      ['Late docs', 'doc', 'Success', 2, 2],
    ]);
    expect((await store.listItems(result.id, { step: 2 })).map((i) => i.sourceId)).toEqual(['doc-10', 'doc-11']);
    // No item is SKIPPED for being outside the first job's scope: the second job took it.
    expect(await store.countItems(result.id, 'doc')).toEqual({ COMPLETE: 12 });
    // Progress names each step by its idx: the two doc steps stay apart.
    expect(events.filter((e) => e.kind === 'step-end').map((e) => (e.kind === 'step-end' ? [e.idx, e.status] : null))).toEqual([[0, 'Success'], [1, 'Success'], [2, 'Success']]);
  });

  it('overlapping scopes migrate an item once, by the first job, and the second says so', async () => {
    const { run, store, target } = await setup(split('doc-0*', 'doc-*'));
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(result.summary?.types.doc?.created).toBe(12);
    expect(writtenOnce(target)).toBe(12);
    const steps = await store.listSteps(result.id);
    expect(steps.map((s) => [s.job, s.total])).toEqual([['People', 2], ['Early docs', 10], ['Late docs', 2]]);
    const events = await store.listEventsAfter({ runId: result.id, afterId: 0, limit: 500 });
    expect(events.some((e) => /10 item\(s\) in the scope of job "Late docs" were already taken by job "Early docs"/.test(e.message))).toBe(true);
    expect(events.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('an item outside every scope is skipped once, naming the jobs', async () => {
    const { run, store } = await setup(split('doc-0[1]*', 'doc-1*').replace('doc-0[1]*', 'doc-01'));
    const result = await run();
    const skipped = await store.listItems(result.id, { type: 'doc', statuses: ['SKIPPED'] });
    expect(skipped).toHaveLength(9);
    expect(skipped[0]?.reason).toBe('outside the scopes of jobs "Early docs", "Late docs"');
  });

  it('--job runs only that job; the others are Skipped with the reason, and a missing dependency warns', async () => {
    const { run, store, target } = await setup(split('doc-0*', 'doc-1*'));
    const result = await run({ kind: 'fresh', jobs: ['Late docs'], doneTypes: [] });
    const steps = await store.listSteps(result.id);
    expect(steps.map((s) => [s.job, s.status, s.reason])).toEqual([
      ['People', 'Skipped', "not in this run's jobs"],
      ['Early docs', 'Skipped', "not in this run's jobs"],
      ['Late docs', 'Success', null],
    ]);
    expect((await store.listItems(result.id, { statuses: ['COMPLETE'] })).map((i) => i.sourceId)).toEqual(['doc-10', 'doc-11']);
    expect((await store.listItems(result.id, { statuses: ['SKIPPED'] }))[0]?.reason).toBe("outside this job's scope");
    expect(target.get('doc', 'doc-00')).toBeUndefined();
    const warnings = (await store.listEventsAfter({ runId: result.id, afterId: 0, limit: 500 })).filter((e) => e.level === 'warn');
    expect(warnings.some((e) => /Step "doc" \(job "Late docs"\) depends on "person", which neither this run nor an earlier run/.test(e.message))).toBe(true);
    // With person migrated by an earlier run, no dependency warning.
    const again = await run({ kind: 'fresh', jobs: ['Early docs'], doneTypes: ['person'] });
    const later = (await store.listEventsAfter({ runId: again.id, afterId: 0, limit: 500 })).filter((e) => e.level === 'warn');
    expect(later.filter((e) => /depends on/.test(e.message))).toEqual([]);
  });

  it('a run of one job verifies only that job: the skipped jobs are no discrepancy', async () => {
    const { run, store } = await setup(split('doc-0*', 'doc-1*'), true);
    const result = await run({ kind: 'fresh', jobs: ['People'], doneTypes: [] });
    expect(result.status).toBe('FINISHED');
    expect(result.summary?.verify?.types.map((t) => [t.type, t.selected, t.equal])).toEqual([['person', 2, 2]]);
    expect((await store.listSteps(result.id)).map((s) => s.status)).toEqual(['Success', 'Skipped', 'Skipped']);
  });

  it('a run stopped in the first of two jobs of one type resumes with each job\'s own scope, nothing twice', async () => {
    const { store, ctx, deps, start, target } = await setup(split('doc-0*', 'doc-*'));
    const record = await start('run');
    // Two batches of three in flight at a time (twice the concurrency): the stop after the first lands while the step still has items to take.
    ctx.plan.options.concurrency = 1;
    await executeRun({ ...deps, onProgress: (e) => void (e.kind === 'step-progress' && e.idx === 1 && store.requestStop(record.id)) }, ctx, record, { kind: 'fresh' });
    expect((await store.getRun(record.id))?.status).toBe('STOPPED');
    expect((await store.listSteps(record.id)).map((s) => s.status)).toEqual(['Success', 'Pending', 'Pending']);
    // As a crash leaves it: the run RUNNING (no transition leads back there).
    await store.db.updateTable('runs').set({ status: 'RUNNING', ended_at: null, stop_requested: 0 }).where('id', '=', record.id).execute();
    const resumed = await executeRun(deps, ctx, (await store.getRun(record.id))!, { kind: 'resume' });
    expect(resumed.status).toBe('FINISHED');
    expect(writtenOnce(target)).toBe(12);
    expect((await store.listSteps(record.id)).map((s) => [s.job, s.total])).toEqual([['People', 2], ['Early docs', 10], ['Late docs', 2]]);
  });

  it('verify checks a type in two jobs once, over both scopes', async () => {
    const { run } = await setup(split('doc-0*', 'doc-*'), true);
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(result.summary?.verify?.types.map((t) => [t.type, t.selected, t.equal])).toEqual([['person', 2, 2], ['doc', 12, 12]]);
  });

  it('undo of one job removes only what that job created', async () => {
    const { run, store, target, deps, ctx, start } = await setup(split('doc-0*', 'doc-1*'));
    const result = await run();
    const undo = await executeUndo(deps, ctx, await start('undo'), { of: result, job: 'Late docs' });
    expect(undo.status).toBe('FINISHED');
    expect(undo.summary?.totals.removed).toBe(2);
    expect(target.get('doc', 'doc-10')).toBeUndefined();
    expect(target.get('doc', 'doc-11')).toBeUndefined();
    expect(target.get('doc', 'doc-09')).toBeDefined();
    expect(target.get('person', 'alice')).toBeDefined();
    expect((await store.listSteps(undo.id)).map((s) => s.job)).toEqual(['Undo job "Late docs" of run 1']);
    // --step doc without a job: that type in every job.
    const rest = await executeUndo(deps, ctx, await start('undo'), { of: result, type: 'doc' });
    expect(rest.summary?.totals.removed).toBe(10);
    expect(target.get('person', 'alice')).toBeDefined();
  });

  it('a re-run puts each failed item back under the job that listed it', async () => {
    const { run, store, target } = await setup(split('doc-0*', 'doc-1*'));
    target.faults.failWrite = new Map([['doc-03', { kind: 'too_large' }], ['doc-11', { kind: 'too_large' }]]);
    const first = await run();
    expect(first.status).toBe('INCOMPLETE');
    target.faults.failWrite = undefined;
    const rerun = await run({ kind: 'rerun', parent: first });
    expect(rerun.status).toBe('FINISHED');
    const steps = await store.listSteps(rerun.id);
    expect(steps.map((s) => [s.job, s.total, s.status])).toEqual([['Early docs', 1, 'Success'], ['Late docs', 1, 'Success']]);
    expect((await store.listItems(rerun.id, { step: 1 })).map((i) => i.sourceId)).toEqual(['doc-11']);
  });
});

describe('editing jobs', () => {
  const yaml = `# team wiki\nname: t # the name\nsource: src\ntarget: tgt\n`;
  const standard = editableJobs(layoutJobs(memoryTypes, parsePlan(yaml)), undefined);

  it('starts from the standard jobs and edits them: add, rename, move, steps, scope, remove', () => {
    expect(standard).toEqual([{ name: 'Users and groups', steps: ['person'] }, { name: 'Content', steps: ['doc'] }]);
    let jobs = addJob(standard, { name: 'Late docs', steps: ['doc'], scope: [{ pattern: 'doc-1*' }] }, 2);
    expect(jobs.map((j) => j.name)).toEqual(['Users and groups', 'Late docs', 'Content']);
    jobs = moveJob(renameJob(jobs, 'Content', 'Other docs'), 'Other docs', 'up');
    expect(jobs.map((j) => j.name)).toEqual(['Users and groups', 'Other docs', 'Late docs']);
    jobs = setScope(setSteps(jobs, 'Users and groups', ['person']), 'Other docs', [{ pattern: 'doc-0*' }]);
    expect(jobs[1]).toEqual({ name: 'Other docs', steps: ['doc'], scope: [{ pattern: 'doc-0*' }] });
    expect(setScope(jobs, 'Other docs', [])[1]).toEqual({ name: 'Other docs', steps: ['doc'] });
    expect(removeJob(jobs, 'Late docs').map((j) => j.name)).toEqual(['Users and groups', 'Other docs']);
    expect(() => renameJob(jobs, 'Late docs', 'Other docs')).toThrow(/A job named "Other docs" exists already/);
    expect(() => moveJob(jobs, 'Users and groups', 'up')).toThrow(JobEditError);
    expect(() => removeJob(jobs, 'Nope')).toThrow(/No job named "Nope"/);
    expect(() => setSteps(jobs, 'Late docs', [])).toThrow(/needs at least one step/);
  });

  it('writes the jobs into the plan text, keeping its comments; an empty list goes back to the standard jobs', () => {
    const text = withJobs(yaml, [{ name: 'People', steps: ['person'] }, { name: 'Docs', steps: ['doc'], scope: [{ namespace: ['12'] }] }]);
    expect(text).toContain('# team wiki');
    expect(text).toContain('name: t # the name');
    expect(parsePlan(text).jobs).toEqual([{ name: 'People', steps: ['person'] }, { name: 'Docs', steps: ['doc'], scope: [{ namespace: ['12'] }] }]);
    const back = withJobs(text, []);
    expect(parsePlan(back).jobs).toBeUndefined();
    expect(back).toContain('# team wiki');
  });
});

describe('preview of jobs sharing a type', () => {
  it('shows each item once: from the first job that takes it, skipped only when no job does', async () => {
    const { ctx, store } = await setup(split('doc-0[0-4]*', 'doc-*').replace('doc-0[0-4]*', 'doc-00').replace('doc-*', 'doc-1*'));
    const preview = await previewMigration(ctx, store);
    const docs = preview.rows.filter((r) => r.type === 'doc');
    expect(docs).toHaveLength(12);
    expect(preview.counts.doc).toMatchObject({ create: 3, skip: 9 });
    expect(new Set(docs.map((r) => r.label)).size).toBe(12);
    expect(preview.steps.map((s) => [s.job, s.type])).toEqual([['People', 'person'], ['Early docs', 'doc'], ['Late docs', 'doc']]);
  });
});
