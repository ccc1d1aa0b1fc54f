import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { migrateSchema } from './schema-migrate.js';
import { schemaMigrations, type Database } from './schema.js';

/**
 * Opens (and migrates) the embedded SQLite store at `file`. The file is
 * created 0600 before SQLite opens it: SQLite gives its -wal and -shm files
 * the mode of the database file, so none of them is ever readable by others.
 */
export async function openSqlite(file: string): Promise<Kysely<Database>> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const sqlite = new BetterSqlite3(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  try {
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // SQLite's own default page cache (2 MB), not better-sqlite3's build default of 16 MB: a store smaller
    // than the cache sat whole in memory, so a run's peak RSS grew with its store until 16 MB (engine bench:
    // malloc heap 12 MB at 10k items, 26 MB at 1M; RSS 133 -> 153 MB while 990k items were listed, 133 flat
    // with this). The pages a run touches are few (the item rows in seq
    // order, the index entries being moved); the rest come from the OS's file cache.
    sqlite.pragma('cache_size = -2000');
    await migrateSchema(db as unknown as Kysely<unknown>, schemaMigrations, () => new Date().toISOString());
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** Distinct SQL texts kept prepared; `in (?, ?, ...)` lists of many lengths make more than a run needs. */
const CACHED_STATEMENTS = 300;

/**
 * Kysely prepares every query anew; a run repeats the same few statements
 * for every item, and preparing was a third of the engine's store time. The
 * cache hands back the prepared statement (safe: Ferry never streams a
 * query, so no statement is in use when it is handed out again).
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string): SqliteStatement => {
      const hit = cache.get(text);
      if (hit) {
        // Most recently used last: the first entry is the one to drop.
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const statement = sqlite.prepare(text) as unknown as SqliteStatement;
      cache.set(text, statement);
      if (cache.size > CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}
