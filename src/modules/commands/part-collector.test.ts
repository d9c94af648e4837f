import { describe, expect, it } from 'vitest';
import { PartCollector } from './part-collector.js';

describe('PartCollector', () => {
  it('hands the report to its waiter when the last part arrives', async () => {
    const collector = new PartCollector<string>();
    const waiting = collector.wait('k', 5_000);
    expect(collector.add('k', 'b', false)).toBeUndefined();
    expect(collector.add('k', 'a', true)).toEqual(['b', 'a']);
    await expect(waiting).resolves.toEqual({ parts: ['b', 'a'], complete: true });
  });

  it('TC_N_27_CSMS held: the waiter resumes only once settle() says the report is stored', async () => {
    const collector = new PartCollector<string>();
    let resumed = false;
    const waiting = collector.wait('k', 5_000).then((c) => ((resumed = true), c));
    const parts = collector.add('k', 'only', true, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A reader resuming now would read the report before it is written (the race CI met on PostgreSQL).
    expect(resumed).toBe(false);
    collector.settle('k', parts ?? []);
    await expect(waiting).resolves.toEqual({ parts: ['only'], complete: true });
  });
});
