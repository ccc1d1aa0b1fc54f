/**
 * Commits the store writes that arrive in the same turn of the event loop in
 * one transaction (a group commit). Each caller still waits for the commit
 * that holds its write, so nothing is reported done before it is stored; a
 * run with many batches in flight makes one commit where it made one per item.
 *
 * If the group's transaction fails, each write is tried again in its own
 * transaction: only the write at fault fails (an item cancelled in between,
 * say), exactly as it would have alone.
 */
export class GroupCommit<Tx> {
  private queue: Array<{ work: (tx: Tx) => Promise<void>; resolve: () => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  /** `transaction` runs its body in one transaction, committed when the body resolves. */
  constructor(private readonly transaction: (body: (tx: Tx) => Promise<void>) => Promise<void>) {}

  run(work: (tx: Tx) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    try {
      await this.transaction(async (tx) => {
        for (const entry of group) await entry.work(tx);
      });
      for (const entry of group) entry.resolve();
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const entry of group) {
        try {
          await this.transaction(entry.work);
          entry.resolve();
        } catch (own) {
          entry.reject(own);
        }
      }
    }
  }
}
