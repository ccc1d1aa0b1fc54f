import type { ObjectTypeSpec } from '../sdk/connector.js';
import type { RunState } from './context.js';
import type { ItemRecord, MappingRecord } from './ports.js';

/** How many items per type the ID map is asked to prove before it is believed. */
export const MAP_SAMPLE_PER_TYPE = 5;

/**
 * Looks up on the target a sample of the items the ID map calls migrated
 * (every one, once a miss was seen) and returns the source ids of those the
 * target no longer holds: a target restored from a backup, or objects deleted
 * by hand, must not pass for "unchanged".
 *
 * By id through `inspect` when the target has it, else by natural key. Only
 * items Ferry created are asked (an adopted one may sit under another key),
 * and only of deletable types (a site's settings cannot go missing).
 */
export async function missingOnTarget(state: RunState, spec: ObjectTypeSpec, items: ItemRecord[], mappings: Map<string, MappingRecord>): Promise<Set<string>> {
  const check = (state.mapCheck ??= { all: false, sampled: new Map() });
  const candidates = items.filter((item) => {
    const m = mappings.get(item.sourceId);
    // Only items the map would call unchanged: a changed one may have a changed key (a comment's text),
    // and its update goes by target id anyway.
    return spec.deletable && m?.state === 'done' && !!m.targetId && m.origin === 'created' && m.hash === item.hash;
  });
  const missing = new Set<string>();
  if (candidates.length === 0) return missing;
  const room = check.all ? candidates.length : Math.max(0, MAP_SAMPLE_PER_TYPE - (check.sampled.get(spec.name) ?? 0));
  const asked = candidates.slice(0, room);
  if (asked.length === 0) return missing;
  check.sampled.set(spec.name, (check.sampled.get(spec.name) ?? 0) + asked.length);
  const { ctx } = state;
  if (ctx.target.inspect) {
    const ids = asked.map((item) => mappings.get(item.sourceId)!.targetId);
    const found = await ctx.target.inspect(spec.name, ids, { signal: ctx.signal });
    for (const item of asked) if (!found.has(mappings.get(item.sourceId)!.targetId)) missing.add(item.sourceId);
  } else {
    const found = await ctx.target.lookup(spec.name, asked.map((item) => item.key), { signal: ctx.signal });
    for (const item of asked) if (!found.has(item.key)) missing.add(item.sourceId);
  }
  if (missing.size > 0 && !check.all) {
    check.all = true;
    const example = items.find((item) => missing.has(item.sourceId))!;
    state.reporter.warn(
      `The ID map says "${example.label}" was migrated in run ${mappings.get(example.sourceId)!.runId}, but the target does not hold it: every item is now checked against the target instead of trusting the map`,
      { step: spec.name },
    );
    const rest = candidates.slice(asked.length);
    if (rest.length > 0) for (const id of await missingOnTarget(state, spec, rest, mappings)) missing.add(id);
  }
  return missing;
}
