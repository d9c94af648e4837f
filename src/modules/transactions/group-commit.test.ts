import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('items with the same key never share a batch and are written in submission order', async () => {
    const batches: string[][] = [];
    const commit = new GroupCommit<string, number>(async (items) => {
      batches.push(items);
      return items.map((i) => i.length);
    }, 1);
    const results = await Promise.all([
      commit.submit('a1', 'a'),
      commit.submit('b1', 'b'),
      commit.submit('a2', 'a'),
      commit.submit('c1', 'c'),
      commit.submit('a3', 'a'),
    ]);
    expect(results).toEqual([2, 2, 2, 2, 2]);
    expect(batches).toEqual([['a1', 'b1'], ['a2', 'c1'], ['a3']]);
  });

  it('flush waits for everything submitted', async () => {
    const written: number[] = [];
    const commit = new GroupCommit<number, void>(async (items) => {
      written.push(...items);
      return items.map((): void => undefined);
    }, 50);
    void commit.submit(1);
    void commit.submit(2);
    await commit.flush();
    expect(written).toEqual([1, 2]);
  });
});
