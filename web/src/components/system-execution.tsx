import { StatusBadge } from '../ui.js';
import { progressEta, useRunSteps } from './run-stream.js';
import type { StepRecord } from './runs-types.js';
import { formatBytes } from './system-model.js';

/** A bar in bytes: "1.2 MiB / 3.4 MiB · about 5 s left" (the wizard, and a system run's steps on its pages). */
export function BytesBar({ step, now }: { step: StepRecord; now: number }) {
  const total = step.total;
  const done = step.status === 'Success' && total === 0 ? 1 : step.done;
  const max = total === 0 ? 1 : total;
  const percent = Math.min(100, Math.round((done / max) * 100));
  const e = progressEta(step, now);
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
  const { steps: list, status, ended } = useRunSteps(runId, onEnd);
  const now = Date.now();
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
