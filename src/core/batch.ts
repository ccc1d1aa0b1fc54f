import type { ItemHeader, SourceItem, TargetRef, WriteRequest } from '../sdk/connector.js';
import { ConnectorError, isRetriable, toConnectorError } from '../sdk/errors.js';
import { nowIso, typeSpec, type RunState } from './context.js';
import { decide, needsLookup, userChoice, type Decision } from './decide.js';
import { missingOnTarget } from './map-check.js';
import type { ItemRecord, MappingRecord } from './ports.js';
import { batchSignal } from './batch-signal.js';
import { buildResolver, placeholderTarget } from './references.js';
import { IllegalTransition, transitionItem, type ItemStatus } from './statuses.js';

export function headerOf(item: ItemRecord): ItemHeader {
  return { type: item.type, sourceId: item.sourceId, key: item.key, label: item.label, hash: item.hash, ...(item.sizeBytes !== null ? { sizeBytes: item.sizeBytes } : {}) };
}

/**
 * Returns false when a person cancelled the item (`ferry cancel`) after this
 * batch read it as READY: the store refuses CANCELLED -> anything, and the
 * item is left cancelled. Any other refused change is a bug and throws.
 */
async function setStatus(state: RunState, item: ItemRecord, to: ItemStatus, patch: { outcome?: string; reason?: string; targetId?: string; attempts?: number } = {}): Promise<boolean> {
  const status = transitionItem(item.status, to);
  try {
    await state.deps.store.updateItem(state.run.id, item.type, item.sourceId, { status, ...patch }, nowIso(state));
  } catch (error) {
    if (error instanceof IllegalTransition && error.from === 'CANCELLED') {
      item.status = 'CANCELLED';
      return false;
    }
    throw error;
  }
  item.status = status;
  return true;
}

/** Decides every item of the batch; asks the target by natural key only where the ID map cannot answer. */
async function decideBatch(state: RunState, items: ItemRecord[], mappings: Map<string, MappingRecord>): Promise<Decision[]> {
  const { ctx } = state;
  const spec = typeSpec(ctx, items[0]!.type);
  const created = items.filter((item) => (spec.principal ? userChoice(ctx.plan, item.key) : 'create') === 'create');
  const missing = await missingOnTarget(state, spec, created, mappings);
  const forgotten = new Map<string, number>();
  for (const sourceId of missing) {
    // The map was wrong about these: decide as if it had never heard of them.
    forgotten.set(sourceId, mappings.get(sourceId)!.runId);
    mappings.delete(sourceId);
  }
  const wanted = new Set<string>();
  for (const item of items) {
    const choice = spec.principal ? userChoice(ctx.plan, item.key) : 'create';
    if (typeof choice === 'object') wanted.add(choice.map);
    else if (choice === 'create' && needsLookup(mappings.get(item.sourceId))) wanted.add(item.key);
  }
  const found = wanted.size > 0 ? await ctx.target.lookup(spec.name, [...wanted], { signal: ctx.signal }) : new Map<string, TargetRef>();
  const decisions: Decision[] = [];
  for (const item of items) {
    const choice = spec.principal ? userChoice(ctx.plan, item.key) : 'create';
    if (typeof choice === 'object') {
      const target = found.get(choice.map);
      decisions.push(
        target
          ? { action: 'adopt', target, reason: `mapped to the existing target user "${choice.map}" by the plan` }
          : { action: 'fail', reason: `the plan maps "${item.key}" to "${choice.map}", who does not exist on the target: create that user or change users.map` },
      );
    } else if (choice === 'placeholder') {
      const target = await placeholderTarget(state);
      decisions.push(
        target
          ? { action: 'adopt', target, reason: `credited to the placeholder "${ctx.plan.users.placeholder}" by the plan` }
          : { action: 'fail', reason: `the placeholder user "${ctx.plan.users.placeholder}" is not on the target and could not be created` },
      );
    } else {
      const decision = decide({ item: headerOf(item), mapping: mappings.get(item.sourceId), found: found.get(item.key), conflict: ctx.plan.conflict, principal: spec.principal === true });
      const lost = forgotten.get(item.sourceId);
      decisions.push(lost === undefined ? decision : { ...decision, reason: `the ID map says run ${lost} migrated it, but the target does not hold it: ${decision.reason}` });
    }
  }
  return decisions;
}

/**
 * The run an object belongs to for undo: the one that created it. An update
 * (finished or not) leaves it with its creator; a creation an earlier run
 * started but never finished belongs to the run that finishes it, so undoing
 * a re-run removes what the re-run created.
 */
