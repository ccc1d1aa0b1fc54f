import { describe, expect, it } from 'vitest';
import type { FerryStore } from './ferry-store.js';

/**
 * The contract every store adapter passes (SQLite today, PostgreSQL next):
 * run it with `storeSuite('name', open)` where `open` gives an empty,
 * migrated store. It tests behaviour through FerryStore only, never SQL.
 */
export function storeSuite(name: string, open: () => Promise<FerryStore>): void {
  const at = (s = 0) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
  const header = (sourceId: string, type = 'doc') => ({ type, sourceId, key: `k-${sourceId}`, label: `L ${sourceId}`, hash: `h-${sourceId}` });
  const scope = { source: 'old', target: 'new' };

  async function withStore(body: (store: FerryStore) => Promise<void>): Promise<void> {
    const store = await open();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }

  async function migration(store: FerryStore, n = 'm1') {
    return store.migrations.save({ name: n, planYaml: `name: ${n}\n`, planFile: null, source: 'old', target: 'new', at: at() });
  }

  describe(`store suite: ${name}`, () => {
    it('runs: create, read, list newest first, last of some kinds, status transitions, stop requests', () =>
      withStore(async (store) => {
        const m = await migration(store);
        const first = await store.createRun({ migrationId: m.id, kind: 'run', startedAt: at(1), pid: 11, host: 'node-a' });
        expect(first).toMatchObject({ migrationId: m.id, kind: 'run', status: 'RUNNING', parentRunId: null, stopRequested: false, pid: 11, host: 'node-a' });
        // The process that resumes a run on another machine takes it over: pid and host together.
        await store.updateRun(first.id, { pid: 21, host: 'node-b', heartbeatAt: at(1) });
        expect(await store.getRun(first.id)).toMatchObject({ pid: 21, host: 'node-b', heartbeatAt: at(1) });
        await store.updateRun(first.id, { status: 'FINISHED', endedAt: at(2), summary: { types: {}, totals: { created: 1, updated: 0, unchanged: 0, adopted: 0, skipped: 0, failed: 0, timedOut: 0, cancelled: 0, removed: 0 }, warnings: 0, errors: 0, actions: 0 } });
        const second = await store.createRun({ migrationId: m.id, kind: 'verify', parentRunId: first.id, startedAt: at(3), pid: 12 });
        expect((await store.getRun(first.id))).toMatchObject({ status: 'FINISHED', endedAt: at(2), summary: { totals: { created: 1 } } });
        expect((await store.listRuns(m.id)).map((r) => r.id)).toEqual([second.id, first.id]);
        expect((await store.lastRun(m.id, ['run']))?.id).toBe(first.id);
        expect((await store.lastRun(m.id, ['verify']))?.parentRunId).toBe(first.id);
        expect(await store.getRun(99_999)).toBeUndefined();
        await expect(store.updateRun(first.id, { status: 'RUNNING' })).rejects.toThrow(/Illegal/);
        expect(await store.requestStop(first.id)).toBe(false);
        expect(await store.requestStop(second.id)).toBe(true);
        expect(await store.isStopRequested(second.id)).toBe(true);
        const third = await store.createRun({ migrationId: m.id, kind: 'run', startedAt: at(4), pid: 13 });
        expect(await store.requestStopOfProcess(13)).toBe(1);
        expect(await store.isStopRequested(third.id)).toBe(true);
      }));

    it('steps: created in order, updated through their transitions', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        await store.createSteps(run.id, [
          { idx: 1, job: 'Content', type: 'doc', label: 'Docs', status: 'Pending', reason: null },
          { idx: 0, job: 'People', type: 'person', label: 'People', status: 'Pending', reason: null },
        ]);
        await store.updateStep(run.id, 0, { status: 'Running', total: 5, startedAt: at(1) });
        await store.updateStep(run.id, 0, { done: 5 });
        await store.updateStep(run.id, 0, { status: 'Success', endedAt: at(2) });
        const steps = await store.listSteps(run.id);
        expect(steps.map((s) => [s.idx, s.type, s.status])).toEqual([[0, 'person', 'Success'], [1, 'doc', 'Pending']]);
        expect(steps[0]).toMatchObject({ total: 5, done: 5, startedAt: at(1), endedAt: at(2) });
        await expect(store.updateStep(run.id, 0, { status: 'Pending' })).rejects.toThrow(/Illegal/);
      }));

    it('items: added once, listed in insertion order with filters and paging, counted, summarised, cancelled', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        await store.addItems(run.id, ['a', 'b', 'c', 'd'].map((id) => header(id)), at());
        await store.addItems(run.id, [header('a')], at());
        await store.addFinishedItems(run.id, [{ header: header('p', 'person'), status: 'SKIPPED', reason: 'filtered' }], at());
        await store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at());
        await store.updateItem(run.id, 'doc', 'a', { status: 'COMPLETE', outcome: 'created', targetId: '7', deferredRefs: [{ type: 'doc', sourceId: 'b' }] }, at(1));
        expect((await store.listItems(run.id)).map((i) => i.sourceId)).toEqual(['a', 'b', 'c', 'd', 'p']);
        expect((await store.listItems(run.id, { limit: 2, offset: 1 })).map((i) => i.sourceId)).toEqual(['b', 'c']);
        expect((await store.listItems(run.id, { statuses: ['COMPLETE', 'SKIPPED'] })).map((i) => i.sourceId)).toEqual(['a', 'p']);
        expect((await store.listItems(run.id, { type: 'person' }))[0]).toMatchObject({ status: 'SKIPPED', reason: 'filtered', key: 'k-p' });
        expect((await store.listItems(run.id, { deferred: true }))[0]).toMatchObject({ sourceId: 'a', targetId: '7', outcome: 'created', deferredRefs: [{ type: 'doc', sourceId: 'b' }] });
        expect((await store.listItems(run.id, { sourceIds: [] }))).toEqual([]);
        expect(await store.countItems(run.id)).toEqual({ COMPLETE: 1, READY: 3, SKIPPED: 1 });
        expect(await store.countItems(run.id, 'doc')).toEqual({ COMPLETE: 1, READY: 3 });
        expect(await store.cancelItems(run.id, { sourceIds: ['b', 'a'] }, at())).toBe(1);
        expect(await store.cancelItems(run.id, { type: 'doc' }, at())).toBe(2);
        const summary = await store.summarizeItems(run.id);
        expect(summary).toContainEqual({ type: 'doc', status: 'CANCELLED', outcome: null, count: 3 });
        expect(summary).toContainEqual({ type: 'doc', status: 'COMPLETE', outcome: 'created', count: 1 });
        await expect(store.updateItem(run.id, 'doc', 'b', { status: 'RUNNING' }, at())).rejects.toThrow(/Illegal/);
      }));

    it('startWrite records the pending map entry and RUNNING together; a cancelled item keeps neither', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        await store.addItems(run.id, [header('a'), header('b')], at());
        const pending = (sourceId: string) => ({ type: 'doc', sourceId, targetId: '', hash: null, runId: run.id, origin: 'created' as const, state: 'pending' as const, pendingMode: 'create' as const });
        await store.startWrite({ scope, mapping: pending('a'), runId: run.id, item: { type: 'doc', sourceId: 'a' }, patch: { status: 'RUNNING', attempts: 1 }, at: at() });
        expect((await store.getMappings(scope, 'doc', ['a'])).get('a')).toMatchObject({ state: 'pending', pendingMode: 'create' });
        expect((await store.listItems(run.id, { sourceIds: ['a'] }))[0]).toMatchObject({ status: 'RUNNING', attempts: 1 });
        await store.cancelItems(run.id, { sourceIds: ['b'] }, at());
        await expect(store.startWrite({ scope, mapping: pending('b'), runId: run.id, item: { type: 'doc', sourceId: 'b' }, patch: { status: 'RUNNING', attempts: 1 }, at: at() })).rejects.toThrow(/Illegal item status transition CANCELLED -> RUNNING/);
        expect((await store.getMappings(scope, 'doc', ['b'])).size).toBe(0);
        expect((await store.listItems(run.id, { sourceIds: ['b'] }))[0]?.status).toBe('CANCELLED');
      }));

    it('ID map: put, update, get in bulk, by run, failed, count, forget with its binding; one write in one transaction', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        await store.addItems(run.id, [header('a'), header('b')], at());
        await store.putMapping(scope, { type: 'doc', sourceId: 'a', targetId: '', hash: null, runId: run.id, origin: 'created', state: 'pending', pendingMode: 'create' }, at());
        await store.markMappingFailed(scope, 'doc', 'a', 'too large', at());
        expect((await store.getMappings(scope, 'doc', ['a'])).get('a')).toMatchObject({ state: 'pending', pendingMode: 'create', lastError: 'too large', targetId: '' });
        await store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at());
        await store.completeWrite({ scope, mapping: { type: 'doc', sourceId: 'a', targetId: '10', version: 'v1', hash: 'h-a', runId: run.id, origin: 'created', state: 'done' }, runId: run.id, item: { type: 'doc', sourceId: 'a' }, patch: { status: 'COMPLETE', outcome: 'created', targetId: '10' }, actions: [{ code: 'x', message: 'fix me', type: 'doc', sourceId: 'a', fields: ['author'] }], at: at() });
        const got = await store.getMappings(scope, 'doc', ['a', 'b', 'zz']);
        expect([...got.keys()]).toEqual(['a']);
        expect(got.get('a')).toEqual({ type: 'doc', sourceId: 'a', targetId: '10', version: 'v1', hash: 'h-a', runId: run.id, origin: 'created', state: 'done' });
        expect((await store.listItems(run.id, { statuses: ['COMPLETE'] }))[0]?.targetId).toBe('10');
        expect(await store.listActions(run.id)).toEqual([{ code: 'x', message: 'fix me', type: 'doc', sourceId: 'a', fields: ['author'] }]);
        expect(await store.listFieldActions(1)).toEqual([{ type: 'doc', sourceId: 'a', fields: ['author'] }]);
        expect((await store.getMappings({ source: 'old', target: 'other' }, 'doc', ['a'])).size).toBe(0);
        expect((await store.listMappingsByRun(scope, run.id)).map((m) => m.sourceId)).toEqual(['a']);
        expect(await store.countMappings(scope)).toBe(1);
        await store.putBinding(scope, { source: 'S', target: 'T' }, at(5));
        expect(await store.getBinding(scope)).toEqual({ source: 'S', target: 'T', boundAt: at(5) });
        expect(await store.forgetMap(scope)).toBe(1);
        expect(await store.getBinding(scope)).toBeUndefined();
        await store.putMapping(scope, { type: 'doc', sourceId: 'b', targetId: '11', hash: null, runId: run.id, origin: 'adopted', state: 'done' }, at());
        await store.deleteMapping(scope, 'doc', 'b');
        expect(await store.countMappings(scope)).toBe(0);
      }));

    it('cursors: set, replace, read per run and type', () =>
      withStore(async (store) => {
        expect(await store.getCursor(1, 'doc')).toBeUndefined();
        await store.setCursor(1, 'doc', 'c1');
        await store.setCursor(1, 'doc', 'c2');
        await store.setCursor(2, 'doc', 'other');
        expect(await store.getCursor(1, 'doc')).toBe('c2');
      }));

    it('events: listed newest first or after an id, counted, purged per migration', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        for (const [i, level] of (['info', 'warn', 'error', 'warn'] as const).entries()) {
          await store.addEvent({ runId: run.id, migrationId: 1, at: at(i), level, step: 'doc', item: null, message: `e${i}` });
        }
        await store.addEvent({ runId: null, migrationId: 2, at: at(0), level: 'info', step: null, item: null, message: 'other' });
        expect((await store.listEvents({ migrationId: 1, limit: 10 })).map((e) => e.message)).toEqual(['e3', 'e2', 'e1', 'e0']);
        expect((await store.listEvents({ runId: run.id, limit: 2, since: at(1) })).map((e) => e.message)).toEqual(['e3', 'e2']);
        const all = await store.listEventsAfter({ runId: run.id, afterId: 0, limit: 10 });
        expect(all.map((e) => e.message)).toEqual(['e0', 'e1', 'e2', 'e3']);
        expect((await store.listEventsAfter({ runId: run.id, afterId: all[1]!.id, limit: 1 })).map((e) => e.message)).toEqual(['e2']);
        expect(await store.countEvents(run.id)).toEqual({ warn: 2, error: 1 });
        expect(await store.purgeEvents(at(2), 1)).toBe(2);
        expect((await store.listEvents({ limit: 10 })).map((e) => e.message)).toEqual(['other', 'e3', 'e2']);
      }));

    it('actions: added once each, counted, ticked off and back with who and when', () =>
      withStore(async (store) => {
        const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 1 });
        const action = { code: 'c', message: 'do this', type: 'doc', sourceId: 'a', label: 'A' };
        await store.addActions(run.id, [action, action, { code: 'd', message: 'and this' }]);
        expect(await store.countActions(run.id)).toBe(2);
        const [first, second] = await store.listStoredActions(run.id);
        expect(first).toMatchObject({ ...action, runId: run.id, doneAt: null, doneBy: null });
        expect(await store.setActionDone({ runId: run.id, actionId: first!.id, done: true, by: 'ada', at: at(9) })).toBe(true);
        expect(await store.setActionDone({ runId: run.id + 1, actionId: second!.id, done: true, by: 'ada', at: at(9) })).toBe(false);
        expect((await store.listStoredActions(run.id)).map((a) => [a.code, a.doneAt, a.doneBy])).toEqual([['c', at(9), 'ada'], ['d', null, null]]);
        await store.setActionDone({ runId: run.id, actionId: first!.id, done: false, by: 'ada', at: at(10) });
        expect((await store.listStoredActions(run.id))[0]?.doneAt).toBeNull();
      }));

    it('connections: put, replace (the inventory goes), identity and inventory, remove', () =>
      withStore(async (store) => {
        await store.connections.put({ name: 'b', platform: 'mediawiki', configJson: '{"url":"u"}', secretsEnc: 'sealed', identityJson: '{"siteName":"B"}', at: at(1) });
        await store.connections.put({ name: 'a', platform: 'wordpress', configJson: '{}', secretsEnc: 'sealed-a', identityJson: '{}', at: at(1) });
        await store.connections.setInventory('b', '{"types":[]}', at(2));
        await store.connections.setIdentity('b', '{"siteName":"B2"}', at(3));
        expect((await store.connections.list()).map((c) => c.name)).toEqual(['a', 'b']);
        expect(await store.connections.get('b')).toEqual({ name: 'b', platform: 'mediawiki', configJson: '{"url":"u"}', secretsEnc: 'sealed', identityJson: '{"siteName":"B2"}', checkedAt: at(3), inventoryJson: '{"types":[]}', discoveredAt: at(2), createdAt: at(1) });
        await store.connections.put({ name: 'b', platform: 'mediawiki', configJson: '{"url":"v"}', secretsEnc: 'sealed2', identityJson: '{}', at: at(4) });
        expect(await store.connections.get('b')).toMatchObject({ configJson: '{"url":"v"}', inventoryJson: null, createdAt: at(1) });
        expect(await store.connections.remove('b')).toBe(true);
        expect(await store.connections.remove('b')).toBe(false);
        expect(await store.connections.get('b')).toBeUndefined();
      }));

    it('migrations: save and update by name, search, archive, delete with their runs', () =>
      withStore(async (store) => {
        const m = await migration(store, 'Wiki-Move');
        await migration(store, 'other');
        const updated = await store.migrations.save({ name: 'Wiki-Move', planYaml: 'changed', planFile: '/p.yaml', source: 'old', target: 'new', at: at(5) });
        expect(updated).toMatchObject({ id: m.id, plan_yaml: 'changed', plan_file: '/p.yaml', archived: 0, created_at: at(), updated_at: at(5) });
        expect((await store.migrations.list({ archived: false, search: 'wiki' })).map((r) => r.name)).toEqual(['Wiki-Move']);
        await store.migrations.setArchived(m.id, true, at(6));
        expect((await store.migrations.list({ archived: false })).map((r) => r.name)).toEqual(['other']);
        expect((await store.migrations.list({ archived: true })).map((r) => r.name)).toEqual(['Wiki-Move']);
        const run = await store.createRun({ migrationId: m.id, kind: 'run', startedAt: at(), pid: 1 });
        await store.addItems(run.id, [header('a')], at());
        await store.addActions(run.id, [{ code: 'c', message: 'm' }]);
        await store.addEvent({ runId: run.id, migrationId: m.id, at: at(), level: 'info', step: null, item: null, message: 'x' });
        await store.putMapping(scope, { type: 'doc', sourceId: 'a', targetId: '1', hash: null, runId: run.id, origin: 'created', state: 'done' }, at());
        await store.migrations.remove(m.id);
        expect(await store.migrations.byId(m.id)).toBeUndefined();
        expect(await store.getRun(run.id)).toBeUndefined();
        expect(await store.listItems(run.id)).toEqual([]);
        expect(await store.listEvents({ migrationId: m.id, limit: 5 })).toEqual([]);
        // The ID map belongs to the connection pair: another migration of the pair relies on it.
        expect(await store.countMappings(scope)).toBe(1);
      }));

    it('access: users, sessions that expire, API tokens by hash, the audit log in order', () =>
      withStore(async (store) => {
        expect(await store.access.countUsers()).toBe(0);
        const ada = await store.access.addUser({ name: 'ada', role: 'admin', passwordHash: 'scrypt$x', at: at() });
        await expect(store.access.addUser({ name: 'ada', role: 'viewer', passwordHash: 'y', at: at() })).rejects.toThrow();
        await store.access.updateUser(ada.id, { role: 'operator' });
        expect(await store.access.userByName('ada')).toMatchObject({ id: ada.id, role: 'operator', passwordHash: 'scrypt$x' });
        await store.access.addSession({ tokenHash: 's1', userId: ada.id, csrf: 'c', createdAt: at(0), expiresAt: at(10) });
        expect(await store.access.getSession('s1', at(5))).toMatchObject({ userId: ada.id, csrf: 'c' });
        expect(await store.access.getSession('s1', at(11))).toBeUndefined();
        const token = await store.access.addToken({ userId: ada.id, label: 'ci', tokenHash: 't1', at: at() });
        expect((await store.access.userByToken('t1'))?.name).toBe('ada');
        expect(await store.access.listTokens(ada.id)).toEqual([token]);
        expect(await store.access.removeToken(token.id)).toBe(true);
        expect(await store.access.userByToken('t1')).toBeUndefined();
        await store.access.addAudit({ at: at(1), actor: 'ada', action: 'run.start', subject: 'm1', detail: null });
        await store.access.addAudit({ at: at(2), actor: 'ada', action: 'connection.add', subject: 'old', detail: 'mediawiki' });
        expect((await store.access.listAudit({ limit: 10 })).map((a) => a.action)).toEqual(['run.start', 'connection.add']);
        await store.access.removeUser(ada.id);
        expect(await store.access.getSession('s1', at(5))).toBeUndefined();
        expect(await store.access.listUsers()).toEqual([]);
      }));
  });
}
