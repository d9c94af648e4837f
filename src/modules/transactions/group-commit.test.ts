import { describe, expect, it } from 'vitest';
import { GroupCommit, WriteGate } from './group-commit.js';

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

  it('ADR 034: group commits sharing a gate send one batch at a time; a waiting batch fills until its turn', async () => {
    const gate = new WriteGate(1);
    const out: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const persist = (name: string) => async (items: number[]) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      out.push(`${name}:${items.join(',')}`);
      if (name === 'a' && items[0] === 1) await firstHeld;
      inFlight -= 1;
      return items.map((): void => undefined);
    };
    const a = new GroupCommit<number, void>(persist('a'), 0, 100, gate);
    const b = new GroupCommit<number, void>(persist('b'), 0, 100, gate);
    const done = [a.submit(1)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    // a's first batch holds the gate: b's items wait, in one batch that keeps filling.
    done.push(b.submit(10), b.submit(11));
    await new Promise((resolve) => setTimeout(resolve, 5));
    done.push(b.submit(12));
    expect(out).toEqual(['a:1']);
    releaseFirst();
    await Promise.all(done);
    expect(out).toEqual(['a:1', 'b:10,11,12']);
    expect(maxInFlight).toBe(1);
  });

  it('a gate of width two lets two batches out at once, never three', async () => {
    const gate = new WriteGate(2);
    let inFlight = 0;
    let maxInFlight = 0;
    const commits = [0, 1, 2, 3].map(
      () =>
        new GroupCommit<number, void>(
          async (items) => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((resolve) => setTimeout(resolve, 10));
            inFlight -= 1;
            return items.map((): void => undefined);
          },
          0,
          100,
          gate,
        ),
    );
    await Promise.all(commits.flatMap((c, i) => [c.submit(i), c.submit(i + 10)]));
    expect(maxInFlight).toBe(2);
  });
});
