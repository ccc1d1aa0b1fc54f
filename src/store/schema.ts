import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Generated, type Kysely, type Migration } from 'kysely';

/** Table shapes of the store. Times are ISO 8601 strings (UTC). */
export interface Database {
  connections: {
    name: string;
    platform: string;
    config_json: string; // non-secret fields
    secrets_enc: string; // AES-256-GCM of the secret fields
    identity_json: string | null;
    checked_at: string | null;
    inventory_json: string | null;
    discovered_at: string | null;
    created_at: string;
  };
  migrations: {
    id: Generated<number>;
    name: string;
    plan_yaml: string;
    plan_file: string | null;
    source: string;
    target: string;
    archived: Generated<number>;
    created_at: string;
    updated_at: string;
  };
  runs: {
    id: Generated<number>;
    migration_id: number;
    kind: string; // run | rerun | undo
    parent_run_id: number | null;
    status: string;
    started_at: string;
    ended_at: string | null;
    stop_requested: Generated<number>;
    pid: number | null;
    /** The machine of the process in `pid` (0007); null on runs recorded before. */
    host: string | null;
    heartbeat_at: string | null;
    log_file: string | null;
    summary_json: string | null;
  };
  steps: {
    run_id: number;
    idx: number;
    job: string;
    type: string;
    label: string;
    status: string;
    reason: string | null;
    total: Generated<number>;
    done: Generated<number>;
    started_at: string | null;
    ended_at: string | null;
  };
  items: {
    /** Insertion order (0006): what a run pages through its items by. */
    seq: Generated<number>;
    run_id: number;
    type: string;
    source_id: string;
    key: string;
    label: string;
    hash: string;
    size_bytes: number | null;
    status: string;
    outcome: string | null; // created | updated | unchanged | adopted
    reason: string | null;
    target_id: string | null;
    attempts: Generated<number>;
    deferred_refs: string | null; // JSON ItemRef[] waiting for a second write
    updated_at: string;
    /** The step (steps.idx) that listed the item: a type may be in several jobs (0005). */
    step_idx: number | null;
  };
  id_map: {
    source_conn: string;
    target_conn: string;
    type: string;
    source_id: string;
    target_id: string | null;
    hash: string | null;
    version: string | null;
    run_id: number;
    origin: string; // created | adopted
    state: string; // pending | done
    pending_mode: string | null; // the write mode of a pending entry (create | update | rename)
    last_error: string | null; // why the last write of a pending entry failed (null: interrupted, or done)
    updated_at: string;
  };
  /** The instances an ID map (a source and target connection pair) was written for. */
  map_bindings: {
    source_conn: string;
    target_conn: string;
    source_identity: string; // JSON InstanceFingerprint
    target_identity: string;
    bound_at: string;
  };
  events: {
    id: Generated<number>;
    run_id: number | null;
    migration_id: number | null;
    at: string;
    level: string;
    step: string | null;
    item: string | null;
    message: string;
  };
  actions: {
    id: Generated<number>;
    run_id: number;
    code: string;
    message: string;
    type: string | null;
    source_id: string | null;
    label: string | null;
    /** JSON array: the inspected fields the action accounts for (PostAction.fields). */
    fields: string | null;
  };
  cursors: {
    run_id: number;
    type: string;
    cursor: string;
  };
  /** People who sign in to `ferry serve`. */
  users: {
    id: Generated<number>;
    name: string;
    role: string; // viewer | operator | admin
    password_hash: string; // scrypt, see src/server/passwords.ts
    created_at: string;
  };
  /** Browser sessions; only a hash of the cookie's token is kept. */
  sessions: {
    token_hash: string;
    user_id: number;
    csrf: string;
    created_at: string;
    expires_at: string;
  };
  /** Bearer tokens for scripts; only a hash is kept. */
  api_tokens: {
    id: Generated<number>;
    user_id: number;
    label: string;
    token_hash: string;
    created_at: string;
  };
  /** Who did what, when (runs started, stopped, undone, reset, verified; connections and users changed). */
  audit: {
    id: Generated<number>;
    at: string;
    actor: string;
    action: string;
    subject: string;
    detail: string | null;
  };
  /** Post-migration actions a person ticked off (kept across runs of the server). */
  action_done: {
    action_id: number;
    done_at: string;
    done_by: string;
  };
}

