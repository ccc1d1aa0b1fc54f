import type { Logger } from 'pino';
import type { RunOptions } from '../app/ferry.js';
import { distributeTo } from '../scale/coordinator.js';
import { runQueueState, ScaleQueue } from '../scale/queue.js';
import { redactStoreUrl } from '../store/store-url.js';
import { ApiError } from './errors.js';

/** What GET /api/runs/{id} says of a run whose batches went to the queue. */
export interface RunWorkersView {
  queued: number;
  active: number;
  done: number;
  listed: number;
  live: number;
  waiting: boolean;
  hint: string | null;
  /** The command that adds a worker to this store (the password hidden). */
  command: string;
}

/**
 * Runs started through the API that hand their batches to `ferry worker`
 * processes, as `ferry run --workers` does: the queue (in the store's
 * PostgreSQL database) is opened on first use, with pg-boss's maintenance,
 * and closed with the server.
 */
export class ServerWorkers {
  private queue: Promise<ScaleQueue> | undefined;

  constructor(
    /** The PostgreSQL store's URL; undefined on the SQLite store. */
    private readonly url: string | undefined,
    /** `ferry serve --workers`: runs go to the workers unless a request says `workers: false`. */
    readonly byDefault: boolean,
    private readonly logger: Logger,
  ) {}

  /** The command a person runs to add a worker to this store, the password hidden. */
  joinCommand(): string {
    return `ferry worker --store ${this.url ? redactStoreUrl(this.url) : 'postgres://USER:PASSWORD@HOST:PORT/DATABASE'}`;
  }

  /**
   * The run options of a run started through the API: `asked` is the
   * request's `workers` (the server's setting when absent). Asking for
   * workers on the SQLite store is a 400 that says what to do.
   */
  async optionsFor(asked: boolean | undefined): Promise<Pick<RunOptions, 'distribute'>> {
    if (!(asked ?? this.byDefault)) return {};
    if (!this.url) {
      throw new ApiError(400, 'Runs on workers need the store on PostgreSQL: this server keeps it in the SQLite file of its data folder', {
        field: 'body.workers',
        hint: 'start the server on the PostgreSQL store that every `ferry worker` uses: `ferry serve --store postgres://USER:PASSWORD@HOST:PORT/DATABASE --workers`; or leave `workers` out to run in the server',
      });
    }
    if (!this.queue) {
      const url = this.url;
      const opening = ScaleQueue.open(url, { supervise: true, onError: (error) => this.logger.warn({ err: { message: error.message } }, 'queue error') });
      this.queue = opening;
      opening.catch(() => {
        if (this.queue === opening) this.queue = undefined;
      });
    }
    return { distribute: distributeTo(await this.queue) };
  }

  /** A run's chunks in the queue and whether it waits for workers (none alive); null when it never used the queue. */
  async viewOf(run: { id: number; status: string }): Promise<RunWorkersView | null> {
    if (!this.url) return null;
    const state = await runQueueState(this.url, run.id).catch((error: Error) => {
      this.logger.warn({ err: { message: error.message }, runId: run.id }, 'could not read the queue');
      return undefined;
    });
    if (!state) return null;
    const waiting = run.status === 'RUNNING' && state.queued + state.active > 0 && state.liveWorkers === 0;
    return { queued: state.queued, active: state.active, done: state.done, listed: state.workers, live: state.liveWorkers, waiting, hint: waiting ? `start \`${this.joinCommand()}\` (with the same secret.key in its data folder)` : null, command: this.joinCommand() };
  }

  async close(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    await (await queue?.catch(() => undefined))?.close();
  }
}
