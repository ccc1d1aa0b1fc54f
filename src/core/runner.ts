import type { ItemHeader } from '../sdk/connector.js';
import { toConnectorError } from '../sdk/errors.js';
import { headerOf } from './batch.js';
import { resolveDeferred } from './deferred.js';
import { nowIso, typeSpec, type EngineDeps, type MigrationContext, type RunState } from './context.js';
import type { Filter } from './plan.js';
import { editableJobs } from './job-edit.js';
import { layoutJobs, unknownJobs } from './planner.js';
import type { ItemRecord, RunRecord, StepRecord } from './ports.js';
import { placeholderActions } from './references.js';
import { RunReporter } from './reporter.js';
import { selectItem } from './selection.js';
import { processItems } from './process-items.js';
import { finalRunStatus, IllegalTransition, RERUNNABLE, transitionItem, transitionRun, transitionStep, type ItemStatus } from './statuses.js';
import { summarize } from './summary.js';
import { notCarriedActions, runVerifyStep } from './verify-step.js';

export type RunMode =
  /** jobs: run only these jobs' steps (the others are Skipped); doneTypes: types earlier runs migrated. */
  | { kind: 'fresh'; jobs?: string[]; doneTypes?: string[] }
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
  // Keyed by step idx: one type may be in several jobs, each with its own scope.
  const scopes = new Map<number, Filter[] | undefined>();
  try {
    const steps = await prepareSteps(state, mode, scopes);
    for (const step of steps) {
      if (state.stopped || state.fatal) break;
      if (step.status === 'Success' || step.status === 'Skipped' || step.status === 'Error') continue;
      await runStep(state, { step, steps, mode, scope: scopes.get(step.idx) });
    }
    if (!state.stopped && !state.fatal) await resolveDeferred(state);
    if (!state.stopped && !state.fatal) {
      if (ctx.plan.options.verify) state.verify = await runVerifyStep(onlyRunJobs(state, steps));
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

const NOT_IN_RUN = "not in this run's jobs";

/**
 * The run as verify should see it: a run of chosen jobs verifies only
 * their steps (the others were not meant to migrate anything).
 */
function onlyRunJobs(state: RunState, steps: StepRecord[]): RunState {
  const left = new Set(steps.filter((s) => s.reason === NOT_IN_RUN).map((s) => s.job));
  if (left.size === 0) return state;
  const jobs = editableJobs(layoutJobs(state.ctx.types, state.ctx.plan), state.ctx.plan.jobs).filter((j) => !left.has(j.name));
  return { ...state, ctx: { ...state.ctx, plan: { ...state.ctx.plan, jobs } } };
}

async function prepareSteps(state: RunState, mode: RunMode, scopes: Map<number, Filter[] | undefined>): Promise<StepRecord[]> {
  const { deps, ctx, run, reporter } = state;
  if (mode.kind === 'resume') {
    const steps = await deps.store.listSteps(run.id);
    for (const step of steps.filter((s) => s.status === 'Running')) {
      // The interrupted step starts again; its committed items and cursor are kept.
      step.status = transitionStep(step.status, 'Pending');
      await deps.store.updateStep(run.id, step.idx, { status: step.status });
    }
    // Distributed, workers may still be writing them: the coordinator puts back what no job holds (src/scale/coordinator.ts).
    const stale = deps.distribute ? [] : await deps.store.listItems(run.id, { statuses: ['RUNNING'] });
    // The store applies transitionItem to the stored status (RUNNING -> READY).
    for (const item of stale) await deps.store.updateItem(run.id, item.type, item.sourceId, { status: transitionItem(item.status, 'READY'), reason: 'resumed after an interruption' }, nowIso(state));
    reporter.info(`Resuming run ${run.id}: ${stale.length} item(s) were in flight and will be retried safely`);
    // Found by job name and type, not position: the plan's jobs may have been edited since.
    const jobs = layoutJobs(ctx.types, ctx.plan).jobs;
    for (const step of steps) scopes.set(step.idx, jobs.find((j) => j.name === step.job && j.steps.some((s) => s.type === step.type))?.scope);
    return steps;
  }
  if (mode.kind === 'rerun') return prepareRerun(state, mode);
  const layout = layoutJobs(ctx.types, ctx.plan);
  const chosen = mode.jobs && mode.jobs.length > 0 ? new Set(mode.jobs) : undefined;
  if (chosen) {
    const unknown = unknownJobs(layout, [...chosen]);
    if (unknown) throw new Error(unknown);
    reporter.info(`Running only job(s) ${[...chosen].map((n) => `"${n}"`).join(', ')}`);
  } else {
    for (const warning of layout.warnings) reporter.warn(warning);
  }
  const records: Array<Omit<StepRecord, 'runId' | 'total' | 'done' | 'startedAt' | 'endedAt'>> = [];
  for (const job of layout.jobs) {
    for (const s of job.steps) {
      scopes.set(records.length, job.scope);
      const inRun = !chosen || chosen.has(job.name);
      const reason = !inRun ? NOT_IN_RUN : s.reason;
      records.push({ idx: records.length, job: job.name, type: s.type, label: s.label, status: s.applies && inRun ? 'Pending' : 'Skipped', reason: reason ?? null });
      if (!s.applies || !inRun) reporter.info(`Step "${s.label}" (job "${job.name}") skipped: ${reason}`, { step: s.type });
    }
  }
  if (chosen) for (const warning of chosenJobWarnings(state, records, mode.doneTypes ?? [])) reporter.warn(warning);
  await deps.store.createSteps(run.id, records);
  return deps.store.listSteps(run.id);
}

/** A job run alone whose steps need types that neither this run nor an earlier one migrated. */
function chosenJobWarnings(state: RunState, records: Array<Pick<StepRecord, 'job' | 'type' | 'status'>>, doneTypes: string[]): string[] {
  const warnings: string[] = [];
  const available = new Set(doneTypes);
  for (const r of records) {
    if (r.status !== 'Pending') continue;
    for (const dep of typeSpec(state.ctx, r.type).dependsOn) {
      if (!available.has(dep) && state.ctx.types.some((t) => t.name === dep)) {
        warnings.push(`Step "${r.type}" (job "${r.job}") depends on "${dep}", which neither this run nor an earlier run of this migration has migrated: references to ${dep} items will not resolve. Run the job with "${dep}" first.`);
      }
    }
    available.add(r.type);
  }
  return warnings;
}

/** A re-run takes the parent run's FAILED / INCOMPLETE / TIMED_OUT items, in the parent's step order. */
async function prepareRerun(state: RunState, mode: Extract<RunMode, { kind: 'rerun' }>): Promise<StepRecord[]> {
  const { deps, run } = state;
  const parentSteps = await deps.store.listSteps(mode.parent.id);
  let items = await deps.store.listItems(mode.parent.id, { statuses: [...RERUNNABLE] });
  if (mode.sourceIds) items = items.filter((i) => mode.sourceIds!.includes(i.sourceId));
  // Each item goes back to the step (job and type) that listed it; items older than per-step rows go to their type's first step.
  const firstOfType = new Map<string, number>();
  for (const s of parentSteps) if (!firstOfType.has(s.type)) firstOfType.set(s.type, s.idx);
  const records: Array<Omit<StepRecord, 'runId' | 'total' | 'done' | 'startedAt' | 'endedAt'>> = [];
  const groups: Array<[number, ItemRecord[]]> = [];
  for (const s of parentSteps) {
    const own = items.filter((i) => (i.stepIdx ?? firstOfType.get(i.type)) === s.idx);
    if (own.length === 0) continue;
    groups.push([records.length, own]);
    records.push({ idx: records.length, job: s.job, type: s.type, label: s.label, status: 'Pending', reason: null });
  }
  await deps.store.createSteps(run.id, records);
  for (const [idx, own] of groups) await deps.store.addItems(run.id, own.map(headerOf), nowIso(state), idx);
  state.reporter.info(`Re-run of run ${mode.parent.id}: ${items.length} item(s) to retry`);
  return deps.store.listSteps(run.id);
}

interface StepRun {
  step: StepRecord;
  /** Every step of the run, to find the other steps of the same type. */
  steps: StepRecord[];
  mode: RunMode;
  scope: Filter[] | undefined;
}

async function runStep(state: RunState, { step, steps, mode, scope }: StepRun): Promise<void> {
  const { deps, run, reporter } = state;
  const spec = typeSpec(state.ctx, step.type);
  const where = { step: step.type };
  await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, 'Running'), startedAt: nowIso(state) });
  step.status = 'Running';
  reporter.info(`Step "${spec.label}" (job "${step.job}") started`, where);
  reporter.progress({ kind: 'step-start', idx: step.idx, job: step.job, step: step.type, label: spec.label, total: step.total });
  if (mode.kind !== 'rerun') await listItems(state, step, steps, scope);
  const total = sumCounts(await deps.store.countItems(run.id, step.type, step.idx));
  await deps.store.updateStep(run.id, step.idx, { total });
  reporter.progress({ kind: 'step-total', idx: step.idx, step: step.type, total });
  await (deps.distribute ?? processItems)(state, step, total, Math.min(state.ctx.plan.options.batchSize ?? Infinity, spec.batchSize ?? 1));
  const counts = await deps.store.countItems(run.id, step.type, step.idx);
  const failed = (counts.FAILED ?? 0) + (counts.TIMED_OUT ?? 0) + (counts.INCOMPLETE ?? 0);
  const left = (counts.READY ?? 0) + (counts.RUNNING ?? 0);
  const status = left > 0 ? 'Pending' : failed > 0 || state.fatal ? 'Error' : 'Success';
  await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, status), done: total - left, ...(status === 'Pending' ? {} : { endedAt: nowIso(state) }) });
  reporter.progress({ kind: 'step-end', idx: step.idx, step: step.type, status });
  const line = `Step "${spec.label}" (job "${step.job}") ${status === 'Pending' ? 'paused' : status === 'Success' ? 'succeeded' : 'ended with errors'}: ${describeCounts(counts)}`;
  if (status === 'Error') reporter.error(line, where);
  else reporter.info(line, where);
}

