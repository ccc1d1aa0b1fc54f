import type { ItemRef, WriteRequest } from '../sdk/connector.js';
import { toConnectorError } from '../sdk/errors.js';
import { headerOf } from './batch.js';
import { nowIso, type RunState } from './context.js';
import { dependencyOrder } from './planner.js';
import type { ItemRecord } from './ports.js';
import { batchSignal } from './batch-signal.js';
import { buildResolver } from './references.js';
import { transitionItem } from './statuses.js';

/**
 * The second pass: items whose references did not resolve when they were
 * written (a link to a post written later, a reply before its parent) are
 * written again now that every step has run. What still does not resolve is
 * left as it is and listed as a post-migration action.
 */
export async function resolveDeferred(state: RunState): Promise<void> {
  const { deps, ctx, run, reporter } = state;
  const waiting = await deps.store.listItems(run.id, { deferred: true });
  if (waiting.length === 0) return;
  reporter.info(`Resolving references: ${waiting.length} item(s) wait for a second write`);
  reporter.progress({ kind: 'step-start', job: 'References', step: 'references', label: 'References', total: waiting.length });
  let done = 0;
  // Types in dependency order; the batches of one type side by side, at the plan's concurrency
  // (each is one item's references written again: none waits for another of its type).
  for (const spec of dependencyOrder(ctx.types)) {
    const ofType = waiting.filter((i) => i.type === spec.name);
    const size = spec.batchSize ?? 1;
    const batches: ItemRecord[][] = [];
    for (let i = 0; i < ofType.length; i += size) batches.push(ofType.slice(i, i + size));
    let next = 0;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (!stopped && next < batches.length) {
        if (await deps.store.isStopRequested(run.id)) {
          stopped = true;
          return;
        }
        const batch = batches[next++];
        if (!batch) return;
        await rewrite(state, batch);
        done += batch.length;
        reporter.progress({ kind: 'step-progress', step: 'references', done, total: waiting.length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, ctx.plan.options.concurrency), batches.length) }, worker));
    if (stopped) return;
  }
  reporter.progress({ kind: 'step-end', step: 'references', status: 'Success' });
}

async function resolvable(state: RunState, refs: ItemRef[]): Promise<ItemRef[]> {
  const out: ItemRef[] = [];
  for (const ref of refs) {
    const m = (await state.deps.store.getMappings(state.ctx.scope, ref.type, [ref.sourceId])).get(ref.sourceId);
    if (m?.state === 'done' && m.targetId) out.push(ref);
  }
  return out;
}

async function rewrite(state: RunState, items: ItemRecord[]): Promise<void> {
  const { deps, ctx, run, reporter } = state;
  const type = items[0]!.type;
  const ready: ItemRecord[] = [];
  for (const item of items) {
    const refs = item.deferredRefs ?? [];
    const now = await resolvable(state, refs);
    if (now.length === 0) {
      const action = {
        code: 'unresolved-reference',
        message: `"${item.label}" refers to ${refs.length} object(s) that were not migrated (${refs.slice(0, 5).map((r) => `${r.type} ${r.sourceId}`).join(', ')}): those references still point at the source or are empty`,
        type,
        sourceId: item.sourceId,
        label: item.label,
      };
      // Stored before the item stops waiting: a kill in between must not lose it.
      await deps.store.addActions(run.id, [action]);
      reporter.recorded(action);
      await deps.store.updateItem(run.id, type, item.sourceId, { deferredRefs: null }, nowIso(state));
    } else {
      ready.push(item);
    }
  }
  if (ready.length === 0) return;
  const mappings = await deps.store.getMappings(ctx.scope, type, ready.map((i) => i.sourceId));
  const { signal, end } = batchSignal(ctx.signal, ctx.plan.options.itemTimeoutSeconds * 1000);
  try {
    const loaded = await ctx.source.load(ready.map(headerOf), { signal });
    const resolverFor = await buildResolver(state, loaded);
    const requests: WriteRequest[] = loaded.map((item) => {
      const m = mappings.get(item.sourceId);
      return { item, mode: 'update', ...(m?.targetId ? { existing: { targetId: m.targetId, ...(m.version ? { version: m.version } : {}) } } : {}), resolve: resolverFor(item) };
    });
    const outcomes = await ctx.target.write(type, requests, { signal });
    for (const [index, item] of ready.entries()) {
      const outcome = outcomes[index];
      const m = mappings.get(item.sourceId);
      if (outcome?.ok && m) {
        await deps.store.putMapping(ctx.scope, { ...m, targetId: outcome.result.targetId, state: 'done', ...(outcome.result.version ? { version: outcome.result.version } : {}) }, nowIso(state));
        const still = outcome.result.deferred ?? [];
        await deps.store.updateItem(run.id, type, item.sourceId, { deferredRefs: null }, nowIso(state));
        reporter.info(`"${item.label}" references resolved${still.length > 0 ? ` (${still.length} still unresolved)` : ''}`, { step: type, item: item.label });
        for (const action of outcome.result.actions ?? []) reporter.action(action);
      } else {
        const message = outcome && !outcome.ok ? toConnectorError(outcome.error).message : 'no result';
        await incomplete(state, item, message);
      }
    }
  } catch (error) {
    for (const item of ready) await incomplete(state, item, toConnectorError(error).message);
  } finally {
    end();
  }
}

async function incomplete(state: RunState, item: ItemRecord, message: string): Promise<void> {
  await state.deps.store.updateItem(state.run.id, item.type, item.sourceId, { status: transitionItem(item.status, 'INCOMPLETE'), reason: `migrated, but its references could not be updated: ${message}`, deferredRefs: null }, nowIso(state));
  state.reporter.error(`"${item.label}" was migrated but its references could not be updated: ${message}`, { step: item.type, item: item.label });
}
