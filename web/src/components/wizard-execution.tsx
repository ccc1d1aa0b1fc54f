import { ProgressBar, StatusBadge } from '../ui.js';
import { progressEta, useRunSteps } from './run-stream.js';

/** Step 6: one progress bar per step with done/total and an ETA, live from the run's event stream. */
export function WizardExecution({ runId, onEnd }: { runId: number; onEnd(status: string): void }) {
  const { steps: list, status, ended } = useRunSteps(runId, onEnd);
  const now = Date.now();
  return (
    <div>
      <p>
        Run {runId}: <StatusBadge status={status} />{' '}
        {ended ? 'The run has ended; go on to the result.' : 'You can leave this page: the run goes on in the server, and its migration page shows it.'}
      </p>
      {list.length === 0 && <p role="status">Starting…</p>}
      <ul className="wizard-progress">
        {list.map((s) => (
          <li key={s.idx}>
            <span className="step-label">
              {s.job}: {s.label} <StatusBadge status={s.status} />
            </span>
            <ProgressBar label={`${s.label} progress`} done={s.done} total={s.total} eta={progressEta(s, now)} />
            {s.reason && <span className="help">{s.reason}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
