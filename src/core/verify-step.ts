import type { NotCarried } from '../sdk/connector.js';
import { nowIso, type RunState } from './context.js';
import { layoutJobs } from './planner.js';
import { transitionItem, transitionRun, transitionStep, type StepStatus } from './statuses.js';
import { summarize } from './summary.js';
import type { RunRecord } from './ports.js';
import { verifyMigration, type Discrepancy, type VerifyReport } from './verify.js';

/** Discrepancies written to the log one by one; the rest are counted (all are in the report). */
const LOGGED = 200;

/**
 * Verify as the last step of a run: every discrepancy is an error in the
 * log, the run's item it concerns becomes INCOMPLETE (so the run cannot end
 * FINISHED and a re-run picks it up), and the ID map forgets what it said
 * about the item so the next run writes it again.
 */
export async function runVerifyStep(state: RunState): Promise<VerifyReport> {
  const { deps, ctx, run, reporter } = state;
  reporter.info('Verify: reading source and target afresh and comparing every migrated item');
  let logged = 0;
  const report = await verifyMigration({
    ctx,
    store: deps.store,
    now: () => nowIso(state),
    invalidate: true,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    onDiscrepancy: async (d) => {
      const [item] = await deps.store.listItems(run.id, { type: d.type, sourceIds: [d.sourceId] });
      // Cancelled by the run's user: absent on purpose.
      if (item?.status === 'CANCELLED' && d.problem === 'not-migrated') return 'excused';
      if (logged++ < LOGGED) reporter.error(`Verify: ${d.message}`, { step: d.type, item: d.label });
      if (item?.status === 'COMPLETE') {
        await deps.store.updateItem(run.id, d.type, d.sourceId, { status: transitionItem(item.status, 'INCOMPLETE'), reason: `verify: ${d.message}` }, nowIso(state));
      }
      return 'counted';
    },
  });
  if (report.discrepancyCount > LOGGED) reporter.error(`Verify: ${report.discrepancyCount - LOGGED} more discrepancies (all in the run's verify report)`);
  for (const t of report.types) {
    const how = t.fieldsCompared ? 'compared field by field' : 'existence checked (the connector cannot inspect this type)';
    reporter.info(`Verify ${t.label}: ${t.selected} on the source, ${t.equal} equal on the target (${how}), ${t.kept} kept as the target had them, ${t.notMigrated} not migrated, ${t.missing} missing, ${t.different} different${t.unresolved ? `, ${t.unresolved} equal but for links to objects outside the migration` : ''}${t.actioned ? `, ${t.actioned} equal but for what a post-migration action names` : ''}`, { step: t.type });
  }
  notCarriedActions(state, report.notCarried);
  reporter.info(report.discrepancyCount === 0 ? 'Verify: the target matches the source' : `Verify found ${report.discrepancyCount} discrepancies: run the migration again to rewrite the damaged items, then verify again`);
  return report;
}

/** One post-migration action per kind of object the source holds and Ferry does not carry. */
export function notCarriedActions(state: RunState, kinds: NotCarried[]): void {
  for (const k of kinds) {
    if (k.count === 0) continue;
    const examples = k.examples.length > 0 ? ` (for example ${k.examples.slice(0, 5).map((e) => `"${e}"`).join(', ')})` : '';
    state.reporter.action({ code: 'not-carried', message: `${k.count} ${k.label} on the source not carried${examples}: ${k.reason}`, label: k.kind });
  }
}

/**
 * A verify run of its own (`ferry verify`): one step per object type,
 * nothing written to the target; FINISHED when the target matches,
 * INCOMPLETE when verify found a discrepancy.
 */
export async function executeVerifyRun(state: RunState): Promise<RunRecord> {
  const { deps, ctx, run, reporter } = state;
  const types = layoutJobs(ctx.types, ctx.plan).jobs.flatMap((j) => j.steps.filter((s) => s.applies));
  await deps.store.createSteps(run.id, types.map((t, idx) => ({ idx, job: 'Verify', type: t.type, label: `Verify ${t.label}`, status: 'Pending', reason: null })));
  const steps = new Map(types.map((t, idx) => [t.type, { idx, status: 'Pending' as StepStatus }]));
  // Step rows follow the progress events in order, one store write at a time.
  let stepWrites = Promise.resolve();
  const onProgress = deps.onProgress;
  const tracked: RunState = {
    ...state,
    deps: {
      ...deps,
      onProgress: (event) => {
        onProgress?.(event);
        if (event.kind === 'step-start' || event.kind === 'step-end') stepWrites = stepWrites.then(() => stepEvent(state, steps, event));
      },
    },
  };
  let report: VerifyReport | undefined;
  let fatal: string | undefined;
  try {
    report = await runVerifyStep(tracked);
  } catch (error) {
    fatal = error instanceof Error ? error.message : String(error);
    reporter.error(`Verify stopped by an error: ${fatal}`);
  }
  await stepWrites;
  const summary = summarize([]);
  summary.warnings = reporter.warnings;
  summary.errors = reporter.errors;
  summary.actions = reporter.actions.length;
  if (report) summary.verify = report;
  const status = transitionRun(run.status, fatal ? 'FAILED' : report && report.discrepancyCount > 0 ? 'INCOMPLETE' : 'FINISHED');
  reporter.info(`Verify run ${run.id} ended ${status}`);
  await reporter.flush();
  await deps.store.updateRun(run.id, { status, endedAt: nowIso(state), summary });
  return { ...run, status, endedAt: nowIso(state), summary };
}

async function stepEvent(state: RunState, steps: Map<string, { idx: number; status: StepStatus }>, event: { kind: 'step-start'; step: string } | { kind: 'step-end'; step: string; status: string }): Promise<void> {
  const step = steps.get(event.step.replace(/^verify:/, ''));
  if (!step) return;
  const at = nowIso(state);
  step.status = transitionStep(step.status, event.kind === 'step-start' ? 'Running' : event.status === 'Error' ? 'Error' : 'Success');
  await state.deps.store.updateStep(state.run.id, step.idx, { status: step.status, ...(event.kind === 'step-start' ? { startedAt: at } : { endedAt: at }) });
}
