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
import { previewMigration } from './preview.js';
import { executeRun } from './runner.js';

async function setup() {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-test-')), 'store.sqlite')));
  const source = new MemoryInstance('src');
  const target = new MemoryInstance('tgt');
  const connector = memoryConnector(new Map([['src', source], ['tgt', target]]));
  const ctx: MigrationContext = {
    migrationId: 1,
    plan: parsePlan('name: t\nsource: src\ntarget: tgt\n'),
    types: memoryTypes,
    source: await connector.open({ instance: 'src' }, { log: () => undefined, userAgent: 't', tempDir: tmpdir() }),
    target: await connector.open({ instance: 'tgt' }, { log: () => undefined, userAgent: 't', tempDir: tmpdir() }),
    scope: { source: 'src', target: 'tgt' },
    signal: new AbortController().signal,
  };
  const deps = { store, clock: { now: () => new Date() }, log: nullLog, sleep: async () => undefined };
  const run = async () => executeRun(deps, ctx, await store.createRun({ migrationId: 1, kind: 'run', startedAt: new Date().toISOString(), pid: process.pid }), { kind: 'fresh' });
  for (const name of ['alice', 'bob']) source.put('person', name, `about ${name}`);
  for (let i = 0; i < 8; i++) source.put('doc', `doc-${i}`, `body ${i}`, i % 2 ? 'alice' : 'bob');
  return { store, source, target, ctx, run };
}

describe('the ID map is not believed blindly', () => {
  it('a target emptied behind the map: the sample finds it, every item is checked and written again', async () => {
    const { target, run } = await setup();
    expect((await run()).summary?.totals.created).toBe(10);
    target.objects.get('doc')!.clear();
    target.objects.get('person')!.clear();
    const again = await run();
    expect(again.status).toBe('FINISHED');
    expect(again.summary?.totals).toMatchObject({ created: 10, unchanged: 0 });
    expect(target.objects.get('doc')!.size).toBe(8);
    expect(again.summary?.warnings).toBeGreaterThanOrEqual(1);
  });

  it('one object deleted among many: found by the sample, rewritten; the rest stays unchanged', async () => {
    const { target, run } = await setup();
    await run();
    target.objects.get('doc')!.delete('doc-0');
    const again = await run();
    expect(again.summary?.totals).toMatchObject({ created: 1, unchanged: 9 });
    expect(target.get('doc', 'doc-0')?.body).toBe('body 0');
  });

  it('a dry run names a failed write as failed, not as interrupted', async () => {
    const { target, run, ctx, store } = await setup();
    target.faults.failWrite = new Map([['doc-3', { kind: 'data' }]]);
    expect((await run()).summary?.totals.failed).toBe(1);
    const preview = await previewMigration(ctx, store);
    const row = preview.rows.find((r) => r.label === 'doc-3')!;
    expect(row.reason).toMatch(/^retrying a write that failed \(/);
    expect(row.reason).not.toMatch(/interrupted/);
  });

  it('actions are stored as they arise, once each, and the summary counts them from the store', async () => {
    const { target, run, store } = await setup();
    target.faults.failWrite = new Map([['doc-1', { kind: 'data' }]]);
    const first = await run();
    const stored = await store.listActions(first.id);
    expect(stored.filter((a) => a.code === 'item-data')).toHaveLength(1);
    expect(first.summary?.actions).toBe(stored.length);
    await store.addActions(first.id, stored);
    expect(await store.countActions(first.id)).toBe(stored.length);
  });
});
