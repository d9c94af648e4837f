import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('answers loads made in one turn with a single call, duplicates included', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string, number>(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const results = await Promise.all([batcher.load('a'), batcher.load('bb'), batcher.load('a'), batcher.load('missing')]);
    expect(results).toEqual([1, 2, 1, undefined]);
    expect(calls).toEqual([['a', 'bb', 'missing']]);
  });

  it('splits large turns into batches of the maximum size and propagates failures', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(async (keys) => {
      sizes.push(keys.length);
      if (keys.includes(4)) throw new Error('boom');
      return new Map(keys.map((k) => [k, k]));
    }, 2);
    const settled = await Promise.allSettled([1, 2, 3, 4].map((k) => batcher.load(k)));
    expect(sizes).toEqual([2, 2]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  });
});
