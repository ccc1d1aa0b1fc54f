import type { Ferry } from '../app/ferry.js';
import type { Caller } from './access.js';
import type { RunJobs } from './run-jobs.js';
import type { ServerWorkers } from './workers-queue.js';

/** What every route works with: the one engine, its background runs, the setup token and the audit log. */
export interface ServerContext {
  ferry: Ferry;
  jobs: RunJobs;
  /** Runs handed to `ferry worker` processes (PostgreSQL store): on by default with `ferry serve --workers`. */
  workers: ServerWorkers;
  /** The one-time token that creates the first admin; gone once used (or when users exist). */
  setup: { token: string | undefined };
  /** Aborted when the server closes: live streams end. */
  shutdown: AbortSignal;
  /** Open live streams, which the shutdown waits for before the store closes. */
  streams: Set<Promise<void>>;
  audit(caller: Caller, action: string, subject: string, detail?: string): Promise<void>;
}