function creatingRun(mapping: MappingRecord | undefined, runId: number): number {
  if (!mapping) return runId;
  if (mapping.state === 'done' || mapping.pendingMode === 'update') return mapping.runId;
  return runId;
}

/** Processes one batch of READY items of one type: decide, load, write, record. */
export async function processBatch(state: RunState, items: ItemRecord[]): Promise<void> {
  const { ctx, deps, reporter } = state;
  const type = items[0]!.type;
  const at = () => nowIso(state);
  let toWrite: Array<{ item: ItemRecord; decision: Extract<Decision, { action: 'write' }>; mapping?: MappingRecord }> = [];
  try {
    const mappings = await deps.store.getMappings(ctx.scope, type, items.map((i) => i.sourceId));
    const decisions = await decideBatch(state, items, mappings);
    for (const [index, item] of items.entries()) {
      const decision = decisions[index]!;
      switch (decision.action) {
        case 'unchanged':
          await setStatus(state, item, 'COMPLETE', { outcome: 'unchanged', reason: decision.reason, targetId: decision.targetId });
          break;
        case 'adopt':
          await adopt(state, item, decision);
          break;
        case 'fail':
          if (!(await setStatus(state, item, 'FAILED', { reason: decision.reason }))) break;
          reporter.error(`"${item.label}" failed: ${decision.reason}`, { step: type, item: item.label });
          break;
        case 'write': {
          const mapping = mappings.get(item.sourceId);
          // Recorded before the write, with the item RUNNING in the same transaction: after a crash the next run knows this object is ours.
          const running = transitionItem(item.status, 'RUNNING');
          try {
            await deps.store.startWrite({
              scope: ctx.scope,
              // A retry keeps the mode of the write that started it: the outcome counted is that write's.
              mapping: { type, sourceId: item.sourceId, targetId: decision.existing?.targetId ?? '', hash: mapping?.hash ?? null, runId: creatingRun(mapping, state.run.id), origin: decision.origin, state: 'pending', pendingMode: (mapping?.state === 'pending' ? mapping.pendingMode : undefined) ?? decision.mode, ...(decision.existing?.version ? { version: decision.existing.version } : {}) },
              runId: state.run.id,
              item,
              patch: { status: running, attempts: item.attempts + 1 },
              at: at(),
            });
          } catch (error) {
            // Cancelled by a person since this batch read it: left cancelled, nothing recorded.
            if (error instanceof IllegalTransition && error.from === 'CANCELLED') {
              item.status = 'CANCELLED';
              break;
            }
            throw error;
          }
          item.status = running;
          item.attempts += 1;
          toWrite.push({ item, decision, ...(mapping ? { mapping } : {}) });
          break;
        }
        default: {
          const never: never = decision;
          throw new Error(`unhandled decision ${JSON.stringify(never)}`);
        }
      }
    }
    if (toWrite.length === 0) return;
    await writeBatch(state, toWrite);
  } catch (error) {
    if (error instanceof IllegalTransition) throw error;
    const running = toWrite.length > 0 ? toWrite.map((w) => w.item) : items.filter((i) => i.status === 'READY' || i.status === 'RUNNING');
    for (const item of running) await failItem(state, item, error, false);
  }
}

async function adopt(state: RunState, item: ItemRecord, decision: Extract<Decision, { action: 'adopt' }>): Promise<void> {
  const { targetId, version } = decision.target;
  await state.deps.store.putMapping(
    state.ctx.scope,
    { type: item.type, sourceId: item.sourceId, targetId, hash: item.hash, runId: state.run.id, origin: 'adopted', state: 'done', ...(version ? { version } : {}) },
    nowIso(state),
  );
  if (!(await setStatus(state, item, 'COMPLETE', { outcome: 'adopted', reason: decision.reason, targetId }))) return;
  state.reporter.info(`"${item.label}" adopted as target ${targetId}: ${decision.reason}`, { step: item.type, item: item.label });
}

