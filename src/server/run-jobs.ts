import type { Logger } from 'pino';
import type { Ferry } from '../app/ferry.js';
import type { RunRecord } from '../core/ports.js';
import { ApiError } from './errors.js';

const ALL_KINDS: RunRecord['kind'][] = ['run', 'rerun', 'undo', 'verify'];

/**
 * Runs started through the API: they run in the server process, in the
 * background, one at a time per migration. Progress goes to the store like a
 * CLI run's, so `ferry status` and the SSE feed see it alike.
 */
export class RunJobs {
  private readonly active = new Map<number, { controller: AbortController; done: Promise<unknown> }>();

  constructor(
    private readonly ferry: Ferry,
    private readonly logger: Logger,
  ) {}

  isBusy(migrationId: number): boolean {
    return this.active.has(migrationId);
  }

  /**
   * Starts `work` and answers with its run record as soon as the store holds
   * it. A failure before that (pre-checks, a reset not confirmed, a busy
   * migration) is the request's error; one after it is the run's, recorded
   * in the store as its status and events.
   */
  async start(migrationId: number, work: (signal: AbortSignal) => Promise<RunRecord>): Promise<RunRecord> {
    const current = this.active.get(migrationId);
    if (current) {
      // A run that has ended in the store may still be closing its log: wait for that, not refuse.
      const last = await this.ferry.store.lastRun(migrationId, ALL_KINDS);
      if (last?.status === 'RUNNING') throw new ApiError(409, `Run ${last.id} of this migration is in progress in the server`, { hint: 'wait for it to end, or stop it' });
      await Promise.race([current.done, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (this.active.has(migrationId)) throw new ApiError(409, 'The last run of this migration is still closing', { hint: 'try again in a moment' });
    }
    const before = await this.ferry.store.lastRun(migrationId, ALL_KINDS);
    const controller = new AbortController();
    let settled: { ok: true; run: RunRecord } | { ok: false; error: unknown } | undefined;
    const done = work(controller.signal).then(
      (run) => (settled = { ok: true, run }),
      (error: unknown) => {
        settled = { ok: false, error };
        this.logger.warn({ migrationId, err: error }, 'a run started through the API failed');
      },
    );
    this.active.set(migrationId, { controller, done });
    void done.finally(() => this.active.delete(migrationId));
    for (;;) {
      const last = await this.ferry.store.lastRun(migrationId, ALL_KINDS);
      if (last && (!before || last.id > before.id || (last.id === before.id && last.status === 'RUNNING' && last.pid === process.pid && before.pid !== process.pid))) return last;
      if (settled?.ok === false) throw settled.error;
      if (settled?.ok) return settled.run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for every run the server started (a shutdown, a test). */
  async drain(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => a.done));
  }
}
