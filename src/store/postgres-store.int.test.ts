import { mkdtempSync, rmSync } from 'node:fs';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PrivatePostgres } from '../harness/postgres.js';
import { openPostgres, redactStoreUrl, StoreUnavailable } from './postgres-store.js';
import { migrateSchema, StoreTooNew } from './schema-migrate.js';
import { schemaMigrations } from './schema.js';
import { Store } from './store.js';
import { storeSuite } from './store-suite.js';

// One private server for the file; every test gets a database of its own.
let server: PrivatePostgres;
let dir: string;
let databases = 0;
const freshUrl = () => server.createDatabase(`suite_${++databases}`);

beforeAll(async () => {
  dir = mkdtempSync('/dev/shm/ferry-pg-store-');
  server = await startPostgres({ dir });
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

storeSuite('PostgreSQL', async () => new Store(await openPostgres(await freshUrl())));

describe('the PostgreSQL store', () => {
  it('creates the same tables as SQLite, once, when two processes open a fresh database at the same moment', async () => {
    const url = await freshUrl();
    const [a, b, c] = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(a);
    expect(applied.rows.map((r) => r.name)).toEqual(['0001_initial', '0002_map_identity', '0003_action_fields', '0004_server_access', '0005_item_step', '0006_item_seq', '0007_run_host']);
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(b);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['action_done', 'actions', 'api_tokens', 'audit', 'connections', 'cursors', 'events', 'id_map', 'items', 'kysely_migration', 'map_bindings', 'migrations', 'runs', 'sessions', 'steps', 'users']);
    await Promise.all([a.destroy(), b.destroy(), c.destroy()]);
  });

  it('a schema migration failing half-way leaves nothing of the attempt; a store of a newer Ferry is refused', async () => {
    const url = await freshUrl();
    const db = await openPostgres(url);
    const tables = async () => (await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db)).rows.length;
    try {
      const before = await tables();
      const failing: Migration = {
        up: async (tx) => {
          await tx.schema.createTable('half').addColumn('id', 'integer').execute();
          throw new Error('disk went away');
        },
      };
      await expect(migrateSchema(db as unknown as Kysely<unknown>, [...schemaMigrations, ['0999_half', failing]], () => 'now')).rejects.toThrow('disk went away');
      expect(await tables()).toBe(before);
      expect((await sql<{ n: number }>`select count(*) as n from kysely_migration where name = '0999_half'`.execute(db)).rows[0]?.n).toBe(0);
      await sql`insert into kysely_migration (name, timestamp) values ('0999_future', 'now')`.execute(db);
    } finally {
      await db.destroy();
    }
    await expect(openPostgres(url)).rejects.toThrow(StoreTooNew);
  });

  it('reads ids and counts as numbers, and pages items by their insertion order', async () => {
    const store = new Store(await openPostgres(await freshUrl()));
    try {
      const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: '2024-01-01T00:00:00.000Z', pid: 7 });
      expect(typeof run.id).toBe('number');
      const ids = Array.from({ length: 450 }, (_, i) => `z${String(1000 - i)}`);
      await store.addItems(run.id, ids.map((sourceId) => ({ type: 'doc', sourceId, key: sourceId, label: sourceId, hash: 'h' })), '2024-01-01T00:00:00.000Z');
      const first = await store.listItems(run.id, { limit: 200 });
      expect(typeof first[0]!.seq).toBe('number');
      const next = await store.listItems(run.id, { afterSeq: first[first.length - 1]!.seq!, limit: 1000 });
      expect([...first, ...next].map((i) => i.sourceId)).toEqual(ids);
      expect(await store.countItems(run.id)).toEqual({ READY: 450 });
    } finally {
      await store.close();
    }
  });

  it('a group of writes in one turn commits on one pooled connection; a failing one fails alone', async () => {
    const store = new Store(await openPostgres(await freshUrl(), { max: 2 }));
    try {
      const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: '2024-01-01T00:00:00.000Z', pid: 7 });
      const ids = Array.from({ length: 30 }, (_, i) => `d${i}`);
      await store.addItems(run.id, ids.map((sourceId) => ({ type: 'doc', sourceId, key: sourceId, label: sourceId, hash: 'h' })), '2024-01-01T00:00:00.000Z');
      await store.cancelItems(run.id, { sourceIds: ['d3'] }, '2024-01-01T00:00:00.000Z');
      const scope = { source: 'a', target: 'b' };
      const results = await Promise.allSettled(
        ids.map((sourceId) =>
          store.startWrite({ scope, mapping: { type: 'doc', sourceId, targetId: '', hash: null, runId: run.id, origin: 'created', state: 'pending', pendingMode: 'create' }, runId: run.id, item: { type: 'doc', sourceId }, patch: { status: 'RUNNING', attempts: 1 }, at: '2024-01-01T00:00:01.000Z' }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      expect(await store.countItems(run.id)).toEqual({ RUNNING: 29, CANCELLED: 1 });
      expect(await store.countMappings(scope)).toBe(29);
    } finally {
      await store.close();
    }
  });

  it('two processes on one store: a cancel racing the starts of the same items leaves each item either started with its pending map entry or cancelled without one', async () => {
    const url = await freshUrl();
    const [worker, operator] = [new Store(await openPostgres(url)), new Store(await openPostgres(url))];
    try {
      const run = await worker.createRun({ migrationId: 1, kind: 'run', startedAt: '2024-01-01T00:00:00.000Z', pid: 7 });
      const ids = Array.from({ length: 60 }, (_, i) => `r${i}`);
      await worker.addItems(run.id, ids.map((sourceId) => ({ type: 'doc', sourceId, key: sourceId, label: sourceId, hash: 'h' })), '2024-01-01T00:00:00.000Z');
      const scope = { source: 'a', target: 'b' };
      // The worker starts items in order, a few per turn of the event loop (group commits); the operator cancels every other one from the end.
      const startAll = async () => {
        const starts: Array<Promise<void>> = [];
        for (const [i, sourceId] of ids.entries()) {
          starts.push(worker.startWrite({ scope, mapping: { type: 'doc', sourceId, targetId: '', hash: null, runId: run.id, origin: 'created', state: 'pending', pendingMode: 'create' }, runId: run.id, item: { type: 'doc', sourceId }, patch: { status: 'RUNNING', attempts: 1 }, at: '2024-01-01T00:00:01.000Z' }));
          if (i % 4 === 3) await new Promise((done) => setTimeout(done, 2));
        }
        return Promise.allSettled(starts);
      };
      const cancelSome = async () => {
        const counts: number[] = [];
        for (const sourceId of ids.filter((_, i) => i % 2 === 0).reverse()) counts.push(await operator.cancelItems(run.id, { sourceIds: [sourceId] }, '2024-01-01T00:00:01.000Z'));
        return counts;
      };
      const [started, cancelled] = await Promise.all([startAll(), cancelSome()]);
      const items = new Map((await operator.listItems(run.id)).map((i) => [i.sourceId, i.status]));
      const mapped = await operator.getMappings(scope, 'doc', ids);
      for (const [i, sourceId] of ids.entries()) {
        const status = items.get(sourceId);
        expect(status === 'RUNNING' || status === 'CANCELLED', `${sourceId}: ${status}`).toBe(true);
        expect(mapped.has(sourceId), `${sourceId} ${status}: map entry`).toBe(status === 'RUNNING');
        expect(started[i]!.status, sourceId).toBe(status === 'RUNNING' ? 'fulfilled' : 'rejected');
      }
      expect(cancelled.reduce((a, b) => a + b, 0)).toBe([...items.values()].filter((s) => s === 'CANCELLED').length);
    } finally {
      await Promise.all([worker.close(), operator.close()]);
    }
  });

  it('a wrong password, a missing database and a closed port are explained, without the password', async () => {
    const wrong = server.url.replace(/:([0-9a-f]+)@/, ':not-the-password@');
    const refused = await openPostgres(wrong).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreUnavailable);
    expect((refused as StoreUnavailable).message).toMatch(/password of role "ferry" was refused/);
    expect((refused as StoreUnavailable).message).toContain('postgres://ferry:***@127.0.0.1:');
    expect(String((refused as Error).message) + (refused as StoreUnavailable).hint).not.toContain('not-the-password');

    const missing = await openPostgres(server.urlFor('nowhere')).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'StoreUnavailable', message: expect.stringMatching(/database "nowhere" does not exist/), hint: expect.stringContaining('CREATE DATABASE "nowhere" OWNER "ferry"') });
    const password = new URL(server.url).password;
    expect((missing as Error).message).not.toContain(password);

    const closed = await openPostgres(server.url.replace(`:${server.port}/`, ':1/')).catch((e: unknown) => e);
    expect(closed).toMatchObject({ name: 'StoreUnavailable', message: expect.stringMatching(/nothing accepts connections on 127\.0\.0\.1:1/) });
    expect((closed as Error).message).not.toContain(password);
  });

  it('runs its sessions without a statement timeout, whatever the role has', async () => {
    const url = await freshUrl();
    const db = await openPostgres(url);
    try {
      await sql`alter role ferry set statement_timeout = '1ms'`.execute(db);
      await db.destroy();
      const again = await openPostgres(url);
      try {
        expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(again)).rows[0]?.statement_timeout).toBe('0');
        await sql`select pg_sleep(0.05)`.execute(again);
      } finally {
        await sql`alter role ferry reset statement_timeout`.execute(again);
        await again.destroy();
      }
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw error;
    }
  });

  it('prints a store URL with its password hidden', () => {
    expect(redactStoreUrl('postgres://ferry:s3cret@db.example:5432/ferry')).toBe('postgres://ferry:***@db.example:5432/ferry');
    expect(redactStoreUrl('postgresql://ferry@db/ferry?password=s3cret&sslmode=require')).toBe('postgresql://ferry@db/ferry?password=***&sslmode=require');
    expect(redactStoreUrl('postgres://ferry:s3cret@db:bad port/ferry')).not.toContain('s3cret');
  });
});

