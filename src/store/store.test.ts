import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type Migration } from 'kysely';
import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../core/statuses.js';
import { migrateSchema, StoreTooNew } from './schema-migrate.js';
import { schemaMigrations } from './schema.js';
import { openSqlite } from './sqlite-store.js';
import { Store } from './store.js';

const at = () => new Date().toISOString();
const header = (sourceId: string) => ({ type: 'doc', sourceId, key: sourceId, label: sourceId, hash: 'h' });

async function fresh() {
  const store = new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-store-')), 'ferry.sqlite')));
  const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: at(), pid: 4242 });
  await store.createSteps(run.id, [{ idx: 0, job: 'J', type: 'doc', label: 'Docs', status: 'Pending', reason: null }]);
  await store.addItems(run.id, [header('a'), header('b')], at());
  return { store, run };
}

const statusOf = async (store: Store, runId: number, sourceId: string) => (await store.listItems(runId)).find((i) => i.sourceId === sourceId)!.status;

describe('status changes in the store', () => {
  it('applies the transition to the stored status and refuses an illegal one loudly', async () => {
    const { store, run } = await fresh();
    await store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at());
    await store.updateItem(run.id, 'doc', 'a', { status: 'COMPLETE', outcome: 'created' }, at());
    expect(await statusOf(store, run.id, 'a')).toBe('COMPLETE');
    await expect(store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at())).rejects.toThrow(IllegalTransition);
    await expect(store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at())).rejects.toThrow('Illegal item status transition COMPLETE -> RUNNING');
    expect(await statusOf(store, run.id, 'a')).toBe('COMPLETE');
    // Fields other than the status need no transition.
    await store.updateItem(run.id, 'doc', 'a', { reason: 'note' }, at());
    await expect(store.updateItem(run.id, 'doc', 'missing', { status: 'RUNNING' }, at())).rejects.toThrow('does not exist');
  });

  it('uses what is stored, not what the caller believed: a cancelled item cannot be started', async () => {
    const { store, run } = await fresh();
    expect(await store.cancelItems(run.id, { sourceIds: ['b'] }, at())).toBe(1);
    const error = await store.updateItem(run.id, 'doc', 'b', { status: 'RUNNING' }, at()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IllegalTransition);
    expect(error).toMatchObject({ level: 'item', from: 'CANCELLED', to: 'RUNNING' });
    // Cancel changes READY items only: a RUNNING one is left as it is.
    await store.updateItem(run.id, 'doc', 'a', { status: 'RUNNING' }, at());
    expect(await store.cancelItems(run.id, { type: 'doc' }, at())).toBe(0);
    expect(await statusOf(store, run.id, 'a')).toBe('RUNNING');
  });

  it('steps and runs follow their transitions too', async () => {
    const { store, run } = await fresh();
    await expect(store.updateStep(run.id, 0, { status: 'Success' })).rejects.toThrow('Illegal step status transition Pending -> Success');
    await store.updateStep(run.id, 0, { status: 'Running' });
    await store.updateStep(run.id, 0, { status: 'Success', done: 2 });
    expect((await store.listSteps(run.id))[0]).toMatchObject({ status: 'Success', done: 2 });
    await store.updateStep(run.id, 0, { done: 3 });
    await store.updateRun(run.id, { status: 'FINISHED', endedAt: at() });
    await expect(store.updateRun(run.id, { status: 'RUNNING' })).rejects.toThrow('Illegal run status transition FINISHED -> RUNNING');
    expect((await store.getRun(run.id))!.status).toBe('FINISHED');
  });

  it('a stop can be asked of a RUNNING run only, also through the process that runs it', async () => {
    const { store, run } = await fresh();
    const other = await store.createRun({ migrationId: 2, kind: 'run', startedAt: at(), pid: 4242 });
    await store.updateRun(other.id, { status: 'FINISHED' });
    expect(await store.requestStopOfProcess(4242)).toBe(1);
    expect(await store.isStopRequested(run.id)).toBe(true);
    expect(await store.isStopRequested(other.id)).toBe(false);
    expect(await store.requestStop(other.id)).toBe(false);
    expect(await store.isStopRequested(other.id)).toBe(false);
  });

  it('log retention deletes old events of the one migration only', async () => {
    const { store } = await fresh();
    for (const migrationId of [1, 2]) {
      await store.addEvent({ migrationId, runId: null, at: '2020-01-01T00:00:00.000Z', level: 'info', step: null, item: null, message: `old ${migrationId}` });
      await store.addEvent({ migrationId, runId: null, at: at(), level: 'info', step: null, item: null, message: `new ${migrationId}` });
    }
    expect(await store.purgeEvents('2021-01-01T00:00:00.000Z', 1)).toBe(1);
    expect((await store.listEvents({ migrationId: 1, limit: 10 })).map((e) => e.message)).toEqual(['new 1']);
    expect((await store.listEvents({ migrationId: 2, limit: 10 })).map((e) => e.message)).toEqual(['new 2', 'old 2']);
  });
});