/** True when `db` talks to PostgreSQL (the same migrations run on SQLite and PostgreSQL). */
export function onPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * The two column shapes that differ between the databases, so the schema is
 * the same on both: whole numbers are 64-bit (SQLite's `integer` is; on
 * PostgreSQL that is `bigint`, which the pool reads back as a JS number), and
 * a generated id is `autoincrement` on SQLite, an identity on PostgreSQL.
 */
function shapes(db: Kysely<any>) {
  const pg = onPostgres(db);
  return {
    int: pg ? ('bigint' as const) : ('integer' as const),
    id: (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()),
  };
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    const { int, id } = shapes(db);
    await db.schema
      .createTable('connections')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('config_json', 'text', (c) => c.notNull())
      .addColumn('secrets_enc', 'text', (c) => c.notNull())
      .addColumn('identity_json', 'text')
      .addColumn('checked_at', 'text')
      .addColumn('inventory_json', 'text')
      .addColumn('discovered_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('migrations')
      .ifNotExists()
      .addColumn('id', int, id)
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('plan_yaml', 'text', (c) => c.notNull())
      .addColumn('plan_file', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('archived', int, (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('runs')
      .ifNotExists()
      .addColumn('id', int, id)
      .addColumn('migration_id', int, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('parent_run_id', int)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .addColumn('stop_requested', int, (c) => c.notNull().defaultTo(0))
      .addColumn('pid', int)
      .addColumn('heartbeat_at', 'text')
      .addColumn('log_file', 'text')
      .addColumn('summary_json', 'text')
      .execute();
    await db.schema
      .createTable('steps')
      .ifNotExists()
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('idx', int, (c) => c.notNull())
      .addColumn('job', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('total', int, (c) => c.notNull().defaultTo(0))
      .addColumn('done', int, (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', 'text')
      .addColumn('ended_at', 'text')
      .addPrimaryKeyConstraint('steps_pk', ['run_id', 'idx'])
      .execute();
    await db.schema
      .createTable('items')
      .ifNotExists()
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('size_bytes', int)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('reason', 'text')
      .addColumn('target_id', 'text')
      .addColumn('attempts', int, (c) => c.notNull().defaultTo(0))
      .addColumn('deferred_refs', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('items_pk', ['run_id', 'type', 'source_id'])
      .execute();
    await db.schema.createIndex('items_status').ifNotExists().on('items').columns(['run_id', 'status']).execute();
    await db.schema
      .createTable('id_map')
      .ifNotExists()
      .addColumn('source_conn', 'text', (c) => c.notNull())
      .addColumn('target_conn', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('hash', 'text')
      .addColumn('version', 'text')
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('pending_mode', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('id_map_pk', ['source_conn', 'target_conn', 'type', 'source_id'])
      .execute();
    await db.schema.createIndex('id_map_run').ifNotExists().on('id_map').columns(['run_id']).execute();
    await db.schema
      .createTable('events')
      .ifNotExists()
      .addColumn('id', int, id)
      .addColumn('run_id', int)
      .addColumn('migration_id', int)
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('step', 'text')
      .addColumn('item', 'text')
      .addColumn('message', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_run').ifNotExists().on('events').columns(['run_id', 'id']).execute();
    await db.schema
      .createTable('actions')
      .ifNotExists()
      .addColumn('id', int, id)
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('type', 'text')
      .addColumn('source_id', 'text')
      .addColumn('label', 'text')
      .execute();
    await db.schema
      .createTable('cursors')
      .ifNotExists()
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('cursor', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cursors_pk', ['run_id', 'type'])
      .execute();
  },
};

/** Which fields of an item a post-migration action accounts for (verify does not count them again). */
const actionFields: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('actions').addColumn('fields', 'text').execute();
  },
};

/** ID maps bound to the instances they were written for; why a pending write failed. */
const mapIdentity: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('id_map').addColumn('last_error', 'text').execute();
    await db.schema
      .createTable('map_bindings')
      .addColumn('source_conn', 'text', (c) => c.notNull())
      .addColumn('target_conn', 'text', (c) => c.notNull())
      .addColumn('source_identity', 'text', (c) => c.notNull())
      .addColumn('target_identity', 'text', (c) => c.notNull())
      .addColumn('bound_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('map_bindings_pk', ['source_conn', 'target_conn'])
      .execute();
  },
};

/** Users, sessions, API tokens and the audit log of `ferry serve`; ticked-off actions. */
const serverAccess: Migration = {
  async up(db: Kysely<any>) {
    const { int, id } = shapes(db);
    await db.schema
      .createTable('users')
      .addColumn('id', int, id)
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', int, (c) => c.notNull())
      .addColumn('csrf', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', int, id)
      .addColumn('user_id', int, (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', int, id)
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema
      .createTable('action_done')
      .addColumn('action_id', int, (c) => c.primaryKey())
      .addColumn('done_at', 'text', (c) => c.notNull())
      .addColumn('done_by', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Which step listed an item: the same object type may be in several jobs of a run. */
const itemStep: Migration = {
  async up(db: Kysely<any>) {
    const { int } = shapes(db);
    await db.schema.alterTable('items').addColumn('step_idx', int).execute();
    // Runs written before this had one step per type: their items belong to that step.
    await sql`update items set step_idx = (select min(s.idx) from steps s where s.run_id = items.run_id and s.type = items.type)`.execute(db);
  },
};

/**
 * Items get their insertion order as a column of their own, `seq`, the key
 * a run pages through them by (it used SQLite's hidden rowid, which
 * PostgreSQL has not). The table is rebuilt with `seq` as its primary key and
 * the old key as a unique index. On SQLite `seq` is `integer primary key`,
 * the rowid itself, so each item keeps its number and an insert costs what
 * it did; on PostgreSQL it is an identity.
 */
const itemSeq: Migration = {
  async up(db: Kysely<any>) {
    const pg = onPostgres(db);
    const { int } = shapes(db);
    await db.schema
      .createTable('items_next')
      .addColumn('seq', int, (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
      .addColumn('run_id', int, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('size_bytes', int)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('reason', 'text')
      .addColumn('target_id', 'text')
      .addColumn('attempts', int, (c) => c.notNull().defaultTo(0))
      .addColumn('deferred_refs', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('step_idx', int)
      .execute();
    const columns = sql.raw('run_id, type, source_id, key, label, hash, size_bytes, status, outcome, reason, target_id, attempts, deferred_refs, updated_at, step_idx');
    // PostgreSQL stores are new with this migration: their items table is empty here.
    if (pg) await sql`insert into items_next (${columns}) select ${columns} from items`.execute(db);
    else await sql`insert into items_next (seq, ${columns}) select rowid, ${columns} from items order by rowid`.execute(db);
    await db.schema.dropTable('items').execute();
    await db.schema.alterTable('items_next').renameTo('items').execute();
    await db.schema.createIndex('items_key').unique().on('items').columns(['run_id', 'type', 'source_id']).execute();
    await db.schema.createIndex('items_status').on('items').columns(['run_id', 'status']).execute();
  },
};

/**
 * A run records the machine its process runs on beside the pid: with the
 * store on PostgreSQL, `ferry run` on another machine must not take a pid
 * it cannot see for a dead process (src/app/run-owner.ts).
 */
const runHost: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('runs').addColumn('host', 'text').execute();
  },
};

/**
 * Schema migrations live in code and are applied in name order, each with
 * its record in one transaction (see schema-migrate.ts). `if not exists`
 * in the first one lets a store half-built by an older Ferry (which created
 * tables one by one) complete itself instead of failing on every command.
 */
export const schemaMigrations: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001_initial', initial],
  ['0002_map_identity', mapIdentity],
  ['0003_action_fields', actionFields],
  ['0004_server_access', serverAccess],
  ['0005_item_step', itemStep],
  ['0006_item_seq', itemSeq],
  ['0007_run_host', runHost],
];
