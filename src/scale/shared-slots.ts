import pg from 'pg';
import type { SlotPool } from '../core/slots.js';

/**
 * A limit on calls to one target shared by every worker process: slot k of
 * the target is the PostgreSQL advisory lock (hash of the target, k), for k
 * below the plan's concurrency. One connection per process holds all of its
 * slots; a killed worker's connection closes and its slots are free at once.
 * A slot given back while another batch of the same process waits is handed
 * over without asking the database; one given back while none waits is kept
 * for LINGER_MS (still locked, so still counted against the limit) for this
 * process's next batch, then unlocked: a worker whose batches follow each
 * other does not pay two round trips (unlock, try-lock) per batch, nor poll
 * for a slot whose unlock is still on its way.
 */
const LINGER_MS = 30;

export class SharedSlots implements SlotPool {
  private readonly held = new Set<number>();
  /** Held slots no batch uses, each with the timer that unlocks it. */
  private readonly idle = new Map<number, NodeJS.Timeout>();
  private readonly waiting: Array<(slot: number) => void> = [];
  private pumping = false;
  private closed = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly key: number,
    private readonly size: number,
  ) {}

  static async open(url: string, target: string, size: number): Promise<SharedSlots> {
    const client = new pg.Client({ connectionString: url, application_name: 'ferry-slots' });
    await client.connect();
    const { rows } = await client.query(`SELECT hashtext($1) AS key`, [`ferry-target-slots:${target}`]);
    return new SharedSlots(client, Number(rows[0].key), size);
  }

  async acquire(): Promise<() => void> {
    const kept = this.idle.keys().next();
    const slot = !kept.done
      ? this.reuse(kept.value)
      : await new Promise<number>((resolve) => {
          this.waiting.push(resolve);
          void this.pump();
        });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(slot);
      else if (!this.closed) this.idle.set(slot, setTimeout(() => this.unlock(slot), LINGER_MS));
      else this.held.delete(slot);
    };
  }

  private reuse(slot: number): number {
    clearTimeout(this.idle.get(slot));
    this.idle.delete(slot);
    return slot;
  }

  private unlock(slot: number): void {
    if (!this.idle.has(slot)) return;
    this.idle.delete(slot);
    this.held.delete(slot);
    if (!this.closed) void this.client.query(`SELECT pg_advisory_unlock($1, $2)`, [this.key, slot]).catch(() => undefined);
  }

  /** Takes free slots from the database while batches of this process wait. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let wait = 2;
      while (this.waiting.length > 0 && !this.closed) {
        const { rows } = await this.client.query(`SELECT s FROM generate_series(0, $2::int - 1) s WHERE NOT (s = ANY ($3::int[])) AND pg_try_advisory_lock($1, s) LIMIT 1`, [this.key, this.size, [...this.held]]);
        if (rows.length > 0) {
          const slot = Number(rows[0].s);
          this.held.add(slot);
          const next = this.waiting.shift();
          if (next) next(slot);
          else {
            this.held.delete(slot);
            await this.client.query(`SELECT pg_advisory_unlock($1, $2)`, [this.key, slot]);
          }
          wait = 2;
        } else {
          await new Promise((resolve) => setTimeout(resolve, wait));
          wait = Math.min(50, wait * 2);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.idle.values()) clearTimeout(timer);
    this.idle.clear();
    await this.client.end().catch(() => undefined);
  }
}
