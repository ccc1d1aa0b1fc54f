import { api } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, ProgressBar, StatusBadge, useAction } from '../ui.js';
import { stepEta } from './runs-steps.js';
import type { RunDetails, RunRecord, StepRecord } from './runs-types.js';

/**
 * Progress per job and object type: done / total with a bar and an ETA while
 * it runs, failed and skipped from the item counts, and Undo of one job or
 * one step (POST /api/runs/:id/undo with `job` and `step`).
 */
export function TypeProgress({ run, steps, onStarted }: { run: RunDetails; steps: StepRecord[]; onStarted(run: RunRecord): void }) {
  const canOperate = useCan('operator');
  const undo = useAction();
  const undoable = (run.kind === 'run' || run.kind === 'rerun') && run.status !== 'RUNNING';
  const start = async (body: { job: string; step?: string }) => {
    const started = await undo.run(() => api.post<RunRecord>(`/api/runs/${run.id}/undo`, body));
    if (started) onStarted(started);
  };
  const why = canOperate ? undefined : 'Needs the operator role';
  if (steps.length === 0) return <p>This run has no steps.</p>;
  const jobs: Array<[string, StepRecord[]]> = [];
  for (const s of steps) {
    const last = jobs.at(-1);
    if (last && last[0] === s.job) last[1].push(s);
    else jobs.push([s.job, [s]]);
  }
  const columns = undoable ? 6 : 5;
  return (
    <>
      <table className="progress-table">
        <thead>
          <tr>
            <th scope="col">Object type</th>
            <th scope="col">Status</th>
            <th scope="col">Done / total</th>
            <th scope="col">Failed</th>
            <th scope="col">Skipped</th>
            {undoable && <th scope="col">Undo</th>}
          </tr>
        </thead>
        {jobs.map(([job, jobSteps]) => (
          <tbody key={job}>
            <tr className="job-row">
              <th scope="colgroup" colSpan={undoable ? columns - 1 : columns}>
                Job: {job}
              </th>
              {undoable && (
                <td>
                  <button type="button" disabled={!canOperate || undo.busy || jobSteps.every((s) => s.status === 'Skipped')} title={why ?? `Remove from the target what job ${job} of this run created`} onClick={() => void start({ job })}>
                    Undo job {job}
                  </button>
                </td>
              )}
            </tr>
            {jobSteps.map((s) => {
              // Counts are per type; a type in one job only (the usual case) has them all.
              const c = run.typeCounts[s.type] ?? {};
              const failed = (c.FAILED ?? 0) + (c.INCOMPLETE ?? 0) + (c.TIMED_OUT ?? 0);
              return (
                <tr key={s.idx} data-type={s.type} data-job={s.job}>
                  <th scope="row">{s.label}</th>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{s.status === 'Skipped' ? s.reason ?? 'skipped' : <ProgressBar label={`${s.label}: done of total`} done={s.done} total={s.total} eta={stepEta(s)} />}</td>
                  <td className={failed > 0 ? 'bad-text' : undefined}>{failed}</td>
                  <td>{c.SKIPPED ?? 0}</td>
                  {undoable && (
                    <td>
                      <button type="button" disabled={!canOperate || undo.busy || s.status === 'Skipped'} title={why ?? `Remove from the target what this run created for ${s.label}`} onClick={() => void start({ job: s.job, step: s.type })}>
                        Undo {s.label}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
      <ErrorNote error={undo.error} />
    </>
  );
}
