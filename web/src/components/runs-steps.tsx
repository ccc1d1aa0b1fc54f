import { useEffect, useState } from 'react';
import { ProgressBar, StatusBadge, useApi, useEventStream } from '../ui.js';
import type { EventRecord, PlannedJob, RunRecord, StepRecord } from './runs-types.js';
import { stepEta } from './run-stream.js';
import { BytesBar } from './system-execution.js';

export { stepEta };

/**
 * A run's steps, live: loads them, then follows GET /api/runs/:id/stream
 * while the run goes (a run the CLI started too). `onRun` gets the run record
 * when its status changes, `onEvent` each log line, `onEnd` once it has ended.
 */
export function useLiveSteps(run: RunRecord | undefined, callbacks: { onRun?(run: RunRecord): void; onEnd?(): void; onEvent?(event: EventRecord): void } = {}): StepRecord[] | undefined {
  const { data } = useApi<StepRecord[]>(run ? `/api/runs/${run.id}/steps` : null);
  const [steps, setSteps] = useState<Map<number, StepRecord>>(new Map());
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    if (data) setSteps((current) => new Map([...data.filter((s) => s.runId === run?.id).map((s) => [s.idx, s] as const), ...[...current].filter(([, s]) => s.runId === run?.id)]));
  }, [data, run?.id]);
  useEffect(() => {
    setEnded(false);
    setSteps(new Map());
  }, [run?.id]);
  const live = run && run.status === 'RUNNING' && !ended ? `/api/runs/${run.id}/stream` : null;
  useEventStream(live, {
    step: (s) => {
      const step = s as StepRecord;
      setSteps((current) => new Map(current).set(step.idx, step));
    },
    run: (r) => callbacks.onRun?.(r as RunRecord),
    event: (e) => callbacks.onEvent?.(e as EventRecord),
    end: () => {
      setEnded(true);
      callbacks.onEnd?.();
    },
  });
  if (!run) return undefined;
  return [...steps.values()].sort((a, b) => a.idx - b.idx);
}

function groupByJob<T extends { job: string }>(steps: T[]): Array<[string, T[]]> {
  const jobs: Array<[string, T[]]> = [];
  for (const s of steps) {
    const last = jobs.at(-1);
    if (last && last[0] === s.job) last[1].push(s);
    else jobs.push([s.job, [s]]);
  }
  return jobs;
}

/** Every job and step with its status (Pending, Running, Success, Skipped, Error) and progress. */
export function StepsTable({ steps, planned, bytes = false }: { steps?: StepRecord[] | undefined; planned?: PlannedJob[] | undefined; bytes?: boolean }) {
  const byIdx = new Map((steps ?? []).map((s) => [String(s.idx), s]));
  const rows: Array<{ key: string; job: string; label: string; status: string; done: number; total: number; note: string; eta?: string | undefined }> = steps
    ? steps.map((s) => ({ key: String(s.idx), job: s.job, label: s.label, status: s.status, done: s.done, total: s.total, note: s.reason ?? '', eta: stepEta(s) }))
    : (planned ?? []).flatMap((j) =>
        j.steps.map((s) => ({ key: `${j.name}/${s.type}`, job: j.name, label: s.label, status: s.applies ? 'Pending' : 'Skipped', done: 0, total: 0, note: s.reason ?? '' })),
      );
  return (
    <table className="steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col">Note</th>
        </tr>
      </thead>
      {groupByJob(rows).map(([job, jobSteps]) => (
        <tbody key={job}>
          <tr className="job-row">
            <th scope="colgroup" colSpan={4}>
              Job: {job}
            </th>
          </tr>
          {jobSteps.map((s) => (
            <tr key={s.key} data-step={s.label}>
              <td>{s.label}</td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>{bytes && byIdx.get(s.key) && s.status !== 'Pending' && s.status !== 'Skipped' ? <BytesBar step={byIdx.get(s.key)!} now={Date.now()} /> : s.total > 0 ? <ProgressBar label={`${s.label} progress`} done={s.done} total={s.total} eta={s.eta} /> : s.status === 'Pending' ? 'not started' : '—'}</td>
              <td>{s.note}</td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}
