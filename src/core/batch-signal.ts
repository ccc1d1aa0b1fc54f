/**
 * The signal one batch's platform calls get: aborted when the run is, or when
 * the item timeout passes (a TimeoutError, as AbortSignal.timeout gives).
 * `end()` frees the timer and the listener as soon as the batch is done.
 * AbortSignal.timeout + AbortSignal.any kept every batch's timer and signal
 * alive for the whole timeout (600 s by default): tens of MB at 400 items/s.
 */
import { setMaxListeners } from 'node:events';

/**
 * Every batch in flight listens on the run's signal until it ends; with
 * concurrency 8 plus the runner's own listeners that is more than Node's
 * default of 10, and Node printed "MaxListenersExceededWarning: Possible
 * EventTarget memory leak" on every `ferry run` (seen in the engine bench).
 * `end()` removes each listener, so the count follows the batches in flight,
 * not the items: the limit is raised, well above any sane concurrency.
 */
const RUN_SIGNAL_LISTENERS = 1000;

export function batchSignal(run: AbortSignal, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean; end: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(run.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  if (run.aborted) controller.abort(run.reason);
  else {
    setMaxListeners(RUN_SIGNAL_LISTENERS, run);
    run.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    end: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', onAbort);
    },
  };
}
