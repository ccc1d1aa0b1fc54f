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
import { executeRun } from './runner.js';
import { IllegalTransition, ITEM_STATUSES, RUN_STATUSES, STEP_STATUSES, transitionItem, transitionRun, transitionStep } from './statuses.js';

describe('transition functions', () => {
  it('allow exactly the documented changes', () => {
    const allowed = (fn: (a: never, b: never) => unknown, all: readonly string[]) =>
      all.flatMap((from) => all.filter((to) => { try { fn(from as never, to as never); return true; } catch (e) { expect(e).toBeInstanceOf(IllegalTransition); return false; } }).map((to) => `${from}>${to}`));
    expect(allowed(transitionRun, RUN_STATUSES)).toEqual(['RUNNING>FINISHED', 'RUNNING>STOPPED', 'RUNNING>INCOMPLETE', 'RUNNING>FAILED']);
    expect(allowed(transitionStep, STEP_STATUSES)).toEqual(['Pending>Running', 'Pending>Skipped', 'Pending>Error', 'Running>Pending', 'Running>Success', 'Running>Error']);
    expect(allowed(transitionItem, ITEM_STATUSES)).toEqual([
      'READY>RUNNING', 'READY>COMPLETE', 'READY>SKIPPED', 'READY>FAILED', 'READY>CANCELLED',
      'RUNNING>READY', 'RUNNING>COMPLETE', 'RUNNING>SKIPPED', 'RUNNING>INCOMPLETE', 'RUNNING>FAILED', 'RUNNING>TIMED_OUT', 'RUNNING>CANCELLED',
      'COMPLETE>INCOMPLETE', 'INCOMPLETE>READY', 'FAILED>READY', 'TIMED_OUT>READY',
    ]);
  });
});

async function setup() {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-status-')), 'ferry.sqlite')));
  const source = new MemoryInstance('src');
  const target = new MemoryInstance('tgt');
  const connector = memoryConnector(new Map([['src', source], ['tgt', target]]));
  const env = { log: () => undefined, userAgent: 't', tempDir: tmpdir() };
  const ctx: MigrationContext = {
    migrationId: 1,
    plan: parsePlan('name: t\nsource: src\ntarget: tgt\noptions:\n  concurrency: 1\n'),
    types: memoryTypes,
    source: await connector.open({ instance: 'src' }, env),
    target: await connector.open({ instance: 'tgt' }, env),
    scope: { source: 'src', target: 'tgt' },
    signal: new AbortController().signal,
  };
  for (const name of ['alice', 'bob']) source.put('person', name, `about ${name}`);
  for (let i = 0; i < 6; i++) source.put('doc', `doc-${i}`, `body ${i}`, 'alice');
  const deps = { store, clock: { now: () => new Date() }, log: nullLog, sleep: async () => undefined };
  const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: new Date().toISOString(), pid: process.pid });
  /** Runs `during` while the engine asks the target about doc items it has already read as READY. */
  const duringDocLookup = (during: (keys: string[]) => Promise<void>) => {
    const lookup = ctx.target.lookup.bind(ctx.target);
    let done = false;
    ctx.target.lookup = async (type, keys, options) => {
      if (type === 'doc' && !done) {
        done = true;
        await during(keys);
      }
      return lookup(type, keys, options);
    };
  };
  return { store, target, ctx, deps, run, duringDocLookup };
}

describe('status changes in the engine', () => {
  it('an item cancelled after its batch read it stays CANCELLED and is not written; the rest run on', async () => {
    const { store, target, ctx, deps, run, duringDocLookup } = await setup();
    let cancelled: string[] = [];
    duringDocLookup(async (keys) => {
      cancelled = keys;
      await store.cancelItems(run.id, { sourceIds: keys }, new Date().toISOString());
    });
    const result = await executeRun(deps, ctx, run, { kind: 'fresh' });
    expect(cancelled.length).toBeGreaterThan(0);
    expect(result.status).toBe('FINISHED');
    for (const key of cancelled) expect([key, target.get('doc', key)]).toEqual([key, undefined]);
    const items = await store.listItems(run.id, { type: 'doc' });
    expect(items.filter((i) => i.status === 'CANCELLED').map((i) => i.sourceId).sort()).toEqual([...cancelled].sort());
    expect(items.filter((i) => i.status === 'COMPLETE').length).toBe(6 - cancelled.length);
  });

  it('an illegal change (a stored status no rule leads from) ends the process loudly, not the run quietly', async () => {
    const { store, ctx, deps, run, duringDocLookup } = await setup();
    duringDocLookup(async (keys) => {
      // Something wrote COMPLETE behind the engine's back: no transition exists from there to RUNNING.
      await store.db.updateTable('items').set({ status: 'COMPLETE' }).where('run_id', '=', run.id).where('source_id', 'in', keys).execute();
    });
    await expect(executeRun(deps, ctx, run, { kind: 'fresh' })).rejects.toThrow(/Illegal item status transition COMPLETE -> (RUNNING|COMPLETE)/);
  });

  it('a resumed run puts items left RUNNING back to READY through the transition, then finishes them', async () => {
    const { store, target, ctx, deps, run } = await setup();
    await store.createSteps(run.id, [
      { idx: 0, job: 'All', type: 'person', label: 'People', status: 'Pending', reason: null },
      { idx: 1, job: 'All', type: 'doc', label: 'Docs', status: 'Pending', reason: null },
    ]);
    await store.updateStep(run.id, 0, { status: 'Running' });
    await store.addItems(run.id, [{ type: 'person', sourceId: 'alice', key: 'alice', label: 'alice', hash: 'x' }], new Date().toISOString(), 0);
    await store.updateItem(run.id, 'person', 'alice', { status: 'RUNNING' }, new Date().toISOString());
    const resumed = await executeRun(deps, ctx, run, { kind: 'resume' });
    expect(resumed.status).toBe('FINISHED');
    expect(target.get('person', 'alice')).toBeDefined();
    expect((await store.listItems(run.id, { type: 'person' })).every((i) => i.status === 'COMPLETE')).toBe(true);
  });
});