async function writeBatch(state: RunState, toWrite: Array<{ item: ItemRecord; decision: Extract<Decision, { action: 'write' }>; mapping?: MappingRecord }>): Promise<void> {
  const { ctx, deps, reporter } = state;
  const type = toWrite[0]!.item.type;
  const { signal, timedOut, end } = batchSignal(ctx.signal, ctx.plan.options.itemTimeoutSeconds * 1000);
  let loaded: SourceItem[];
  let outcomes;
  let release = state.slots ? await state.slots.source.acquire() : () => undefined;
  try {
    loaded = await ctx.source.load(toWrite.map((w) => headerOf(w.item)), { signal });
    release();
    const resolverFor = await buildResolver(state, loaded);
    const requests: WriteRequest[] = loaded.map((item, i) => {
      const { decision, mapping } = toWrite[i]!;
      const finishing = mapping?.state === 'pending' ? mapping.pendingMode : undefined;
      return { item, mode: decision.mode, ...(decision.existing ? { existing: decision.existing } : {}), ...(finishing ? { finishing } : {}), resolve: resolverFor(item) };
    });
    // Only the call holds a target slot: the next batch's write starts the moment this one answers.
    release = state.slots ? await state.slots.target.acquire() : () => undefined;
    outcomes = await ctx.target.write(type, requests, { signal });
    release();
    end();
  } catch (error) {
    release();
    end();
    for (const { item } of toWrite) await failItem(state, item, error, timedOut());
    return;
  }
  for (const [i, { item, decision, mapping }] of toWrite.entries()) {
    const outcome = outcomes[i];
    if (!outcome || !outcome.ok) {
      await failItem(state, item, outcome ? outcome.error : new ConnectorError('the connector returned no result for this item', { kind: 'bug' }), false);
      continue;
    }
    const { result } = outcome;
    const source = loaded[i]!;
    // A write that finishes an earlier attempt counts as that attempt would
    // have: the object is created (or updated) by this run, not "unchanged".
    const started = mapping?.state === 'pending' ? mapping.pendingMode : undefined;
    const counted = started && result.outcome !== 'adopted' ? (started === 'update' ? 'updated' : 'created') : result.outcome;
    const status = transitionItem(item.status, 'COMPLETE');
    await deps.store.completeWrite({
      scope: ctx.scope,
      mapping: { type, sourceId: item.sourceId, targetId: result.targetId, hash: source.hash, runId: creatingRun(mapping, state.run.id), origin: result.outcome === 'adopted' ? 'adopted' : decision.origin, state: 'done', ...(result.version ? { version: result.version } : {}) },
      runId: state.run.id,
      item,
      patch: { status, outcome: counted, reason: decision.reason, targetId: result.targetId, ...(result.deferred && result.deferred.length > 0 ? { deferredRefs: result.deferred } : {}) },
      actions: result.actions ?? [],
      at: nowIso(state),
    });
    item.status = status;
    reporter.info(`"${item.label}" ${counted} (target ${result.targetId})`, { step: type, item: item.label });
    for (const warning of result.warnings ?? []) reporter.warn(warning, { step: type, item: item.label });
    for (const action of result.actions ?? []) reporter.recorded(action);
  }
}

/** The one retry policy: retriable kinds go back to READY until attempts run out. */
async function failItem(state: RunState, item: ItemRecord, error: unknown, timedOut: boolean): Promise<void> {
  const e = toConnectorError(error);
  const where = { step: item.type, item: item.label };
  const message = e.hint ? `${e.message} (${e.hint})` : e.message;
  // A pending ID map entry now says why the write did not finish (a later dry run must not call it interrupted).
  await state.deps.store.markMappingFailed(state.ctx.scope, item.type, item.sourceId, timedOut || e.kind === 'timeout' ? `timed out after ${state.ctx.plan.options.itemTimeoutSeconds} s` : message, nowIso(state));
  if (item.status === 'READY' && !(await setStatus(state, item, 'RUNNING', { attempts: item.attempts + 1 }))) return;
  if (timedOut || e.kind === 'timeout') {
    await setStatus(state, item, 'TIMED_OUT', { reason: `took longer than ${state.ctx.plan.options.itemTimeoutSeconds} s` });
    state.reporter.error(`"${item.label}" timed out after ${state.ctx.plan.options.itemTimeoutSeconds} s`, where);
    return;
  }
  if (isRetriable(e.kind) && item.attempts < state.ctx.plan.options.maxAttempts) {
    await setStatus(state, item, 'READY', { reason: `retrying: ${message}` });
    state.reporter.warn(`"${item.label}" will be retried (attempt ${item.attempts} of ${state.ctx.plan.options.maxAttempts}): ${message}`, where);
    return;
  }
  await setStatus(state, item, 'FAILED', { reason: message });
  state.reporter.error(`"${item.label}" failed: ${message}`, where);
  if (e.kind === 'auth' || e.kind === 'config') state.fatal ??= message;
  if (e.kind === 'too_large' || e.kind === 'data' || e.kind === 'conflict') {
    state.reporter.action({ code: `item-${e.kind}`, message: `"${item.label}" was not migrated: ${message}`, type: item.type, sourceId: item.sourceId, label: item.label });
  }
}
