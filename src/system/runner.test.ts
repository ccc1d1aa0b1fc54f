import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../sdk/errors.js';
import { openSqlite } from '../store/sqlite-store.js';
import { Store } from '../store/store.js';
import type { MigrationRow } from '../store/records.js';
import { runSystem, SystemPrecheckFailed, undoSystem, type SystemDeps } from './runner.js';
import type { InstallationInfo, SystemAdapter, SystemOperation } from './types.js';

/** A fake platform for fault injection: two operations, the second in ten checkpointed chunks. */
function fakeAdapter(script: { calls: string[]; stopAt?: number; failIn?: string; precheckError?: string; onChunk?: (n: number) => Promise<void> }): SystemAdapter {
  const info = (configFile: string): InstallationInfo => ({
    platform: 'mediawiki', version: '1.39.0', location: { configFile }, url: `http://x${configFile}`, hostName: 'h', domain: 'd', addresses: [],
    database: { engine: 'sqlite', location: configFile, name: 'db', sizeBytes: 1000, replicated: false },
    uploadsDir: '/u', uploadsBytes: 0, extraDirs: [], logFiles: [], secrets: {}, serverRole: 'standalone', inMaintenance: false,
  });
  const first: SystemOperation = {
    name: 'first', label: 'The first', estimate: async () => 100,
    async run(ctx) {
      script.calls.push('first');
      ctx.progress(100);
    },
    async undo() {
      script.calls.push('undo-first');
    },
  };
  const chunks: SystemOperation = {
    name: 'chunks', label: 'Ten chunks', estimate: async () => 1000,
    async run(ctx) {
      const start = Number((await ctx.checkpoint()) ?? 0);
      script.calls.push(`chunks-from-${start}`);
      if (script.failIn === 'chunks') throw new ConnectorError('the disk is full', { kind: 'too_large' });
      for (let n = start; n < 10; n++) {
        ctx.signal.throwIfAborted();
        await script.onChunk?.(n);
        await new Promise((r) => setTimeout(r, 5));
        ctx.signal.throwIfAborted();
        await ctx.saveCheckpoint(String(n + 1));
        ctx.progress((n + 1) * 100);
      }
    },
    async undo() {
      script.calls.push('undo-chunks');
    },
  };
  return {
    platform: 'mediawiki',
    discover: async (_host, location) => info(location.configFile),
    precheck: async () => (script.precheckError ? [{ level: 'error', message: script.precheckError }] : []),
    operations: () => [first, chunks],
  };
}

async function setup(): Promise<{ store: Store; deps: Omit<SystemDeps, 'adapter'>; draft: MigrationRow; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-system-'));
  mkdirSync(join(dir, 'logs'));
  const store = new Store(await openSqlite(join(dir, 'store.sqlite')));
  const yaml = `kind: system\nname: fake-move\nplatform: mediawiki\nsource: { host: local, configFile: /a/LocalSettings.php, workDir: ${dir}/sw }\ntarget: { host: local, configFile: /b/LocalSettings.php, workDir: ${dir}/tw }\n`;
  writeFileSync(join(dir, 'plan.yaml'), yaml);
  const now = new Date().toISOString();
  const draft: MigrationRow = { id: 0, name: 'fake-move', plan_yaml: yaml, plan_file: null, source: 's', target: 't', archived: 0, created_at: now, updated_at: now };
  return { store, deps: { store, clock: { now: () => new Date() }, dataDir: dir }, draft, dir };
}

