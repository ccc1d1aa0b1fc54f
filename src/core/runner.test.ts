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
import type { RunKind } from './ports.js';
import { executeRun, type RunMode } from './runner.js';
import { executeUndo } from './undo.js';

async function setup(planExtra = '') {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-test-')), 'store.sqlite')));
  const source = new MemoryInstance('src');
  const target = new MemoryInstance('tgt');
  const connector = memoryConnector(new Map([['src', source], ['tgt', target]]));
  const plan = parsePlan(`name: t\nsource: src\ntarget: tgt\n${planExtra}`);
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
  const start = (kind: RunKind = 'run', parentRunId?: number) => store.createRun({ migrationId: 1, kind, startedAt: new Date().toISOString(), pid: process.pid, ...(parentRunId ? { parentRunId } : {}) });
  const run = async (mode: RunMode = { kind: 'fresh' }, onProgress?: Parameters<typeof executeRun>[0]['onProgress']) =>
    executeRun({ ...deps, ...(onProgress ? { onProgress } : {}) }, ctx, await start(mode.kind === 'rerun' ? 'rerun' : 'run', mode.kind === 'rerun' ? mode.parent.id : undefined), mode);
  return { store, source, target, ctx, deps, run, start };
}

function fill(source: MemoryInstance, docs = 10) {
  for (const name of ['alice', 'bob', 'carol']) source.put('person', name, `about ${name}`);
  for (let i = 0; i < docs; i++) source.put('doc', `doc-${String(i).padStart(2, '0')}`, `body ${i}`, ['alice', 'bob', 'carol'][i % 3]);
}