/**
 * Lists the source's items into the run, resuming after the last committed
 * cursor. An item another step of the same type already holds is migrated
 * once, by that step: this one says so and leaves it. Items outside this
 * job's scope are recorded as SKIPPED only by the last step of their type
 * that runs, since a later job's scope may still take them.
 */
async function listItems(state: RunState, step: StepRecord, steps: StepRecord[], scope: Filter[] | undefined): Promise<void> {
  const { deps, ctx, run } = state;
  const sameType = steps.filter((s) => s.type === step.type);
  // The first step of a type keeps the type as its cursor key (as runs stored before jobs could share a type).
  const cursorKey = sameType[0]?.idx === step.idx ? step.type : `${step.type}#${step.idx}`;
  const laterJobs = sameType.filter((s) => s.idx > step.idx && s.status === 'Pending');
  const scopeJobs = sameType.filter((s) => s.idx <= step.idx && s.status !== 'Skipped').map((s) => `"${s.job}"`);
  const cursor = await deps.store.getCursor(run.id, cursorKey);
  if (cursor === 'done') return;
  let listed = 0;
  const alreadyDone = new Map<number, number>();
  for await (const page of ctx.source.read(step.type, { signal: ctx.signal, ...(cursor ? { cursor } : {}) })) {
    const selected: ItemHeader[] = [];
    const skipped: Array<{ header: ItemHeader; status: ItemStatus; reason: string }> = [];
    for (const header of page.items) {
      const selection = selectItem(header, ctx.plan, scope);
      if (selection.selected) selected.push(header);
      else if (selection.reason !== OUTSIDE_SCOPE) skipped.push({ header, status: 'SKIPPED', reason: selection.reason });
      else if (laterJobs.length === 0) skipped.push({ header, status: 'SKIPPED', reason: scopeJobs.length > 1 ? `outside the scopes of jobs ${scopeJobs.join(', ')}` : selection.reason });
    }
    if (sameType.length > 1 && selected.length > 0) {
      for (const held of await deps.store.listItems(run.id, { type: step.type, sourceIds: selected.map((h) => h.sourceId) })) {
        if (held.stepIdx !== null && held.stepIdx !== step.idx) alreadyDone.set(held.stepIdx, (alreadyDone.get(held.stepIdx) ?? 0) + 1);
      }
    }
    await deps.store.addItems(run.id, selected, nowIso(state), step.idx);
    await deps.store.addFinishedItems(run.id, skipped, nowIso(state), step.idx);
    // The cursor is saved only once the page it covers is committed.
    if (page.cursor) await deps.store.setCursor(run.id, cursorKey, page.cursor);
    listed += page.items.length;
    state.reporter.progress({ kind: 'step-total', idx: step.idx, step: step.type, total: listed });
    // A source that answers at once (synthesised or cached pages) and SQLite's synchronous writes never
    // leave the microtask queue: the listing of 990k items ran 7 s without one timer or task, and V8's
    // collections that finish in a task could not, so the heap grew with the listing (peak RSS +22 % from
    // 10k to 1M items). One turn of the event loop per page lets them run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  for (const [idx, n] of alreadyDone) {
    const other = steps.find((s) => s.idx === idx);
    state.reporter.info(`${n} item(s) in the scope of job "${step.job}" were already taken by job "${other?.job ?? idx}" in this run: migrated once, by that job, and counted there`, { step: step.type });
  }
  await deps.store.setCursor(run.id, cursorKey, 'done');
}

const OUTSIDE_SCOPE = "outside this job's scope";

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
