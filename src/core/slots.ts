/**
 * At most `size` holders at once; the others wait in order. The runner keeps
 * more batches in flight than the plan's concurrency, and this keeps the
 * calls to the platforms (loading from the source, writing to the target) at
 * that concurrency: a batch's store work runs while other batches' calls wait
 * on the network, instead of holding one of the slots.
 */
/** What a batch needs of a limit on platform calls: the local Slots, or one shared by several processes (src/scale). */
export interface SlotPool {
  acquire(): Promise<() => void>;
}

export class Slots implements SlotPool {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** A slot now if one is free (with the function that gives it back), otherwise undefined: never waits. */
  tryAcquire(): (() => void) | undefined {
    if (this.free <= 0) return undefined;
    this.free--;
    return this.releaser();
  }

  /** Resolves with the function that gives the slot back (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
