import type { PostAction } from '../sdk/connector.js';
import type { Clock, EngineStore, EventRecord, RunLogSink } from './ports.js';

const EVENTS_PER_INSERT = 100;
const EVENTS_WAIT_MS = 250;

/** Live progress the CLI turns into bars and the server into events. */
export type ProgressEvent =
  // idx names the stored step (StepRecord.idx): step is its object type, which several jobs may share.
  // Phases with no step row (deferred references, verify) leave idx out.
  | { kind: 'step-start'; idx?: number; job: string; step: string; label: string; total: number }
  | { kind: 'step-total'; idx?: number; step: string; total: number }
  | { kind: 'step-progress'; idx?: number; step: string; done: number; total: number }
  | { kind: 'step-end'; idx?: number; step: string; status: string }
  | { kind: 'message'; level: 'info' | 'warn' | 'error'; message: string };

/**
 * One place every run writes through: the readable log file, the stored
 * events (for CSV export) and live progress.
 */
export class RunReporter {
  private readonly pending: Promise<void>[] = [];
  private readonly buffered: Array<Omit<EventRecord, 'id'> & { migrationId: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  readonly actions: PostAction[] = [];
  warnings = 0;
  errors = 0;

  constructor(
    private readonly options: {
      store: EngineStore;
      clock: Clock;
      log: RunLogSink;
      runId: number | null;
      migrationId: number;
      onProgress?: (event: ProgressEvent) => void;
    },
  ) {}

  info(message: string, where: { step?: string; item?: string } = {}): void {
    this.event('info', message, where);
  }

  warn(message: string, where: { step?: string; item?: string } = {}): void {
    this.warnings++;
    this.event('warn', message, where);
  }

  error(message: string, where: { step?: string; item?: string } = {}): void {
    this.errors++;
    this.event('error', message, where);
  }

  progress(event: ProgressEvent): void {
    this.options.onProgress?.(event);
  }

  /** Stores the action at once (a kill later must not lose it) and logs it. */
  action(action: PostAction): void {
    if (this.options.runId !== null) this.pending.push(this.options.store.addActions(this.options.runId, [action]));
    this.recorded(action);
  }

  /** Logs an action the caller stored itself (with the write that raised it). */
  recorded(action: PostAction): void {
    this.actions.push(action);
    this.event('warn', `Post-migration action: ${action.message}`, { step: action.type, item: action.label }, false);
  }

  /** Waits for stored events to be written. */
  async flush(): Promise<void> {
    this.writeBuffered();
    await Promise.all(this.pending.splice(0));
  }

  /**
   * Like flush, but the buffered events are handed to `write` (which stores
   * them in a transaction of its own, with other statements: a worker's
   * chunk completion) once every store write in flight has ended. When
   * `write` throws, they are stored the usual way and the error goes on.
   */
  async flushInto(write: (events: Array<Omit<EventRecord, 'id'> & { migrationId: number }>) => Promise<void>): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.buffered.splice(0);
    await Promise.all(this.pending.splice(0));
    try {
      await write(events);
    } catch (error) {
      if (events.length > 0) await this.options.store.addEvents(events).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Events go to the store in one insert per EVENTS_PER_INSERT (or after
   * EVENTS_WAIT_MS): a row per item written one by one was a large part of a
   * run's store time. A kill loses at most those waiting; the log file has them.
   */
  private writeBuffered(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffered.length === 0) return;
    this.pending.push(this.options.store.addEvents(this.buffered.splice(0)));
  }

  private event(level: 'info' | 'warn' | 'error', message: string, where: { step?: string; item?: string }, live = true): void {
    const at = this.options.clock.now();
    const prefix = [where.step, where.item].filter(Boolean).join(' / ');
    this.options.log.write({ at, level, message: prefix ? `[${prefix}] ${message}` : message });
    this.buffered.push({ runId: this.options.runId, migrationId: this.options.migrationId, at: at.toISOString(), level, step: where.step ?? null, item: where.item ?? null, message });
    if (this.buffered.length >= EVENTS_PER_INSERT) this.writeBuffered();
    else this.timer ??= setTimeout(() => this.writeBuffered(), EVENTS_WAIT_MS);
    if (this.pending.length > 200) void this.flush();
    if (live && level !== 'info') this.options.onProgress?.({ kind: 'message', level, message });
  }
}
