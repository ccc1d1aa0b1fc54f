import type { ItemRef, SourceItem, TargetRef } from '../sdk/connector.js';
import { toConnectorError } from '../sdk/errors.js';
import { principalType, type RunState } from './context.js';

/**
 * Resolves the references of a batch through the ID map, before the write:
 * `resolve` has to answer synchronously. People who were not migrated are
 * credited to the placeholder and remembered for the post-migration actions.
 */
export async function buildResolver(state: RunState, items: SourceItem[]): Promise<(item: SourceItem) => (ref: ItemRef) => string | undefined> {
  const { store } = state.deps;
  const byType = new Map<string, Set<string>>();
  for (const item of items) {
    for (const ref of item.refs) {
      const ids = byType.get(ref.type) ?? new Set<string>();
      ids.add(ref.sourceId);
      byType.set(ref.type, ids);
    }
  }
  const resolved = new Map<string, string>();
  for (const [type, ids] of byType) {
    const mappings = await store.getMappings(state.ctx.scope, type, [...ids]);
    for (const [sourceId, m] of mappings) if (m.state === 'done' && m.targetId) resolved.set(`${type}\u0000${sourceId}`, m.targetId);
  }
  const principal = principalType(state.ctx)?.name;
  const missingPeople = principal ? [...(byType.get(principal) ?? [])].filter((id) => !resolved.has(`${principal}\u0000${id}`)) : [];
  const placeholder = missingPeople.length > 0 ? await placeholderTarget(state) : undefined;

  const credit = (person: string, label: string) => {
    const uses = state.placeholderUses.get(person) ?? [];
    if (!uses.includes(label)) uses.push(label);
    state.placeholderUses.set(person, uses);
  };
  return (item) => (ref) => {
    const hit = resolved.get(`${ref.type}\u0000${ref.sourceId}`);
    if (hit !== undefined) {
      // People the plan sends to the placeholder: their items are listed too.
      if (ref.type === principal && state.placeholder.target && hit === state.placeholder.target.targetId) credit(ref.sourceId, item.label);
      return hit;
    }
    if (ref.type === principal && placeholder) {
      credit(ref.sourceId, item.label);
      return placeholder.targetId;
    }
    return undefined;
  };
}

/** The placeholder account on the target, created once if the connector can. */
export function placeholderTarget(state: RunState): Promise<TargetRef | undefined> {
  state.placeholder.pending ??= findOrCreatePlaceholder(state);
  return state.placeholder.pending;
}

async function findOrCreatePlaceholder(state: RunState): Promise<TargetRef | undefined> {
  const principal = principalType(state.ctx);
  const name = state.ctx.plan.users.placeholder;
  if (!principal) return undefined;
  const signal = state.ctx.signal;
  try {
    const found = await state.ctx.target.lookup(principal.name, [name], { signal });
    let target = found.get(name);
    if (!target && state.ctx.target.ensurePrincipal) {
      target = await state.ctx.target.ensurePrincipal(principal.name, name, { signal });
      state.reporter.info(`Created the placeholder user "${name}" on the target`, { step: principal.name });
    }
    if (!target) {
      state.reporter.warn(`Placeholder user "${name}" does not exist on the target: unmatched authors keep their source names`);
    }
    state.placeholder.target = target;
    return target;
  } catch (error) {
    const e = toConnectorError(error);
    state.reporter.warn(`Could not set up the placeholder user "${name}": ${e.message}`);
    return undefined;
  }
}

/** Turns the remembered placeholder credits into post-migration actions. */
export function placeholderActions(state: RunState): void {
  const name = state.ctx.plan.users.placeholder;
  for (const [person, labels] of state.placeholderUses) {
    const shown = labels.slice(0, 10).join(', ');
    const more = labels.length > 10 ? ` and ${labels.length - 10} more` : '';
    state.reporter.action({
      code: 'placeholder-author',
      message: `Work by "${person}" is credited to the placeholder "${name}" in ${labels.length} item(s): ${shown}${more}. Reassign it on the target if needed.`,
      type: principalType(state.ctx)?.name,
      sourceId: person,
      label: person,
    });
  }
  state.placeholderUses.clear();
}
