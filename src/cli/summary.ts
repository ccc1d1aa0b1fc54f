import type { Ferry } from '../app/ferry.js';
import type { RunRecord } from '../core/ports.js';
import type { VerifyReport } from '../core/verify.js';
import { table } from './output.js';

/** The end-of-run report: status, counts per type, post-migration actions, the log file. */
export async function printRunResult(ferry: Ferry, run: RunRecord): Promise<void> {
  const out = process.stdout;
  out.write(`\nRun ${run.id} (${run.kind}) ${run.status}\n`);
  const types = run.summary?.types ?? {};
  const rows = Object.entries(types).map(([type, c]) => ({ type, ...c, 'timed out': c.timedOut }));
  if (rows.length > 0) out.write(`${table(rows, ['type', 'created', 'updated', 'unchanged', 'adopted', 'skipped', 'failed', 'timed out', 'removed'])}\n`);
  // Counts per type add up every job; when jobs share a type or some did not run, show each step too.
  const steps = await ferry.store.listSteps(run.id);
  const shared = new Set(steps.map((st) => st.type)).size < steps.length;
  // A system migration's steps are its operations (bytes done/total): always shown.
  if (shared || steps.some((st) => st.reason === "not in this run's jobs" || st.job === 'system')) {
    out.write(`\n${table(steps.map((st) => ({ job: st.job, step: st.type, status: st.status, done: `${st.done}/${st.total}`, note: st.reason ?? '' })), ['job', 'step', 'status', 'done', 'note'])}\n`);
  }
  if (run.summary?.verify) printVerify(run.summary.verify);
  const actions = await ferry.store.listActions(run.id);
  if (actions.length > 0) {
    out.write(`\nPost-migration actions (${actions.length}):\n`);
    const byCode = new Map<string, typeof actions>();
    for (const a of actions) byCode.set(a.code, [...(byCode.get(a.code) ?? []), a]);
    for (const [code, list] of byCode) {
      out.write(`  ${code} (${list.length}):\n`);
      for (const a of list.slice(0, 5)) out.write(`    - ${a.message}\n`);
      if (list.length > 5) out.write(`    ... ${list.length - 5} more: \`ferry actions ${run.id}\`\n`);
    }
  }
  if (run.kind === 'verify') {
    if (run.status === 'INCOMPLETE') out.write(`\nThe target differs from the source. Run the migration again: the items above are written again. Then \`ferry verify\` once more.\n`);
  } else if (run.status === 'INCOMPLETE' || run.status === 'FAILED') out.write(`\nSome items did not migrate: see \`ferry items ${run.id} --status FAILED\`, fix the cause, then \`ferry rerun ${run.id}\`.\n`);
  if (run.status === 'STOPPED') out.write('\nStopped: run the migration again to continue where it stopped.\n');
  if (run.logFile) out.write(`\nLog file: ${run.logFile}\n`);
}

const SHOWN = 20;

/** Verify's table per type and its first discrepancies. */
function printVerify(report: VerifyReport): void {
  const out = process.stdout;
  const rows = report.types.map((t) => ({
    verify: t.type,
    source: t.selected,
    equal: t.equal + t.unresolved,
    'see actions': t.actioned,
    kept: t.kept,
    'not migrated': t.notMigrated,
    missing: t.missing,
    different: t.different,
    compared: t.fieldsCompared ? 'fields' : 'exists',
  }));
  out.write(`\n${table(rows, ['verify', 'source', 'equal', 'see actions', 'kept', 'not migrated', 'missing', 'different', 'compared'])}\n`);
  if (report.discrepancyCount === 0) {
    out.write('Verify: the target matches the source.\n');
    return;
  }
  out.write(`\nVerify found ${report.discrepancyCount} discrepanc${report.discrepancyCount === 1 ? 'y' : 'ies'}:\n`);
  for (const d of report.discrepancies.slice(0, SHOWN)) out.write(`  - ${d.message}\n`);
  if (report.discrepancyCount > SHOWN) out.write(`  ... ${report.discrepancyCount - SHOWN} more in the run's log file\n`);
}
