import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchSignal } from './batch-signal.js';

describe('batchSignal', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lets more batches than Node\'s default of 10 listen on the run without a leak warning, and frees each listener', () => {
    // Node reports the leak through process.emitWarning (once per signal).
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const run = new AbortController();
    const batches = Array.from({ length: 20 }, () => batchSignal(run.signal, 60_000));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(20);
    for (const b of batches) b.end();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    const names = emitWarning.mock.calls.map(([w]) => (w instanceof Error ? w.name : String(w)));
    expect(names).not.toContain('MaxListenersExceededWarning');
  });

  it('aborts a batch with the run\'s reason, and on its own timeout with a TimeoutError', async () => {
    const run = new AbortController();
    const a = batchSignal(run.signal, 60_000);
    run.abort(new Error('stopped'));
    expect(a.signal.aborted).toBe(true);
    expect((a.signal.reason as Error).message).toBe('stopped');
    expect(a.timedOut()).toBe(false);
    a.end();

    const b = batchSignal(new AbortController().signal, 10);
    await new Promise((r) => setTimeout(r, 30));
    expect(b.timedOut()).toBe(true);
    expect((b.signal.reason as DOMException).name).toBe('TimeoutError');
    b.end();
  });
});
