import { describe, expect, it } from 'vitest';
import { parseWritesArgs, runWritesBench } from './writes.js';
import { WRITE_KINDS } from './writes-rounds.js';

const log = (): void => undefined;

describe('bench writes', () => {
  it('parses the options: batch sizes, rounds, warm-up; DATABASE_URL selects PostgreSQL unless --pglite', () => {
    const options = parseWritesArgs(['--batch-sizes', '1, 25', '--rounds', '3', '--warmup', '0'], {}, log);
    expect(options).toMatchObject({ batchSizes: [1, 25], rounds: 3, warmup: 0 });
    expect(options).not.toHaveProperty('databaseUrl');
    expect(parseWritesArgs([], {}, log)).toMatchObject({ batchSizes: [1, 10, 100] });
    expect(parseWritesArgs([], { DATABASE_URL: 'postgres://u:p@127.0.0.1/db' }, log)).toMatchObject({ databaseUrl: 'postgres://u:p@127.0.0.1/db' });
    expect(parseWritesArgs(['--pglite'], { DATABASE_URL: 'postgres://x/y' }, log)).not.toHaveProperty('databaseUrl');
    expect(() => parseWritesArgs(['--batch-sizes', '0'], {}, log)).toThrow(/--batch-sizes must be an integer ≥ 1/);
    expect(() => parseWritesArgs(['--rounds', '1.5'], {}, log)).toThrow(/--rounds must be an integer/);
    expect(() => parseWritesArgs(['--database-url', 'mysql://x'], {}, log)).toThrow(/postgres:\/\//);
  });

  it('a tiny run writes every kind through the real batch writes and reports CPU and wall time per batch and per item', async () => {
    const result = await runWritesBench({ batchSizes: [1, 3], rounds: 2, warmup: 1, resultsDir: '/nonexistent', log, ...(process.env['DATABASE_URL'] ? { databaseUrl: process.env['DATABASE_URL'] } : {}) });
    expect(result.figures.map((f) => `${f.kind}/${f.batchSize}`)).toEqual([...WRITE_KINDS.map((k) => `${k}/1`), ...WRITE_KINDS.map((k) => `${k}/3`)]);
    for (const f of result.figures) {
      expect(f.items).toBe(2 * f.batchSize);
      expect(f.wallMsPerBatch).toBeGreaterThan(0);
      expect(f.cpuMsPerItem).toBeCloseTo(f.cpuMsPerBatch / f.batchSize, 2);
    }
    // 3 rounds of 1 + 3 items, a 1.6 and a 2.0.1 session each: every row stored once, 180 Wh a session.
    expect(result.stored.actual).toEqual({ sessions: 24, sessionEvents: 60, meterSamples: 96, energyWh: 24 * 180 });
    expect(result.stored.exact).toBe(true);
  }, 60_000);
});
