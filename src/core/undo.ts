import { toConnectorError } from '../sdk/errors.js';
import { nowIso, type EngineDeps, type MigrationContext, type RunState } from './context.js';
import { dependencyOrder } from './planner.js';
import type { ItemRecord, MappingRecord, RunRecord } from './ports.js';
import { RunReporter } from './reporter.js';
import { transitionRun } from './statuses.js';
import { summarize } from './summary.js';

/**
 * Undo of a run (or of one of its jobs or steps): deletes, in reverse dependency
 * order, what that run created, unless it changed on the target since.
 * Objects the run adopted are only forgotten by the ID map.
 */
export async function executeUndo(
  deps: EngineDeps,
  ctx: MigrationContext,
  undoRun: RunRecord,
  /** type: only this object type (in every job, unless job is given too); job: only what this job's steps wrote. */
  options: { of: RunRecord; type?: string; job?: string },
): Promise<RunRecord> {
  const reporter = new RunReporter({ store: deps.store, clock: deps.clock, log: deps.log, runId: undoRun.id, migrationId: ctx.migrationId, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) });
  const state: RunState = { deps, ctx, run: undoRun, reporter, stopped: false, fatal: undefined, placeholder: {}, placeholderUses: new Map() };
  const known = new Map<string, ItemRecord>();
  for (const item of await deps.store.listItems(options.of.id)) known.set(`${item.type}\u0000${item.sourceId}`, item);
  const jobOfStep = new Map((await deps.store.listSteps(options.of.id)).map((s) => [s.idx, s.job]));
  // An item belongs to the job whose step listed it (the first job, when two jobs' scopes hold it).
  const inJob = (m: MappingRecord) => {
    const idx = known.get(`${m.type}\u0000${m.sourceId}`)?.stepIdx;
    return idx !== null && idx !== undefined && jobOfStep.get(idx) === options.job;
  };
  const mappings = (await deps.store.listMappingsByRun(ctx.scope, options.of.id)).filter((m) => (!options.type || m.type === options.type) && (!options.job || inJob(m)));
  const order = dependencyOrder(ctx.types).reverse().filter((t) => mappings.some((m) => m.type === t.name));
  const jobName = options.job ? `Undo job "${options.job}" of run ${options.of.id}` : `Undo run ${options.of.id}`;
  await deps.store.createSteps(undoRun.id, order.map((t, idx) => ({ idx, job: jobName, type: t.name, label: `Undo ${t.label}`, status: 'Pending', reason: null })));
  // Step and item statuses are given as the status to change to; the store applies the transition to the stored one.
  const what = [options.job && `job "${options.job}"`, options.type && `step ${options.type}`].filter(Boolean).join(', ');
  reporter.info(`Undo of run ${options.of.id}${what ? ` (${what})` : ''}: ${mappings.length} ID map entries`);
  for (const [idx, spec] of order.entries()) {
    if (await deps.store.isStopRequested(undoRun.id)) {
      state.stopped = true;
      break;
    }
    const ofType = mappings.filter((m) => m.type === spec.name);
    await deps.store.updateStep(undoRun.id, idx, { status: 'Running', startedAt: nowIso(state), total: ofType.length });
    reporter.progress({ kind: 'step-start', idx, job: 'Undo', step: spec.name, label: `Undo ${spec.label}`, total: ofType.length });
    await deps.store.addItems(
      undoRun.id,
      ofType.map((m) => {
        const item = known.get(`${m.type}\u0000${m.sourceId}`);
        return { type: m.type, sourceId: m.sourceId, key: item?.key ?? m.sourceId, label: item?.label ?? m.sourceId, hash: m.hash ?? '' };
      }),
      nowIso(state),
      idx,
    );
    let done = 0;
    let kept = 0;
    // The objects of one type at the plan's concurrency, as the run wrote them: one delete at a time left
    // an undo of a few thousand objects waiting on a round trip each. The types stay in reverse
    // dependency order, one after the other.
    const queue = [...ofType];
    const worker = async (): Promise<void> => {
      for (let mapping = queue.shift(); mapping !== undefined; mapping = queue.shift()) {
        const label = known.get(`${mapping.type}\u0000${mapping.sourceId}`)?.label ?? mapping.sourceId;
        const ok = await undoOne(state, mapping, label, spec.deletable);
        if (!ok) kept++;
        done++;
        await deps.store.updateStep(undoRun.id, idx, { done });
        reporter.progress({ kind: 'step-progress', idx, step: spec.name, done, total: ofType.length });
      }
    };
    // Every worker ends before an error goes on: none is left deleting behind a failed undo.
    const ended = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(ctx.plan.options.concurrency, ofType.length)) }, worker));
    const failed = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const status = kept > 0 && spec.deletable ? 'Error' : 'Success';
    await deps.store.updateStep(undoRun.id, idx, { status, endedAt: nowIso(state), done });
    reporter.progress({ kind: 'step-end', idx, step: spec.name, status });
  }
  const summary = summarize(await deps.store.summarizeItems(undoRun.id));
  const keptChanged = reporter.actions.filter((a) => a.code === 'undo-changed').length;
  const status = transitionRun(undoRun.status, state.stopped ? 'STOPPED' : summary.totals.failed > 0 || keptChanged > 0 ? 'INCOMPLETE' : 'FINISHED');
  summary.warnings = reporter.warnings;
  summary.errors = reporter.errors;
  summary.actions = reporter.actions.length;
  reporter.info(`Undo ended ${status}: ${summary.totals.removed} removed, ${summary.totals.skipped} kept`);
  await reporter.flush();
  await deps.store.updateRun(undoRun.id, { status, endedAt: nowIso(state), summary });
  return { ...undoRun, status, summary };
}

