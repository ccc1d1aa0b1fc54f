import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A fake store: a transaction applies its body's writes only when the body succeeds. */
function fakeStore() {
  const committed: string[] = [];
  const transactions: string[][] = [];
  const group = new GroupCommit<string[]>(async (body) => {
    const tx: string[] = [];
    await body(tx);
    transactions.push(tx);
    committed.push(...tx);
  });
  const write = (value: string, fail = false) => group.run(async (tx) => {
    if (fail) throw new Error(`${value} refused`);
    tx.push(value);
  });
  return { committed, transactions, write };
}

describe('GroupCommit', () => {
  it('commits the writes of one turn together and resolves each caller after the commit', async () => {
    const { committed, transactions, write } = fakeStore();
    const done: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((v) => write(v).then(() => done.push(v))));
    expect(transactions).toEqual([['a', 'b', 'c']]);
    expect(done).toEqual(['a', 'b', 'c']);
    await write('d');
    expect(transactions).toEqual([['a', 'b', 'c'], ['d']]);
    expect(committed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('when one write of a group fails, only that one fails: the others commit on their own', async () => {
    const { committed, write } = fakeStore();
    const results = await Promise.allSettled([write('a'), write('b', true), write('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(committed).toEqual(['a', 'c']);
  });
});
