import type { Ferry } from '../app/ferry.js';
import type { Caller } from './access.js';
import type { RunJobs } from './run-jobs.js';

/** What every route works with: the one engine, its background runs, the setup token and the audit log. */
export interface ServerContext {
  ferry: Ferry;
  jobs: RunJobs;
  /** The one-time token that creates the first admin; gone once used (or when users exist). */
  setup: { token: string | undefined };
  audit(caller: Caller, action: string, subject: string, detail?: string): Promise<void>;
}