describe('system runner (fake adapter)', () => {
  it('runs each operation as a step with bytes, its checkpoint in the store and its lines in the log', async () => {
    const { store, deps, draft } = await setup();
    const calls: string[] = [];
    const run = await runSystem({ ...deps, adapter: fakeAdapter({ calls }) }, draft);
    expect(run.status).toBe('FINISHED');
    expect(calls).toEqual(['first', 'chunks-from-0']);
    const steps = await store.listSteps(run.id);
    expect(steps.map((s) => [s.type, s.status, s.done, s.total])).toEqual([['first', 'Success', 100, 100], ['chunks', 'Success', 1000, 1000]]);
    expect(await store.getCursor(run.id, 'chunks')).toBe('10');
    expect(readFileSync(run.logFile!, 'utf8')).toMatch(/Ten chunks: done in/);
    await store.close();
  });

  it('a stop inside an operation leaves the run STOPPED with its checkpoint; the next run continues inside it; undo reverses every started operation', async () => {
    const { store, deps, draft } = await setup();
    const calls: string[] = [];
    let runId = 0;
    const adapter = fakeAdapter({ calls, onChunk: async (n) => {
      if (n === 4) {
        runId = (await store.lastRun((await store.migrations.byName('fake-move'))!.id))!.id;
        await store.requestStop(runId);
        await new Promise((r) => setTimeout(r, 700));
      }
    } });
    const stopped = await runSystem({ ...deps, adapter }, draft);
    expect(stopped.status).toBe('STOPPED');
    const step = (await store.listSteps(stopped.id)).find((s) => s.type === 'chunks')!;
    expect(step.status).toBe('Pending');
    expect(Number(await store.getCursor(stopped.id, 'chunks'))).toBeGreaterThanOrEqual(4);

    const saved = (await store.migrations.byName('fake-move'))!;
    const continued = await runSystem({ ...deps, adapter: fakeAdapter({ calls }) }, saved);
    expect(continued.status).toBe('FINISHED');
    expect(continued.parentRunId).toBe(stopped.id);
    expect(calls.filter((c) => c.startsWith('chunks-from-'))).toEqual(['chunks-from-0', `chunks-from-${await store.getCursor(stopped.id, 'chunks')}`]);
    expect(calls.filter((c) => c === 'first')).toHaveLength(1);
    const steps = await store.listSteps(continued.id);
    expect(steps[0]).toMatchObject({ type: 'first', status: 'Skipped', reason: `done in run ${stopped.id}` });

    calls.length = 0;
    const undo = await undoSystem({ ...deps, adapter: fakeAdapter({ calls }) }, saved, continued);
    expect(undo.kind).toBe('undo');
    expect(undo.status).toBe('FINISHED');
    expect(calls).toEqual(['undo-chunks', 'undo-first']);
    await store.close();
  });

  it('a run killed mid-way (RUNNING, its process gone) can be undone: it ends FAILED and its started operations are reversed', async () => {
    const { store, deps, draft } = await setup();
    const calls: string[] = [];
    const saved = await store.migrations.save({ name: draft.name, planYaml: draft.plan_yaml, planFile: null, source: 's', target: 't', at: new Date().toISOString() });
    const dead = 2 ** 22 + 4321;
    const killed = await store.createRun({ migrationId: saved.id, kind: 'run', startedAt: new Date().toISOString(), pid: dead });
    await store.setCursor(killed.id, '_workdir', '/tmp/tw');
    await store.setCursor(killed.id, '_source_workdir', '/tmp/sw');
    await store.createSteps(killed.id, [{ idx: 0, job: 'system', type: 'first', label: 'The first', status: 'Pending', reason: null }, { idx: 1, job: 'system', type: 'chunks', label: 'Ten chunks', status: 'Pending', reason: null }]);
    await store.updateStep(killed.id, 0, { status: 'Running', startedAt: new Date().toISOString() });
    const undo = await undoSystem({ ...deps, adapter: fakeAdapter({ calls }) }, saved, (await store.getRun(killed.id))!);
    expect(undo.status).toBe('FINISHED');
    expect(calls).toEqual(['undo-first']);
    expect((await store.getRun(killed.id))!.status).toBe('FAILED');
    await store.close();
  });

  it('a pre-check error writes nothing: no migration saved, no run, no operation called', async () => {
    const { store, deps, draft } = await setup();
    const calls: string[] = [];
    await expect(runSystem({ ...deps, adapter: fakeAdapter({ calls, precheckError: 'the target is older than the source' }) }, draft)).rejects.toBeInstanceOf(SystemPrecheckFailed);
    expect(calls).toEqual([]);
    expect(await store.migrations.byName('fake-move')).toBeUndefined();
    await store.close();
  });

  it('an operation marked beside runs while the next besideOk ones do; the first one that is not waits for it', async () => {
    const { store, deps, draft } = await setup();
    const events: string[] = [];
    const timed = (name: string, ms: number, flags: Partial<SystemOperation> = {}, fail?: string): SystemOperation => ({
      name, label: name, estimate: async () => 0, ...flags,
      async run() {
        events.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (fail) throw new ConnectorError(fail, { kind: 'data' });
        events.push(`${name}:end`);
      },
    });
    const adapterOf = (operations: SystemOperation[]): SystemAdapter => ({ ...fakeAdapter({ calls: [] }), operations: () => operations });
    const run = await runSystem({ ...deps, adapter: adapterOf([timed('db', 120, { beside: true }), timed('files', 20, { besideOk: true }), timed('urls', 20, { besideOk: true }), timed('schema', 10)]) }, draft);
    expect(run.status).toBe('FINISHED');
    expect(events).toEqual(['db:start', 'files:start', 'files:end', 'urls:start', 'urls:end', 'db:end', 'schema:start', 'schema:end']);
    expect((await store.listSteps(run.id)).map((s) => s.status)).toEqual(['Success', 'Success', 'Success', 'Success']);

    // The operation beside fails: the ones started beside it end, nothing after them starts, the run is INCOMPLETE.
    events.length = 0;
    const second = await runSystem({ ...deps, adapter: adapterOf([timed('db', 60, { beside: true }, 'the dump broke'), timed('files', 120, { besideOk: true }), timed('urls', 10, { besideOk: true }), timed('schema', 10)]) }, (await store.migrations.byName('fake-move'))!);
    expect(second.status).toBe('INCOMPLETE');
    expect(events).toEqual(['db:start', 'files:start', 'files:end']);
    expect((await store.listSteps(second.id)).map((s) => s.status)).toEqual(['Error', 'Success', 'Pending', 'Pending']);

    // besideOk decided from the installations (WordPress's URL rewrite: not beside the file copy when the target has drop-ins).
    const decided: Array<{ source: string; target: string }> = [];
    const when = (ok: boolean): Partial<SystemOperation> => ({
      besideOk: ({ source, target }) => {
        decided.push({ source: source.location.configFile, target: target.location.configFile });
        return ok;
      },
    });
    for (const ok of [true, false]) {
      events.length = 0;
      const third = await runSystem({ ...deps, adapter: adapterOf([timed('files', 80, { beside: true }), timed('db', 10, { besideOk: true }), timed('urls', 10, when(ok)), timed('schema', 10)]) }, (await store.migrations.byName('fake-move'))!);
      expect(third.status).toBe('FINISHED');
      expect(events).toEqual(ok
        ? ['files:start', 'db:start', 'db:end', 'urls:start', 'urls:end', 'files:end', 'schema:start', 'schema:end']
        : ['files:start', 'db:start', 'db:end', 'files:end', 'urls:start', 'urls:end', 'schema:start', 'schema:end']);
    }
    expect(decided).toEqual([{ source: '/a/LocalSettings.php', target: '/b/LocalSettings.php' }, { source: '/a/LocalSettings.php', target: '/b/LocalSettings.php' }]);
    await store.close();
  });

  it('an operation that fails ends its step in Error and the run INCOMPLETE, with the reason', async () => {
    const { store, deps, draft } = await setup();
    const calls: string[] = [];
    const run = await runSystem({ ...deps, adapter: fakeAdapter({ calls, failIn: 'chunks' }) }, draft);
    expect(run.status).toBe('INCOMPLETE');
    const steps = await store.listSteps(run.id);
    expect(steps.map((s) => s.status)).toEqual(['Success', 'Error']);
    expect(steps[1]!.reason).toBe('the disk is full');
    expect(readFileSync(run.logFile!, 'utf8')).toMatch(/Ten chunks failed: the disk is full/);
    await store.close();
  });
});
