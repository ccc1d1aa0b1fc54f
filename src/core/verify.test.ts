import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nullLog } from '../app/run-log-file.js';
import { MemoryInstance, memoryConnector, memoryTypes } from '../sdk/testing/memory-platform.js';
import { openSqlite } from '../store/sqlite-store.js';
import { Store } from '../store/store.js';
import type { MigrationContext, RunState } from './context.js';
import { parsePlan } from './plan.js';
import { RunReporter } from './reporter.js';
import { executeRun } from './runner.js';
import { executeVerifyRun } from './verify-step.js';

async function setup(planExtra = '') {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-verify-')), 'store.sqlite')));
  const source = new MemoryInstance('src');
  const target = new MemoryInstance('tgt');
  const connector = memoryConnector(new Map([['src', source], ['tgt', target]]));
  const open = (instance: string) => connector.open({ instance }, { log: () => undefined, userAgent: 't', tempDir: tmpdir() });
  const ctx: MigrationContext = {
    migrationId: 1,
    plan: parsePlan(`name: t\nsource: src\ntarget: tgt\n${planExtra}`),
    types: memoryTypes,
    source: await open('src'),
    target: await open('tgt'),
    scope: { source: 'src', target: 'tgt' },
    signal: new AbortController().signal,
  };
  const deps = { store, clock: { now: () => new Date() }, log: nullLog, sleep: async () => undefined };
  const run = async () => executeRun(deps, ctx, await store.createRun({ migrationId: 1, kind: 'run', startedAt: new Date().toISOString(), pid: process.pid }), { kind: 'fresh' });
  const verify = async () => {
    const record = await store.createRun({ migrationId: 1, kind: 'verify', startedAt: new Date().toISOString(), pid: process.pid });
    const reporter = new RunReporter({ store, clock: deps.clock, log: nullLog, runId: record.id, migrationId: 1 });
    const state: RunState = { deps, ctx, run: record, reporter, stopped: false, fatal: undefined, placeholder: {}, placeholderUses: new Map() };
    return executeVerifyRun(state);
  };
  for (const name of ['alice', 'bob']) source.put('person', name, `about ${name}`);
  for (let i = 0; i < 8; i++) source.put('doc', `doc-${i}`, `body number ${i}`, i % 2 ? 'alice' : 'bob', i > 0 ? `doc-${i - 1}` : undefined);
  return { store, source, target, run, verify };
}

describe('verify', () => {
  it('ends every run by comparing source and target afresh: equal after a clean run', async () => {
    const { run } = await setup();
    const result = await run();
    expect(result.status).toBe('FINISHED');
    const report = result.summary?.verify;
    expect(report?.discrepancyCount).toBe(0);
    expect(report?.types.map((t) => [t.type, t.selected, t.equal, t.fieldsCompared])).toEqual([
      ['person', 2, 2, true],
      ['doc', 8, 8, true],
    ]);
  });

  it('catches a target that loses content while answering success: the run is INCOMPLETE and the item says why', async () => {
    const { run, target, store } = await setup();
    target.faults.corrupt = new Set(['doc-3']);
    const result = await run();
    expect(result.status).toBe('INCOMPLETE');
    expect(result.summary?.verify?.discrepancies).toEqual([
      expect.objectContaining({ type: 'doc', sourceId: 'doc-3', problem: 'different', field: 'body', source: 'body number 3', target: 'bo' }),
    ]);
    const [item] = await store.listItems(result.id, { sourceIds: ['doc-3'] });
    expect(item?.status).toBe('INCOMPLETE');
    expect(item?.reason).toMatch(/verify: .*differs in body/);
  });

  it('names every damaged object on the target, and the next run repairs them', async () => {
    const { run, verify, target } = await setup();
    expect((await run()).status).toBe('FINISHED');
    target.objects.get('doc')!.delete('doc-2');
    target.put('doc', 'doc-5', 'vandalised', 'alice', 'doc-4');
    target.put('doc', 'doc-6', 'body number 6', 'alice', 'doc-1'); // author and link both wrong now
    const checked = await verify();
    expect(checked.status).toBe('INCOMPLETE');
    const found = checked.summary!.verify!.discrepancies.map((d) => `${d.sourceId} ${d.problem} ${d.field ?? ''}`.trim());
    expect(found.sort()).toEqual(['doc-2 missing', 'doc-5 different body', 'doc-6 different author', 'doc-6 different link']);
    expect(checked.summary!.verify!.types.find((t) => t.type === 'doc')).toMatchObject({ selected: 8, equal: 5, missing: 1, different: 2 });

    // Verify made the ID map forget the damaged items: the next run writes them again.
    const repair = await run();
    expect(repair.status).toBe('FINISHED');
    expect(repair.summary?.totals).toMatchObject({ created: 1, updated: 2 });
    expect((await verify()).status).toBe('FINISHED');
  });

  it('does not count again what a post-migration action already names, in that run and in later verifies', async () => {
    const { run, verify, target, store } = await setup();
    target.faults.withoutAuthor = new Set(['doc-4']);
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(result.summary?.verify?.types.find((t) => t.type === 'doc')).toMatchObject({ equal: 7, actioned: 1, different: 0 });
    expect((await store.listActions(result.id)).map((a) => a.code)).toContain('author-not-set');
    expect((await verify()).status).toBe('FINISHED');
    // Damage in another field of the same item still counts.
    target.put('doc', 'doc-4', 'vandalised', undefined, 'doc-3');
    const checked = await verify();
    expect(checked.summary?.verify?.discrepancies.map((d) => d.field)).toEqual(['body']);
  });

  it('compares people credited to the placeholder as the run credited them', async () => {
    const { run, verify, target } = await setup('users:\n  default: placeholder\n');
    const result = await run();
    expect(result.status).toBe('FINISHED');
    expect(target.get('doc', 'doc-1')?.author).toBe('Ferry placeholder');
    expect(result.summary?.verify?.types.find((t) => t.type === 'person')).toMatchObject({ selected: 2, kept: 2 });
    // Kept as the target has it, but it must still be there.
    target.objects.get('person')!.delete('Ferry placeholder');
    const checked = await verify();
    expect(checked.summary?.verify?.discrepancies.map((d) => `${d.sourceId} ${d.problem}`)).toEqual(['alice missing', 'bob missing']);
  });

  it('turns what the source holds and Ferry does not carry into post-migration actions', async () => {
    const { run, source, store } = await setup();
    source.notCarried = [{ kind: 'gadget', label: 'gadgets', count: 3, examples: ['Clock', 'Map'], reason: 'the memory platform has no API to write them' }];
    const result = await run();
    expect(result.status).toBe('FINISHED');
    const actions = await store.listActions(result.id);
    expect(actions).toContainEqual(expect.objectContaining({ code: 'not-carried', message: expect.stringMatching(/3 gadgets on the source not carried \(for example "Clock", "Map"\): the memory platform has no API/) }));
    expect(result.summary?.verify?.notCarried).toHaveLength(1);
  });

  it('can be turned off in the plan; what is not carried is still named', async () => {
    const { run, source, store } = await setup('options:\n  verify: false\n');
    source.notCarried = [{ kind: 'gadget', label: 'gadgets', count: 1, examples: [], reason: 'no API' }];
    const result = await run();
    expect(result.summary?.verify).toBeUndefined();
    expect((await store.listActions(result.id)).map((a) => a.code)).toContain('not-carried');
  });
});
