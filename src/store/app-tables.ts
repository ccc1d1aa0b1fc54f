import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { ConnectionRow, MigrationRow } from './records.js';

function toConnection(r: Database['connections']): ConnectionRow {
  return {
    name: r.name,
    platform: r.platform,
    configJson: r.config_json,
    secretsEnc: r.secrets_enc,
    identityJson: r.identity_json,
    checkedAt: r.checked_at,
    inventoryJson: r.inventory_json,
    discoveredAt: r.discovered_at,
    createdAt: r.created_at,
  };
}

/** The connections table. Secrets arrive sealed and leave sealed: the store never sees them in clear. */
export class ConnectionTable {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<ConnectionRow[]> {
    return (await this.db.selectFrom('connections').selectAll().orderBy('name').execute()).map(toConnection);
  }

  async get(name: string): Promise<ConnectionRow | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toConnection(row) : undefined;
  }

  /** Adds or replaces one; a replaced connection loses its old inventory (it may point elsewhere now). */
  async put(input: { name: string; platform: string; configJson: string; secretsEnc: string; identityJson: string; at: string }): Promise<void> {
    const values = { platform: input.platform, config_json: input.configJson, secrets_enc: input.secretsEnc, identity_json: input.identityJson, checked_at: input.at, inventory_json: null, discovered_at: null };
    await this.db
      .insertInto('connections')
      .values({ name: input.name, ...values, created_at: input.at })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .execute();
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async setIdentity(name: string, identityJson: string, at: string): Promise<void> {
    await this.db.updateTable('connections').set({ identity_json: identityJson, checked_at: at }).where('name', '=', name).execute();
  }

  async setInventory(name: string, inventoryJson: string, at: string): Promise<void> {
    await this.db.updateTable('connections').set({ inventory_json: inventoryJson, discovered_at: at }).where('name', '=', name).execute();
  }
}

/** The migrations table. */
export class MigrationTable {
  constructor(private readonly db: Kysely<Database>) {}

  /** Saves by name: a new one, or the plan of an existing one. */
  async save(input: { name: string; planYaml: string; planFile: string | null; source: string; target: string; at: string }): Promise<MigrationRow> {
    const values = { plan_yaml: input.planYaml, plan_file: input.planFile, source: input.source, target: input.target, updated_at: input.at };
    await this.db
      .insertInto('migrations')
      .values({ name: input.name, ...values, created_at: input.at })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .execute();
    return (await this.byName(input.name))!;
  }

  /** Replaces a migration's plan by id, its name too (a rename; the caller checks the name is free). */
  async update(id: number, input: { name: string; planYaml: string; planFile: string | null; source: string; target: string; at: string }): Promise<MigrationRow> {
    await this.db.updateTable('migrations').set({ name: input.name, plan_yaml: input.planYaml, plan_file: input.planFile, source: input.source, target: input.target, updated_at: input.at }).where('id', '=', id).execute();
    return (await this.byId(id))!;
  }

  async byName(name: string): Promise<MigrationRow | undefined> {
    return (await this.db.selectFrom('migrations').selectAll().where('name', '=', name).executeTakeFirst()) as MigrationRow | undefined;
  }

  async byId(id: number): Promise<MigrationRow | undefined> {
    return (await this.db.selectFrom('migrations').selectAll().where('id', '=', id).executeTakeFirst()) as MigrationRow | undefined;
  }

  /** By name; `search` matches part of the name, case-insensitively. */
  async list(filter: { archived: boolean; search?: string }): Promise<MigrationRow[]> {
    let q = this.db.selectFrom('migrations').selectAll().where('archived', '=', filter.archived ? 1 : 0);
    if (filter.search) q = q.where((eb) => eb(eb.fn('lower', ['name']), 'like', `%${filter.search!.toLowerCase()}%`));
    return (await q.orderBy('name').execute()) as MigrationRow[];
  }

  async setArchived(id: number, archived: boolean, at: string): Promise<void> {
    await this.db.updateTable('migrations').set({ archived: archived ? 1 : 0, updated_at: at }).where('id', '=', id).execute();
  }

  /**
   * Deletes a migration with its runs, steps, items, cursors, events and
   * actions, in one transaction. The ID map stays: it belongs to the
   * connection pair, and another migration of the pair relies on it.
   */
  async remove(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const runIds = (await trx.selectFrom('runs').select('id').where('migration_id', '=', id).execute()).map((r) => r.id);
      if (runIds.length > 0) {
        const actionIds = (await trx.selectFrom('actions').select('id').where('run_id', 'in', runIds).execute()).map((r) => r.id);
        if (actionIds.length > 0) await trx.deleteFrom('action_done').where('action_id', 'in', actionIds).execute();
        for (const table of ['steps', 'items', 'cursors', 'actions'] as const) await trx.deleteFrom(table).where('run_id', 'in', runIds).execute();
      }
      await trx.deleteFrom('events').where('migration_id', '=', id).execute();
      await trx.deleteFrom('runs').where('migration_id', '=', id).execute();
      await trx.deleteFrom('migrations').where('id', '=', id).execute();
    });
  }
}
