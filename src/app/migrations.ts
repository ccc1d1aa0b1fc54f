import type { Plan } from '../core/plan.js';
import type { MigrationStatus } from '../core/statuses.js';
import type { FerryStore } from '../store/ferry-store.js';
import type { MigrationRow } from '../store/records.js';
import { UserError } from './errors.js';

export type { MigrationRow } from '../store/records.js';

/** Saved migrations: a plan plus its runs, found by name. */
export class Migrations {
  constructor(private readonly store: FerryStore) {}

  async save(plan: Plan, yaml: string, file: string | null, now: string): Promise<MigrationRow> {
    return this.store.migrations.save({ name: plan.name, planYaml: yaml, planFile: file, source: plan.source, target: plan.target, at: now });
  }

  async byName(name: string): Promise<MigrationRow> {
    const row = await this.store.migrations.byName(name);
    if (!row) throw new UserError(`No migration named "${name}"`, { hint: 'list them with `ferry status`, or pass a plan file' });
    return row;
  }

  async byId(id: number): Promise<MigrationRow> {
    const row = await this.store.migrations.byId(id);
    if (!row) throw new UserError(`No migration with id ${id}`);
    return row;
  }

  async list(options: { archived?: boolean; search?: string } = {}): Promise<Array<MigrationRow & { status: MigrationStatus; lastRunId: number | null }>> {
    const rows = await this.store.migrations.list({ archived: options.archived === true, ...(options.search ? { search: options.search } : {}) });
    const out = [];
    for (const row of rows) {
      const last = await this.store.lastRun(row.id, ['run', 'rerun']);
      out.push({ ...row, status: (last?.status ?? 'SAVED') as MigrationStatus, lastRunId: last?.id ?? null });
    }
    return out;
  }

  async setArchived(name: string, archived: boolean, now = new Date().toISOString()): Promise<void> {
    const row = await this.byName(name);
    await this.store.migrations.setArchived(row.id, archived, now);
  }

  /** A copy under a new name, with the plan's `name:` changed to it; its runs are not copied. */
  async copy(name: string, newName: string, rename: (yaml: string, newName: string) => string, now: string): Promise<MigrationRow> {
    const row = await this.byName(name);
    if (await this.store.migrations.byName(newName)) throw new UserError(`A migration named "${newName}" exists already`, { hint: 'choose another name for the copy' });
    return this.store.migrations.save({ name: newName, planYaml: rename(row.plan_yaml, newName), planFile: null, source: row.source, target: row.target, at: now });
  }

  /** Deletes a migration and its run records; `confirm` must repeat its name. A running one cannot be deleted. */
  async remove(name: string, confirm: string | undefined): Promise<void> {
    const row = await this.byName(name);
    if (confirm !== name) throw new UserError(`Deleting "${name}" removes its runs, item records and logs from the store`, { hint: `confirm by giving its name: "${name}"` });
    const last = await this.store.lastRun(row.id, ['run', 'rerun', 'undo', 'verify']);
    if (last?.status === 'RUNNING') throw new UserError(`"${name}" has a run in progress (run ${last.id})`, { hint: 'stop it first' });
    await this.store.migrations.remove(row.id);
  }
}
