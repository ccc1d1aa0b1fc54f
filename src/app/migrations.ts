import type { Plan } from '../core/plan.js';
import type { MigrationStatus } from '../core/statuses.js';
import type { Store } from '../store/store.js';
import { UserError } from './errors.js';

export interface MigrationRow {
  id: number;
  name: string;
  plan_yaml: string;
  plan_file: string | null;
  source: string;
  target: string;
  archived: number;
  created_at: string;
  updated_at: string;
}

/** Saved migrations: a plan plus its runs, found by name. */
export class Migrations {
  constructor(private readonly store: Store) {}

  async save(plan: Plan, yaml: string, file: string | null, now: string): Promise<MigrationRow> {
    await this.store.db
      .insertInto('migrations')
      .values({ name: plan.name, plan_yaml: yaml, plan_file: file, source: plan.source, target: plan.target, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ plan_yaml: yaml, plan_file: file, source: plan.source, target: plan.target, updated_at: now }))
      .execute();
    return this.byName(plan.name);
  }

  async byName(name: string): Promise<MigrationRow> {
    const row = await this.store.db.selectFrom('migrations').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new UserError(`No migration named "${name}"`, { hint: 'list them with `ferry status`, or pass a plan file' });
    return row as MigrationRow;
  }

  async byId(id: number): Promise<MigrationRow> {
    const row = await this.store.db.selectFrom('migrations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new UserError(`No migration with id ${id}`);
    return row as MigrationRow;
  }

  async list(options: { archived?: boolean; search?: string } = {}): Promise<Array<MigrationRow & { status: MigrationStatus; lastRunId: number | null }>> {
    let q = this.store.db.selectFrom('migrations').selectAll().where('archived', '=', options.archived ? 1 : 0);
    if (options.search) q = q.where('name', 'like', `%${options.search}%`);
    const rows = (await q.orderBy('name').execute()) as MigrationRow[];
    const out = [];
    for (const row of rows) {
      const last = await this.store.lastRun(row.id, ['run', 'rerun']);
      out.push({ ...row, status: (last?.status ?? 'SAVED') as MigrationStatus, lastRunId: last?.id ?? null });
    }
    return out;
  }

  async setArchived(name: string, archived: boolean): Promise<void> {
    const row = await this.byName(name);
    await this.store.db.updateTable('migrations').set({ archived: archived ? 1 : 0 }).where('id', '=', row.id).execute();
  }
}
