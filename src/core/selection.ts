import type { ItemHeader } from '../sdk/connector.js';
import type { Filter, Plan } from './plan.js';

/** Whether the plan selects an item, and if not, why: the reason a SKIPPED item shows. */
export type Selection = { selected: true } | { selected: false; reason: string };

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'u');
}

export function matchesFilter(item: ItemHeader, filter: Filter): boolean {
  if (filter.type && filter.type !== item.type) return false;
  if (filter.pattern && !globToRegExp(filter.pattern).test(item.label) && !globToRegExp(filter.pattern).test(item.key)) {
    return false;
  }
  if (filter.namespace && !filter.namespace.includes(item.namespace ?? '')) return false;
  if (filter.modifiedSince && (!item.modifiedAt || item.modifiedAt < filter.modifiedSince)) return false;
  return true;
}

function describe(filter: Filter): string {
  const parts = [
    filter.type && `type ${filter.type}`,
    filter.pattern && `pattern "${filter.pattern}"`,
    filter.namespace && `namespace ${filter.namespace.join('/')}`,
    filter.modifiedSince && `modified since ${filter.modifiedSince.slice(0, 10)}`,
  ].filter(Boolean);
  return parts.join(', ');
}

export function selectItem(item: ItemHeader, plan: Plan, scope?: Filter[]): Selection {
  const choice = plan.items.find((c) => c.type === item.type && (c.key === item.key || c.key === item.label));
  if (choice) return choice.migrate ? { selected: true } : { selected: false, reason: 'Migrate = No in the plan' };
  const applicable = (filters: Filter[]) => filters.filter((f) => !f.type || f.type === item.type);
  const includes = applicable(plan.include);
  if (includes.length > 0 && !includes.some((f) => matchesFilter(item, f))) {
    return { selected: false, reason: 'matches no include filter' };
  }
  const excludedBy = applicable(plan.exclude).find((f) => matchesFilter(item, f));
  if (excludedBy) return { selected: false, reason: `excluded by filter (${describe(excludedBy)})` };
  const scoped = applicable(scope ?? []);
  if (scoped.length > 0 && !scoped.some((f) => matchesFilter(item, f))) {
    return { selected: false, reason: "outside this job's scope" };
  }
  return { selected: true };
}
