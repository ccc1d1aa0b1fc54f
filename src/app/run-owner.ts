import { hostname } from 'node:os';
import type { RunRecord } from '../core/ports.js';

/**
 * How long a run on another machine may go without a heartbeat before this
 * process takes it for dead. A running Ferry writes its run's heartbeat at
 * least every HEARTBEAT_MS (progress writes it more often).
 */
export const HEARTBEAT_MS = 15_000;
export const SILENT_AFTER_MS = 120_000;

/** This machine, as runs record it. */
export const thisHost = (): string => hostname();

/**
 * Whether the process that owns a RUNNING run is still at it. On this machine
 * (or for runs recorded before Ferry kept the host) the pid says so. With the
 * store on PostgreSQL the run may belong to a process on another machine,
 * whose pid means nothing here: its heartbeat decides.
 */
export function runOwnerAlive(run: Pick<RunRecord, 'pid' | 'host' | 'heartbeatAt'>, now: Date): boolean {
  if (run.pid === null) return false;
  if (!run.host || run.host === thisHost()) return pidAlive(run.pid);
  const beat = run.heartbeatAt ? Date.parse(run.heartbeatAt) : NaN;
  return Number.isFinite(beat) && now.getTime() - beat < SILENT_AFTER_MS;
}

/** True when the run belongs to this very process. */
export function ownedHere(run: Pick<RunRecord, 'pid' | 'host'>): boolean {
  return run.pid === process.pid && (!run.host || run.host === thisHost());
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes the run's heartbeat every HEARTBEAT_MS until stopped, so that a
 * process on another machine sharing the store sees the run is alive even
 * while no item moves (a coordinator waiting for its workers, a long verify).
 */
export function keepHeartbeat(write: () => Promise<void>): () => void {
  const timer = setInterval(() => {
    write().catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
