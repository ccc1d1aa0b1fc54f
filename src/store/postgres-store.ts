import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateSchema } from './schema-migrate.js';
import { schemaMigrations, type Database } from './schema.js';
import type { EngineStore } from '../core/ports.js';
import { Store } from './store.js';
import { isPostgresUrl, redactStoreUrl, StoreUnavailable } from './store-url.js';

// Kept where they were first exported: the store's tests and callers that load PostgreSQL anyway import them from here.
export { isPostgresUrl, redactStoreUrl, StoreUnavailable };

/** Connections one process keeps open to the store (the engine's group commit needs few). */
const POOL_SIZE = 10;

const INT8 = 20;

/**
 * Whole numbers are `bigint` on PostgreSQL (as SQLite's `integer` is 64-bit),
 * and `count(*)` is one too; pg hands them over as strings. The store reads
 * them as JS numbers, as it does on SQLite: ids, counts and sizes stay far
 * below 2^53.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/**
 * Opens (and migrates) a PostgreSQL store: a pool of at most `max`
 * connections (each transaction holds one) with the same schema migrations
 * as SQLite. Two processes opening a fresh database at once do not both
 * create it (schema-migrate.ts takes an advisory lock). A database that
 * cannot be reached or entered is a StoreUnavailable naming the fix.
 */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Kysely<Database>> {
  const shown = redactStoreUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreUnavailable(`The store URL ${shown} is not a valid URL`, 'write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters of the password)');
  }
  if (!isPostgresUrl(url) || parsed.pathname.length <= 1) {
    throw new StoreUnavailable(`The store URL ${shown} does not name a PostgreSQL database`, 'write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  }
  // No statement timeout (a role's or server's default would cut a schema migration or a large delete short).
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? POOL_SIZE, types, connectionTimeoutMillis: 15_000, options: '-c statement_timeout=0', application_name: 'ferry' });
  // A connection the server ends while it sits idle in the pool is not the process's end: the next query opens another.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateSchema(db as unknown as Kysely<unknown>, schemaMigrations, () => new Date().toISOString());
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw explain(error, parsed, shown);
  }
  return db;
}

/**
 * A failure to connect to the store at `url` as the person who gave the URL should read it (a
 * StoreUnavailable naming the fix), or the error itself when it is not one this knows.
 */
export function explainStoreError(error: unknown, url: string): unknown {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return error;
  }
  return explain(error, parsed, redactStoreUrl(url));
}

/** What a connection failure means for the person who gave the URL. */
function explain(error: unknown, url: URL, shown: string): unknown {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const role = decodeURIComponent(url.username) || process.env.PGUSER || 'the current user';
  const database = decodeURIComponent(url.pathname.slice(1));
  const where = `${url.hostname}:${url.port || '5432'}`;
  const cannot = `Cannot open the PostgreSQL store ${shown}`;
  switch (code) {
    case 'ECONNREFUSED':
      return new StoreUnavailable(`${cannot}: nothing accepts connections on ${where}`, 'start PostgreSQL, or correct the host and port in --store (or FERRY_STORE)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreUnavailable(`${cannot}: the host ${url.hostname} is not known`, 'correct the host name in --store (or FERRY_STORE)');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StoreUnavailable(`${cannot}: ${where} cannot be reached (${code})`, 'check the host, the port and the firewall between this machine and the database');
    case '28P01':
      return new StoreUnavailable(`${cannot}: the password of role "${role}" was refused`, `correct the password in the URL (percent-encode special characters), or set it on the server: ALTER ROLE "${role}" PASSWORD '...'`);
    case '28000':
      return new StoreUnavailable(`${cannot}: the server does not let role "${role}" in (${message ?? code})`, `create the role (CREATE ROLE "${role}" LOGIN PASSWORD '...') or allow it in the server's pg_hba.conf`);
    case '3D000':
      return new StoreUnavailable(`${cannot}: the database "${database}" does not exist`, `create it, owned by the role Ferry uses: CREATE DATABASE "${database}" OWNER "${role}" (or: createdb -O ${role} ${database}); Ferry creates its tables on first use`);
    case '42501':
      return new StoreUnavailable(`${cannot}: role "${role}" may not create Ferry's tables (${message ?? code})`, `make the role the database's owner (ALTER DATABASE "${database}" OWNER TO "${role}") or grant it CREATE on the schema public`);
    case '53300':
      return new StoreUnavailable(`${cannot}: the server has no connection left (${message ?? code})`, 'raise max_connections on the server, or run fewer Ferry processes at once');
    default:
      if (typeof message === 'string' && /timeout|terminated/i.test(message) && !code) {
        return new StoreUnavailable(`${cannot}: ${where} did not answer (${message})`, 'check that PostgreSQL runs there and that the port is the right one');
      }
      return error;
  }
}

/** One open transaction on the PostgreSQL store (inPostgresTransaction). */
export interface StoreTransaction {
  /** The engine's store, every write a statement of this transaction. */
  store: EngineStore;
  /** Raw SQL on the transaction's connection: what pg-boss's `{ db }` option takes, so its statements join the transaction. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `body` in one transaction on one client of the PostgreSQL store,
 * committed when it resolves, rolled back when it throws: store writes
 * (through `tx.store`) and other statements on the same database (pg-boss's
 * completion of a job, through `tx.executeSql`) commit together or not at
 * all. For the scale-out worker (a chunk's last writes and its completion);
 * the SQLite store has no queue and refuses it.
 */
export async function inPostgresTransaction<T>(store: unknown, body: (tx: StoreTransaction) => Promise<T>): Promise<T> {
  if (!(store instanceof Store) || store.db.isTransaction || !(store.db.getExecutor().adapter instanceof PostgresAdapter)) {
    throw new Error('inPostgresTransaction needs the PostgreSQL store, outside a transaction');
  }
  return store.db.transaction().execute((trx) =>
    body({
      store: new Store(trx),
      executeSql: async (text, values = []) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }),
    }),
  );
}
