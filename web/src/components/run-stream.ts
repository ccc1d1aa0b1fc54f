import { useState } from 'react';
import { formatDuration, useEventStream } from '../ui.js';
import type { StepRecord } from './runs-types.js';

/** Time left for a running step, from its pace so far (items or bytes): "about 2 min 5 s left". */
export function stepEta(step: Pick<StepRecord, 'status' | 'startedAt' | 'done' | 'total'>, now = Date.now()): string | undefined {
  if (step.status !== 'Running' || !step.startedAt || step.done <= 0 || step.total <= step.done) return undefined;
  const elapsed = now - new Date(step.startedAt).getTime();
  return `about ${formatDuration((elapsed / step.done) * (step.total - step.done))} left`;
}

/** The wizards' Execution step: the time left, or "done" once the step succeeded. */
export const progressEta = (step: StepRecord, now: number): string | undefined => (step.status === 'Success' ? 'done' : stepEta(step, now));

/**
 * A run's steps and status, live from its event stream until it ends (the
 * wizards' Execution step); onEnd gets the final status once.
 */
export function useRunSteps(runId: number, onEnd: (status: string) => void): { steps: StepRecord[]; status: string; ended: boolean } {
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
  return { steps: [...steps.values()].sort((a, b) => a.idx - b.idx), status, ended };
}