describe('schema migrations', () => {
  const open = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ferry-schema-')), 's.sqlite');
    return { file, db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }) };
  };
  const table = (name: string): Migration => ({ up: async (db) => void (await db.schema.createTable(name).addColumn('id', 'integer').execute()) });
  const tables = (file: string) => (new BetterSqlite3(file).prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>).map((r) => r.name);

  it('applies the missing ones once, with their records', async () => {
    const { file, db } = open();
    expect(await migrateSchema(db, [['0001_a', table('a')]], at)).toEqual(['0001_a']);
    expect(await migrateSchema(db, [['0001_a', table('a')], ['0002_b', table('b')]], at)).toEqual(['0002_b']);
    expect(await migrateSchema(db, [['0001_a', table('a')], ['0002_b', table('b')]], at)).toEqual([]);
    await db.destroy();
    expect(tables(file)).toEqual(['a', 'b', 'kysely_migration']);
  });

  it('a failure half-way leaves nothing of the attempt: no table, no record', async () => {
    const { file, db } = open();
    const failing: Migration = { up: async (db) => { await db.schema.createTable('c').addColumn('id', 'integer').execute(); throw new Error('disk went away'); } };
    await expect(migrateSchema(db, [['0001_a', table('a')], ['0002_c', failing]], at)).rejects.toThrow('disk went away');
    await db.destroy();
    expect(tables(file)).toEqual([]);
  });

  it('refuses a store written by a newer Ferry', async () => {
    const { db } = open();
    await migrateSchema(db, [['0001_a', table('a')], ['0009_future', table('f')]], at);
    await expect(migrateSchema(db, [['0001_a', table('a')]], at)).rejects.toThrow(StoreTooNew);
    await db.destroy();
  });

  it('0006 gives the items of an older store their rowid as seq: order and paging stay as they were', async () => {
    const { file, db } = open();
    await migrateSchema(db, schemaMigrations.filter(([name]) => name < '0006'), at);
    await db.destroy();
    const raw = new BetterSqlite3(file);
    const insert = raw.prepare("insert into items (run_id, type, source_id, key, label, hash, status, updated_at, step_idx) values (1, 'doc', ?, ?, ?, 'h', 'READY', 'now', 0)");
    for (const id of ['c', 'a', 'b']) insert.run(id, id, id);
    raw.prepare("delete from items where source_id = 'a'").run();
    insert.run('d', 'd', 'd');
    raw.close();
    const store = new Store(await openSqlite(file));
    const items = await store.listItems(1);
    expect(items.map((i) => [i.sourceId, i.seq])).toEqual([['c', 1], ['b', 3], ['d', 4]]);
    expect((await store.listItems(1, { afterSeq: 1, limit: 1 })).map((i) => i.sourceId)).toEqual(['b']);
    await store.addItems(1, [header('e'), header('b')], at());
    expect((await store.listItems(1)).map((i) => [i.sourceId, i.seq])).toEqual([['c', 1], ['b', 3], ['d', 4], ['e', 5]]);
    await store.close();
  });
});
