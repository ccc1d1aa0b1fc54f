import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * The table that records applied schema migrations. It keeps the name and
 * shape Kysely's Migrator used, so stores written by earlier Ferry versions
 * are recognised as they are.
 */
const RECORD_TABLE = 'kysely_migration';

export class StoreTooNew extends Error {
  constructor(readonly unknown: string[]) {
    super(`The store was written by a newer Ferry (schema ${unknown.join(', ')}); use that version or a new data folder`);
    this.name = 'StoreTooNew';
  }
}

/** The advisory lock that serialises schema migrations on a PostgreSQL store ("ferry" in ASCII). */
const SCHEMA_LOCK = 0x6665727279;

/**
 * Applies the missing schema migrations, all of them and their records in
 * one transaction: `BEGIN IMMEDIATE` on SQLite; on PostgreSQL a transaction
 * that first takes a transaction-level advisory lock. A process killed at
 * any moment leaves either the old schema or the new one, never half of it,
 * and two processes opening a fresh store at once do not both create it (the
 * second waits for the write lock, then finds everything applied).
 */
export async function migrateSchema(db: Kysely<unknown>, migrations: ReadonlyArray<readonly [string, Migration]>, now: () => string): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    const postgres = conn.getExecutor().adapter instanceof PostgresAdapter;
    await sql`${sql.raw(postgres ? 'begin' : 'begin immediate')}`.execute(conn);
    try {
      if (postgres) await sql`select pg_advisory_xact_lock(${sql.lit(SCHEMA_LOCK)})`.execute(conn);
      await conn.schema
        .createTable(RECORD_TABLE)
        .ifNotExists()
        .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
        .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
        .execute();
      const rows = await sql<{ name: string }>`select name from ${sql.table(RECORD_TABLE)}`.execute(conn);
      const applied = new Set(rows.rows.map((r) => r.name));
      const known = new Set(migrations.map(([name]) => name));
      const unknown = [...applied].filter((name) => !known.has(name));
      if (unknown.length > 0) throw new StoreTooNew(unknown);
      const done: string[] = [];
      for (const [name, migration] of [...migrations].sort(([a], [b]) => a.localeCompare(b))) {
        if (applied.has(name)) continue;
        await migration.up(conn);
        await sql`insert into ${sql.table(RECORD_TABLE)} (name, timestamp) values (${name}, ${now()})`.execute(conn);
        done.push(name);
      }
      await sql`commit`.execute(conn);
      return done;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
