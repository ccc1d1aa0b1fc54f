import { useState } from 'react';
import { formatDuration, StatusBadge, useEventStream } from '../ui.js';
import type { StepRecord } from './runs-types.js';
import { formatBytes } from './system-model.js';

/** "about 2 min left", from the bytes done so far and the time they took. */
function eta(step: StepRecord, now: number): string | undefined {
  if (step.status === 'Success') return 'done';
  if (step.status !== 'Running' || !step.startedAt || step.done === 0 || step.total <= step.done) return undefined;
  const elapsed = now - new Date(step.startedAt).getTime();
  return `about ${formatDuration((elapsed / step.done) * (step.total - step.done))} left`;
}

/** A bar in bytes: "1.2 MiB / 3.4 MiB · about 5 s left" (the wizard, and a system run's steps on its pages). */
export function BytesBar({ step, now }: { step: StepRecord; now: number }) {
  const total = step.total;
  const done = step.status === 'Success' && total === 0 ? 1 : step.done;
  const max = total === 0 ? 1 : total;
  const percent = Math.min(100, Math.round((done / max) * 100));
  const e = eta(step, now);
  return (
    <div className="progress">
      <div role="progressbar" aria-label={`${step.label} progress`} aria-valuemin={0} aria-valuemax={max} aria-valuenow={Math.min(done, max)} aria-valuetext={`${percent}%`} className="bar">
        <div className="fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">
        {total > 0 ? `${formatBytes(step.done)} / ${formatBytes(total)}` : step.status === 'Success' ? 'no data to copy' : ''}
        {e ? ` · ${e}` : ''}
      </span>
    </div>
  );
}

/** Step 6: one row per operation with a bar and an ETA from bytes, live over the run's event stream; Stop. */
export function SystemExecution({ runId, onEnd, onStop, stopping }: { runId: number; onEnd(status: string): void; onStop(): void; stopping: boolean }) {
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
        {ended
          ? status === 'FINISHED'
            ? 'Congratulations! The migration was successfully completed.'
            : 'The run has ended before finishing: see the result, then run it again to continue where it stopped, or undo it.'
          : 'You can leave this page: the run goes on in the server, and its migration page shows it. Stopping is safe: a new run continues from the operation that was running.'}
      </p>
      {list.length === 0 && <p role="status">Starting…</p>}
      <ul className="wizard-progress">
        {list.map((s) => (
          <li key={s.idx}>
            <span className="step-label">
              {s.label} <StatusBadge status={s.status} />
            </span>
            <BytesBar step={s} now={now} />
            {s.reason && <span className="help">{s.reason}</span>}
          </li>
        ))}
      </ul>
      {!ended && (
        <div className="toolbar">
          <button type="button" onClick={onStop} disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        </div>
      )}
    </div>
  );
}
