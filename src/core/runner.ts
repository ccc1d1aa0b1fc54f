import type { ItemHeader } from '../sdk/connector.js';
import { toConnectorError } from '../sdk/errors.js';
import { headerOf } from './batch.js';
import { resolveDeferred } from './deferred.js';
import { nowIso, typeSpec, type EngineDeps, type MigrationContext, type RunState } from './context.js';
import type { Filter } from './plan.js';
import { layoutJobs } from './planner.js';
import type { RunRecord, StepRecord } from './ports.js';
import { placeholderActions } from './references.js';
import { RunReporter } from './reporter.js';
import { selectItem } from './selection.js';
import { processItems } from './process-items.js';
import { finalRunStatus, IllegalTransition, RERUNNABLE, transitionItem, transitionRun, transitionStep, type ItemStatus } from './statuses.js';
import { summarize } from './summary.js';
import { notCarriedActions, runVerifyStep } from './verify-step.js';

export type RunMode =
  | { kind: 'fresh' }
  | { kind: 'resume' } // continue an interrupted run: its steps and items are in the store
  | { kind: 'rerun'; parent: RunRecord; sourceIds?: string[] };

/**
 * Executes one run of a migration. The run row already exists (status
 * RUNNING); this fills in steps and items, writes through the connectors and
 * leaves the run in a final status.
 */
export async function executeRun(deps: EngineDeps, ctx: MigrationContext, run: RunRecord, mode: RunMode): Promise<RunRecord> {
  const reporter = new RunReporter({ store: deps.store, clock: deps.clock, log: deps.log, runId: run.id, migrationId: ctx.migrationId, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) });
  const state: RunState = { deps, ctx, run, reporter, stopped: false, fatal: undefined, placeholder: {}, placeholderUses: new Map(), mapCheck: { all: false, sampled: new Map() } };
  const scopes = new Map<string, Filter[] | undefined>();
  try {
    const steps = await prepareSteps(state, mode, scopes);
    for (const step of steps) {
      if (state.stopped || state.fatal) break;
      if (step.status === 'Success' || step.status === 'Skipped' || step.status === 'Error') continue;
      await runStep(state, step, mode, scopes.get(step.type));
    }
    if (!state.stopped && !state.fatal) await resolveDeferred(state);
    if (!state.stopped && !state.fatal) {
      if (ctx.plan.options.verify) state.verify = await runVerifyStep(state);
      else notCarriedActions(state, (await ctx.source.discover({ signal: ctx.signal })).notCarried ?? []);
    }
  } catch (error) {
    // A status change the rules forbid is a bug in Ferry: it ends the process (exit 3), not the run.
    if (error instanceof IllegalTransition) throw error;
    const e = toConnectorError(error);
    state.fatal = e.hint ? `${e.message} (${e.hint})` : e.message;
    reporter.error(`Run stopped by an error: ${state.fatal}`);
  }
  placeholderActions(state);
  await neverCarriedActions(state);
  return finishRun(state);
}

async function prepareSteps(state: RunState, mode: RunMode, scopes: Map<string, Filter[] | undefined>): Promise<StepRecord[]> {
  const { deps, ctx, run, reporter } = state;
  if (mode.kind === 'resume') {
    const steps = await deps.store.listSteps(run.id);
    for (const step of steps.filter((s) => s.status === 'Running')) {
      // The interrupted step starts again; its committed items and cursor are kept.
      step.status = transitionStep(step.status, 'Pending');
      await deps.store.updateStep(run.id, step.idx, { status: step.status });
    }
    const stale = await deps.store.listItems(run.id, { statuses: ['RUNNING'] });
    // The store applies transitionItem to the stored status (RUNNING -> READY).
    for (const item of stale) await deps.store.updateItem(run.id, item.type, item.sourceId, { status: transitionItem(item.status, 'READY'), reason: 'resumed after an interruption' }, nowIso(state));
    reporter.info(`Resuming run ${run.id}: ${stale.length} item(s) were in flight and will be retried safely`);
    for (const job of layoutJobs(ctx.types, ctx.plan).jobs) for (const s of job.steps) scopes.set(s.type, job.scope);
    return steps;
  }
  if (mode.kind === 'rerun') return prepareRerun(state, mode);
  const layout = layoutJobs(ctx.types, ctx.plan);
  for (const warning of layout.warnings) reporter.warn(warning);
  const records: Array<Omit<StepRecord, 'runId' | 'total' | 'done' | 'startedAt' | 'endedAt'>> = [];
  for (const job of layout.jobs) {
    for (const s of job.steps) {
      scopes.set(s.type, job.scope);
      records.push({ idx: records.length, job: job.name, type: s.type, label: s.label, status: s.applies ? 'Pending' : 'Skipped', reason: s.reason ?? null });
      if (!s.applies) reporter.info(`Step "${s.label}" skipped: ${s.reason}`, { step: s.type });
    }
  }
  await deps.store.createSteps(run.id, records);
  return deps.store.listSteps(run.id);
}

/** A re-run takes the parent run's FAILED / INCOMPLETE / TIMED_OUT items, in the parent's step order. */
async function prepareRerun(state: RunState, mode: Extract<RunMode, { kind: 'rerun' }>): Promise<StepRecord[]> {
  const { deps, run } = state;
  const parentSteps = await deps.store.listSteps(mode.parent.id);
  let items = await deps.store.listItems(mode.parent.id, { statuses: [...RERUNNABLE] });
  if (mode.sourceIds) items = items.filter((i) => mode.sourceIds!.includes(i.sourceId));
  const types = new Set(items.map((i) => i.type));
  const records = parentSteps
    .filter((s) => types.has(s.type))
    .map((s, idx) => ({ idx, job: s.job, type: s.type, label: s.label, status: 'Pending' as const, reason: null }));
  await deps.store.createSteps(run.id, records);
  await deps.store.addItems(run.id, items.map(headerOf), nowIso(state));
  state.reporter.info(`Re-run of run ${mode.parent.id}: ${items.length} item(s) to retry`);
  return deps.store.listSteps(run.id);
}