describe('runner', () => {
  it('migrates with references resolved, then re-runs without writing and updates exactly what changed', async () => {
    const { source, target, run } = await setup();
    fill(source);
    const first = await run();
    expect(first.status).toBe('FINISHED');
    expect(first.summary?.totals.created).toBe(13);
    expect(target.get('doc', 'doc-04')?.author).toBe('bob');
    const writes = target.writes;
    const second = await run();
    expect(second.summary?.totals).toMatchObject({ created: 0, updated: 0, unchanged: 13 });
    expect(target.writes).toBe(writes);
    source.put('doc', 'doc-02', 'edited', 'carol');
    source.put('doc', 'doc-07', 'edited', 'bob');
    const third = await run();
    expect(third.summary?.totals).toMatchObject({ created: 0, updated: 2, unchanged: 11 });
    expect(target.get('doc', 'doc-02')?.body).toBe('edited');
  });

  it('fails an oversized item, reports it, and a re-run after the fix completes it', async () => {
    const { source, target, run, store } = await setup();
    fill(source, 4);
    target.faults.failWrite = new Map([['doc-01', { kind: 'too_large' }]]);
    const first = await run();
    expect(first.status).toBe('INCOMPLETE');
    const failed = await store.listItems(first.id, { statuses: ['FAILED'] });
    expect(failed.map((i) => i.sourceId)).toEqual(['doc-01']);
    expect((await store.listActions(first.id)).some((a) => a.code === 'item-too_large' && a.label === 'doc-01')).toBe(true);
    target.faults.failWrite = undefined;
    const rerun = await run({ kind: 'rerun', parent: first });
    expect(rerun.status).toBe('FINISHED');
    expect((await store.listItems(rerun.id)).map((i) => [i.sourceId, i.status])).toEqual([['doc-01', 'COMPLETE']]);
    expect(target.get('doc', 'doc-01')).toBeDefined();
  });

  it('undo of a re-run removes what the re-run created; undo of the first run leaves it', async () => {
    const { source, target, run, ctx, deps, start } = await setup();
    fill(source, 4);
    target.faults.failWrite = new Map([['doc-01', { kind: 'too_large' }]]);
    const first = await run();
    target.faults.failWrite = undefined;
    const rerun = await run({ kind: 'rerun', parent: first });
    expect(target.get('doc', 'doc-01')).toBeDefined();
    const undoFirst = await executeUndo(deps, ctx, await start('undo'), { of: first });
    expect(undoFirst.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-00')).toBeUndefined();
    expect(target.get('doc', 'doc-01')).toBeDefined();
    const undoRerun = await executeUndo(deps, ctx, await start('undo'), { of: rerun });
    expect(undoRerun.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-01')).toBeUndefined();
  });

  it('retries transient failures and gives up after maxAttempts', async () => {
    const { source, target, run } = await setup('options:\n  maxAttempts: 3\n');
    fill(source, 3);
    target.faults.failWrite = new Map([
      ['doc-00', { kind: 'transient', times: 2 }],
      ['doc-01', { kind: 'transient' }],
    ]);
    const result = await run();
    expect(result.status).toBe('INCOMPLETE');
    expect(target.get('doc', 'doc-00')).toBeDefined();
    expect(target.get('doc', 'doc-01')).toBeUndefined();
    expect(result.summary?.totals.failed).toBe(1);
  });

  it('times out a slow item as TIMED_OUT', async () => {
    const { source, target, run } = await setup('options:\n  itemTimeoutSeconds: 0.2\n');
    source.put('person', 'alice', 'x');
    target.faults.writeDelayMs = 2000;
    const result = await run();
    expect(result.summary?.totals.timedOut).toBe(1);
    expect(result.status).toBe('INCOMPLETE');
  });

  it('stops between batches, leaves the rest READY, and the next run completes without duplicates', async () => {
    const { source, target, run, store, ctx, deps, start } = await setup('options:\n  concurrency: 1\n');
    fill(source, 12);
    const record = await start();
    const stopped = await executeRun(
      { ...deps, onProgress: (e) => void (e.kind === 'step-progress' && e.step === 'doc' && store.requestStop(record.id)) },
      ctx,
      record,
      { kind: 'fresh' },
    );
    expect(stopped.status).toBe('STOPPED');
    expect((await store.countItems(record.id, 'doc')).READY).toBeGreaterThan(0);
    expect(target.objects.get('doc')!.size).toBeLessThan(12);
    const next = await run();
    expect(next.status).toBe('FINISHED');
    expect([...target.objects.get('doc')!.keys()].sort()).toEqual([...source.objects.get('doc')!.keys()].sort());
  });

  it('writes an item again once a reference written after it resolves, and lists what never resolves', async () => {
    const { source, target, run, store, ctx, deps, start } = await setup();
    fill(source, 6);
    source.put('doc', 'doc-00', 'links forward', 'alice', 'doc-05');
    source.put('doc', 'doc-01', 'links nowhere', 'alice', 'missing-doc');
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-00')?.link).toBe('doc-05');
    expect(target.get('doc', 'doc-01')?.link).toBeUndefined();
    const actions = await store.listActions(result.id);
    expect(actions.filter((a) => a.code === 'unresolved-reference').map((a) => a.label)).toEqual(['doc-01']);
    expect((await store.listItems(result.id, { deferred: true })).length).toBe(0);
    const again = await run();
    expect(again.summary?.totals).toMatchObject({ created: 0, updated: 0 });
    // The second write's version is what undo compares with: the item is removed, not kept as "changed".
    const undo = await executeUndo(deps, ctx, await start('undo'), { of: result });
    expect(undo.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-00')).toBeUndefined();
  });

  it('cancels chosen READY items while the rest keep running', async () => {
    const { source, target, store, ctx, deps, start } = await setup('options:\n  concurrency: 1\n');
    fill(source, 9);
    const record = await start();
    let cancelled = 0;
    const result = await executeRun(
      {
        ...deps,
        onProgress: async (e) => {
          if (e.kind === 'step-total' && e.step === 'doc' && cancelled === 0 && e.total === 9) {
            cancelled = await store.cancelItems(record.id, { sourceIds: ['doc-07', 'doc-08'] }, new Date().toISOString());
          }
        },
      },
      ctx,
      record,
      { kind: 'fresh' },
    );
    expect(cancelled).toBe(2);
    expect(result.summary?.totals.cancelled).toBe(2);
    expect(target.get('doc', 'doc-07')).toBeUndefined();
    expect(target.get('doc', 'doc-06')).toBeDefined();
    expect(result.status).toBe('FINISHED');
  });

  it('resumes an interrupted run: the running step starts again and nothing is written twice', async () => {
    const { source, target, store, ctx, deps, start } = await setup('options:\n  concurrency: 1\n');
    fill(source, 8);
    const record = await start();
    // Let the first run stop half-way, then make it look like a crash: RUNNING run, Running step, an item in flight.
    await executeRun({ ...deps, onProgress: (e) => void (e.kind === 'step-progress' && e.step === 'doc' && store.requestStop(record.id)) }, ctx, record, { kind: 'fresh' });
    // A crash leaves the run RUNNING; no status transition leads back there, so the test writes the row as a crash leaves it.
    await store.db.updateTable('runs').set({ status: 'RUNNING', ended_at: null, stop_requested: 0 }).where('id', '=', record.id).execute();
    const docStep = (await store.listSteps(record.id)).find((s) => s.type === 'doc')!;
    await store.updateStep(record.id, docStep.idx, { status: 'Running' });
    const ready = await store.listItems(record.id, { type: 'doc', statuses: ['READY'], limit: 1 });
    await store.updateItem(record.id, 'doc', ready[0]!.sourceId, { status: 'RUNNING' }, new Date().toISOString());
    const writes = target.writes;
    const resumed = await executeRun(deps, ctx, (await store.getRun(record.id))!, { kind: 'resume' });
    expect(resumed.status).toBe('FINISHED');
    expect(target.objects.get('doc')!.size).toBe(8);
    expect(target.writes - writes).toBeLessThanOrEqual(3);
  });

  it('undo removes what the run created, keeps what existed and what changed since', async () => {
    const { source, target, run, store, ctx, deps, start } = await setup();
    fill(source, 5);
    target.put('doc', 'doc-00', 'already here');
    const first = await run();
    expect(first.summary?.totals.adopted).toBe(1);
    target.put('doc', 'doc-03', 'edited on the target');
    const undo = await executeUndo(deps, ctx, await start('undo'), { of: first });
    expect(undo.status).toBe('INCOMPLETE');
    expect(target.get('doc', 'doc-00')?.body).toBe('already here');
    expect(target.get('doc', 'doc-03')?.body).toBe('edited on the target');
    expect(target.get('doc', 'doc-01')).toBeUndefined();
    expect(target.get('person', 'alice')).toBeUndefined();
    expect((await store.listActions(undo.id)).map((a) => a.code)).toContain('undo-changed');
  });

  it('repeats an interrupted rename as a rename, never claiming the original', async () => {
    const { source, target, run, store } = await setup('conflict: rename\n');
    source.put('doc', 'doc-a', 'from the source');
    target.put('doc', 'doc-a', 'the target original');
    // As if a run died right after recording its intent to write the renamed copy.
    await store.putMapping({ source: 'src', target: 'tgt' }, { type: 'doc', sourceId: 'doc-a', targetId: '', hash: null, runId: 99, origin: 'created', state: 'pending', pendingMode: 'rename' }, new Date().toISOString());
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-a')?.body).toBe('the target original');
    expect(target.get('doc', 'doc-a (migrated)')?.body).toBe('from the source');
  });

  it('maps users by the plan and credits unmapped authors to the placeholder', async () => {
    const { source, target, run, store } = await setup('users:\n  map:\n    alice: { map: admin }\n    bob: placeholder\n');
    fill(source, 3);
    target.put('person', 'admin', 'the admin');
    source.put('doc', 'orphan', 'by a ghost', 'ghost');
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-00')?.author).toBe('admin');
    expect(target.get('doc', 'doc-01')?.author).toBe('Ferry placeholder');
    expect(target.get('doc', 'orphan')?.author).toBe('Ferry placeholder');
    expect(target.get('person', 'alice')).toBeUndefined();
    const actions = await store.listActions(result.id);
    expect(actions.find((a) => a.code === 'placeholder-author' && a.sourceId === 'ghost')?.message).toContain('orphan');
    expect(actions.find((a) => a.code === 'placeholder-author' && a.sourceId === 'bob')?.message).toContain('doc-01');
  });
});

