import type { ItemHeader, TargetRef } from '../sdk/connector.js';
import type { MigrationContext } from './context.js';
import { decide, needsLookup, userChoice } from './decide.js';
import { layoutJobs } from './planner.js';
import type { EngineStore } from './ports.js';
import { selectItem } from './selection.js';

export type PreviewAction = 'create' | 'update' | 'rename' | 'adopt' | 'unchanged' | 'skip' | 'fail';

export interface PreviewRow {
  type: string;
  label: string;
  action: PreviewAction;
  reason: string;
}

export interface Preview {
  steps: Array<{ job: string; type: string; label: string; applies: boolean; reason?: string }>;
  warnings: string[];
  rows: PreviewRow[];
  counts: Record<string, Record<PreviewAction, number>>;
}

/** A dry run: what a run would create, update or skip, and why. Reads only. */
export async function previewMigration(ctx: MigrationContext, store: Pick<EngineStore, 'getMappings'>, onRow?: (row: PreviewRow) => void): Promise<Preview> {
  const layout = layoutJobs(ctx.types, ctx.plan);
  const preview: Preview = { steps: [], warnings: layout.warnings, rows: [], counts: {} };
  const add = (row: PreviewRow) => {
    preview.rows.push(row);
    const counts = (preview.counts[row.type] ??= { create: 0, update: 0, rename: 0, adopt: 0, unchanged: 0, skip: 0, fail: 0 });
    counts[row.action]++;
    onRow?.(row);
  };
  // One type may be in several jobs: an item gets one row, from the first job that takes it;
  // one outside a job's scope waits for the type's later jobs before it is shown skipped.
  const decided = new Map<string, Set<string>>();
  const later = (from: number, type: string) => layout.jobs.slice(from + 1).some((j) => j.steps.some((s) => s.type === type && s.applies));
  for (const [j, job] of layout.jobs.entries()) {
    for (const step of job.steps) {
      const seen = decided.get(step.type) ?? new Set<string>();
      decided.set(step.type, seen);
      const laterJob = later(j, step.type);
      preview.steps.push({ job: job.name, type: step.type, label: step.label, applies: step.applies, ...(step.reason ? { reason: step.reason } : {}) });
      if (!step.applies) continue;
      const principal = ctx.types.find((t) => t.name === step.type)?.principal === true;
      for await (const page of ctx.source.read(step.type, { signal: ctx.signal })) {
        const selected: ItemHeader[] = [];
        for (const header of page.items) {
          if (seen.has(header.sourceId)) continue;
          const selection = selectItem(header, ctx.plan, job.scope);
          if (!selection.selected && laterJob && selection.reason === "outside this job's scope") continue;
          seen.add(header.sourceId);
          if (selection.selected) selected.push(header);
          else add({ type: header.type, label: header.label, action: 'skip', reason: selection.reason });
        }
        if (selected.length === 0) continue;
        const mappings = await store.getMappings(ctx.scope, step.type, selected.map((h) => h.sourceId));
        const keys = new Set<string>();
        for (const h of selected) {
          const choice = principal ? userChoice(ctx.plan, h.key) : 'create';
          if (typeof choice === 'object') keys.add(choice.map);
          else if (needsLookup(mappings.get(h.sourceId))) keys.add(h.key);
        }
        const found = keys.size > 0 ? await ctx.target.lookup(step.type, [...keys], { signal: ctx.signal }) : new Map<string, TargetRef>();
        for (const h of selected) {
          const choice = principal ? userChoice(ctx.plan, h.key) : 'create';
          if (typeof choice === 'object') {
            add(found.has(choice.map)
              ? { type: h.type, label: h.label, action: 'adopt', reason: `mapped to the existing target user "${choice.map}"` }
              : { type: h.type, label: h.label, action: 'fail', reason: `mapped to "${choice.map}", who does not exist on the target` });
            continue;
          }
          if (choice === 'placeholder') {
            add({ type: h.type, label: h.label, action: 'adopt', reason: `credited to the placeholder "${ctx.plan.users.placeholder}"` });
            continue;
          }
          const d = decide({ item: h, mapping: mappings.get(h.sourceId), found: found.get(h.key), conflict: ctx.plan.conflict, principal });
          const action: PreviewAction = d.action === 'write' ? d.mode : d.action;
          add({ type: h.type, label: h.label, action, reason: d.reason });
        }
      }
    }
  }
  return preview;
}