async function runStep(state: RunState, step: StepRecord, mode: RunMode, scope: Filter[] | undefined): Promise<void> {
  const { deps, run, reporter } = state;
  const spec = typeSpec(state.ctx, step.type);
  await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, 'Running'), startedAt: nowIso(state) });
  step.status = 'Running';
  reporter.info(`Step "${spec.label}" started`, { step: step.type });
  reporter.progress({ kind: 'step-start', job: step.job, step: step.type, label: spec.label, total: step.total });
  if (mode.kind !== 'rerun') await listItems(state, step, scope);
  const total = sumCounts(await deps.store.countItems(run.id, step.type));
  await deps.store.updateStep(run.id, step.idx, { total });
  reporter.progress({ kind: 'step-total', step: step.type, total });
  await processItems(state, step, total, Math.min(state.ctx.plan.options.batchSize ?? Infinity, spec.batchSize ?? 1));
  const counts = await deps.store.countItems(run.id, step.type);
  const failed = (counts.FAILED ?? 0) + (counts.TIMED_OUT ?? 0) + (counts.INCOMPLETE ?? 0);
  const left = (counts.READY ?? 0) + (counts.RUNNING ?? 0);
  const status = left > 0 ? 'Pending' : failed > 0 || state.fatal ? 'Error' : 'Success';
  await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, status), done: total - left, ...(status === 'Pending' ? {} : { endedAt: nowIso(state) }) });
  reporter.progress({ kind: 'step-end', step: step.type, status });
  const line = `Step "${spec.label}" ${status === 'Pending' ? 'paused' : status === 'Success' ? 'succeeded' : 'ended with errors'}: ${describeCounts(counts)}`;
  if (status === 'Error') reporter.error(line, { step: step.type });
  else reporter.info(line, { step: step.type });
}

/** Lists the source's items into the run, resuming after the last committed cursor. */
async function listItems(state: RunState, step: StepRecord, scope: Filter[] | undefined): Promise<void> {
  const { deps, ctx, run } = state;
  const cursor = await deps.store.getCursor(run.id, step.type);
  if (cursor === 'done') return;
  let listed = 0;
  for await (const page of ctx.source.read(step.type, { signal: ctx.signal, ...(cursor ? { cursor } : {}) })) {
    const selected: ItemHeader[] = [];
    const skipped: Array<{ header: ItemHeader; status: ItemStatus; reason: string }> = [];
    for (const header of page.items) {
      const selection = selectItem(header, ctx.plan, scope);
      if (selection.selected) selected.push(header);
      else skipped.push({ header, status: 'SKIPPED', reason: selection.reason });
    }
    await deps.store.addItems(run.id, selected, nowIso(state));
    await deps.store.addFinishedItems(run.id, skipped, nowIso(state));
    // The cursor is saved only once the page it covers is committed.
    if (page.cursor) await deps.store.setCursor(run.id, step.type, page.cursor);
    listed += page.items.length;
    state.reporter.progress({ kind: 'step-total', step: step.type, total: listed });
  }
  await deps.store.setCursor(run.id, step.type, 'done');
}

/** One action per type whose created items lost something the platform never lets us carry (passwords...). */
async function neverCarriedActions(state: RunState): Promise<void> {
  const rows = await state.deps.store.summarizeItems(state.run.id);
  for (const spec of state.ctx.types) {
    if (spec.neverCarried.length === 0) continue;
    const created = rows.filter((r) => r.type === spec.name && r.outcome === 'created').reduce((n, r) => n + r.count, 0);
    if (created === 0) continue;
    state.reporter.action({
      code: 'never-carried',
      message: `${created} ${spec.label.toLowerCase()} created without: ${spec.neverCarried.join(', ')} (Ferry never carries these)`,
      type: spec.name,
    });
  }
}

async function finishRun(state: RunState): Promise<RunRecord> {
  const { deps, run, reporter } = state;
  await reporter.flush();
  // Counted from the store, not this process's memory: a resumed run adds up its parts.
  const summary = summarize(await deps.store.summarizeItems(run.id));
  if (state.verify) summary.verify = state.verify;
  const t = summary.totals;
  const status = transitionRun(run.status, finalRunStatus({
    stopped: state.stopped,
    fatal: state.fatal !== undefined,
    // A discrepancy verify found among items another run wrote still keeps this run from FINISHED.
    failedItems: t.failed + t.timedOut + (state.verify?.discrepancyCount ?? 0),
    doneItems: t.created + t.updated + t.adopted,
  }));
  reporter.info(`Run ${run.id} ended ${status}: ${t.created} created, ${t.updated} updated, ${t.unchanged} unchanged, ${t.adopted} adopted, ${t.skipped} skipped, ${t.failed} failed, ${t.timedOut} timed out`);
  await reporter.flush();
  const events = await deps.store.countEvents(run.id);
  summary.warnings = events.warn;
  summary.errors = events.error;
  summary.actions = await deps.store.countActions(run.id);
  await deps.store.updateRun(run.id, { status, endedAt: nowIso(state), summary });
  return { ...run, status, endedAt: nowIso(state), summary };
}

function sumCounts(counts: Partial<Record<ItemStatus, number>>): number {
  return Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
}

function describeCounts(counts: Partial<Record<ItemStatus, number>>): string {
  return Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ') || 'no items';
}
