import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('lets at most its size hold a slot at once, the others in the order they asked', async () => {
    const slots = new Slots(2);
    let holding = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async (_, n) => {
        const release = await slots.acquire();
        order.push(n);
        holding++;
        most = Math.max(most, holding);
        await new Promise((r) => setTimeout(r, 5));
        holding--;
        release();
        release(); // a second call gives nothing back twice
      }),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Every slot came back: two can be taken at once again, a third waits.
    const a = await slots.acquire();
    await slots.acquire();
    let third = false;
    const waiting = slots.acquire().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false);
    a();
    await waiting;
    expect(third).toBe(true);
  });

  it('tryAcquire takes a free slot at once or none, never waits, and its slot goes to the next waiter', async () => {
    const slots = new Slots(1);
    const first = slots.tryAcquire();
    expect(first).toBeTypeOf('function');
    expect(slots.tryAcquire()).toBeUndefined();
    let waited = false;
    const waiting = slots.acquire().then((release) => {
      waited = true;
      return release;
    });
    first!();
    const release = await waiting;
    expect(waited).toBe(true);
    expect(slots.tryAcquire()).toBeUndefined();
    release();
    expect(slots.tryAcquire()).toBeTypeOf('function');
  });
});