/** Returns false when the object was kept on the target. */
async function undoOne(state: RunState, mapping: MappingRecord, label: string, deletable: boolean): Promise<boolean> {
  const { deps, ctx, run, reporter } = state;
  const at = () => nowIso(state);
  const where = { step: mapping.type, item: label };
  const finish = (status: 'COMPLETE' | 'SKIPPED' | 'FAILED', outcome: string | null, reason: string) =>
    deps.store.updateItem(run.id, mapping.type, mapping.sourceId, { status, outcome, reason, targetId: mapping.targetId }, at());
  if (mapping.origin === 'adopted') {
    await deps.store.deleteMapping(ctx.scope, mapping.type, mapping.sourceId);
    await finish('COMPLETE', 'unchanged', 'adopted, not created by Ferry: left on the target, forgotten by the ID map');
    return true;
  }
  if (!deletable) {
    await finish('SKIPPED', null, `${mapping.type} objects cannot be deleted through this platform's API`);
    reporter.action({ code: 'undo-not-deletable', message: `"${label}" was created by Ferry but cannot be deleted through the API: remove or block it by hand if needed`, type: mapping.type, sourceId: mapping.sourceId, label });
    return false;
  }
  let target = mapping.targetId ? { targetId: mapping.targetId, ...(mapping.version ? { version: mapping.version } : {}) } : undefined;
  if (!target) {
    const item = (await deps.store.listItems(run.id, { type: mapping.type })).find((i) => i.sourceId === mapping.sourceId);
    target = item ? (await ctx.target.lookup(mapping.type, [item.key], { signal: ctx.signal })).get(item.key) : undefined;
  }
  if (!target) {
    await deps.store.deleteMapping(ctx.scope, mapping.type, mapping.sourceId);
    await finish('COMPLETE', 'gone', 'was never written');
    return true;
  }
  try {
    const result = await ctx.target.remove(mapping.type, target, { signal: ctx.signal });
    switch (result) {
      case 'removed':
      case 'gone':
        await deps.store.deleteMapping(ctx.scope, mapping.type, mapping.sourceId);
        await finish('COMPLETE', 'removed', result === 'gone' ? 'already gone' : 'deleted');
        reporter.info(`"${label}" ${result === 'gone' ? 'was already gone' : 'deleted'} (target ${target.targetId})`, where);
        return true;
      case 'changed':
        await finish('SKIPPED', null, 'changed on the target since Ferry wrote it: kept');
        reporter.warn(`"${label}" changed on the target since Ferry wrote it: kept`, where);
        reporter.action({ code: 'undo-changed', message: `"${label}" was kept by undo because it changed on the target since the run; delete it by hand if it should go`, type: mapping.type, sourceId: mapping.sourceId, label });
        return false;
      case 'not_deletable':
        await finish('SKIPPED', null, 'the platform cannot delete it');
        return false;
      default: {
        const never: never = result;
        throw new Error(`unknown remove result ${String(never)}`);
      }
    }
  } catch (error) {
    const e = toConnectorError(error);
    await finish('FAILED', null, e.message);
    reporter.error(`"${label}" could not be deleted: ${e.message}`, where);
    return false;
  }
}
