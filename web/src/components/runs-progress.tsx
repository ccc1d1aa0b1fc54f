import { api } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, ProgressBar, StatusBadge, useAction } from '../ui.js';
import { stepEta } from './runs-steps.js';
import type { RunDetails, RunRecord, StepRecord } from './runs-types.js';

/**
 * Progress per object type: done / total with a bar and an ETA while it runs,
 * failed and skipped from the item counts, and Undo of one step.
 */
export function TypeProgress({ run, steps, onStarted }: { run: RunDetails; steps: StepRecord[]; onStarted(run: RunRecord): void }) {
  const canOperate = useCan('operator');
  const undo = useAction();
  const undoable = (run.kind === 'run' || run.kind === 'rerun') && run.status !== 'RUNNING';
  const undoStep = async (step: StepRecord) => {
    const started = await undo.run(() => api.post<RunRecord>(`/api/runs/${run.id}/undo`, { type: step.type }));
    if (started) onStarted(started);
  };
  if (steps.length === 0) return <p>This run has no steps.</p>;
  return (
    <>
      <table>
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
        <tbody>
          {steps.map((s) => {
            const c = run.typeCounts[s.type] ?? {};
            const failed = (c.FAILED ?? 0) + (c.INCOMPLETE ?? 0) + (c.TIMED_OUT ?? 0);
            return (
              <tr key={s.idx} data-type={s.type}>
                <th scope="row">{s.label}</th>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                <td>{s.status === 'Skipped' ? s.reason ?? 'skipped' : <ProgressBar label={`${s.label}: done of total`} done={s.done} total={s.total} eta={stepEta(s)} />}</td>
                <td className={failed > 0 ? 'bad-text' : undefined}>{failed}</td>
                <td>{c.SKIPPED ?? 0}</td>
                {undoable && (
                  <td>
                    <button type="button" disabled={!canOperate || undo.busy || s.status === 'Skipped'} title={canOperate ? `Remove what this run created for ${s.label}` : 'Needs the operator role'} onClick={() => void undoStep(s)}>
                      Undo {s.label}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorNote error={undo.error} />
    </>
  );
}
