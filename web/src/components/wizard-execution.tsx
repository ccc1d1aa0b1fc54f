import { useState } from 'react';
import { formatDuration, ProgressBar, StatusBadge, useEventStream } from '../ui.js';
import type { StepRecord } from './runs-types.js';

/** An estimate from the pace so far: "about 2 min left". */
function eta(step: StepRecord, now: number): string | undefined {
  if (step.status !== 'Running' || !step.startedAt || step.done === 0 || step.total <= step.done) return step.status === 'Success' ? 'done' : undefined;
  const elapsed = now - new Date(step.startedAt).getTime();
  return `about ${formatDuration((elapsed / step.done) * (step.total - step.done))} left`;
}

/** Step 6: one progress bar per step with done/total and an ETA, live from the run's event stream. */
export function WizardExecution({ runId, onEnd }: { runId: number; onEnd(status: string): void }) {
  const [steps, setSteps] = useState<Map<number, StepRecord>>(new Map());
  const [status, setStatus] = useState('RUNNING');
  const [ended, setEnded] = useState(false);
  useEventStream(ended ? null : `/api/runs/${runId}/stream`, {
    step: (data) => {
      const s = data as StepRecord;
      setSteps((old) => new Map(old).set(s.idx, s));
    },
    run: (data) => setStatus((data as { status: string }).status),
    end: (data) => {
      const s = (data as { status: string }).status;
      setStatus(s);
      setEnded(true);
      onEnd(s);
    },
  });
  const now = Date.now();
  const list = [...steps.values()].sort((a, b) => a.idx - b.idx);
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
            <ProgressBar label={`${s.label} progress`} done={s.done} total={s.total} eta={eta(s, now)} />
            {s.reason && <span className="help">{s.reason}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
