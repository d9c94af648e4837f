import { describe, expect, it } from 'vitest';
import { emptyTransactionCounts } from '../sim/tally.js';
import { parseSessionsArgs, perMessageMs, pctOfRun } from './sessions.js';
import { compareCounts, expectedCounts } from './stored-counts.js';

const log = (): void => undefined;

describe('bench sessions', () => {
  it('parses the options; DATABASE_URL selects PostgreSQL unless --pglite; a fractional interval is allowed', () => {
    const options = parseSessionsArgs(['--stations', '300', '--interval', '0.5', '--ocpp', '2.0.1', '--duration-s', '20'], {}, log);
    expect(options).toMatchObject({ stations: 300, intervalS: 0.5, ocpp: '2.0.1', durationS: 20, samplesPerSession: 4 });
    expect(options).not.toHaveProperty('databaseUrl');
    const pg = parseSessionsArgs([], { DATABASE_URL: 'postgres://u:p@127.0.0.1/db' }, log);
    expect(pg).toMatchObject({ databaseUrl: 'postgres://u:p@127.0.0.1/db', stations: 1000, intervalS: 1, durationS: 60 });
    expect(parseSessionsArgs(['--pglite'], { DATABASE_URL: 'postgres://x/y' }, log)).not.toHaveProperty('databaseUrl');
    expect(() => parseSessionsArgs(['--stations', '0'], {}, log)).toThrow(/--stations must be an integer ≥ 1/);
    expect(() => parseSessionsArgs(['--database-url', 'mysql://x'], {}, log)).toThrow(/postgres:\/\//);
  });

  it('maps answered messages to rows: 1.6 start/stop are events, meterStart/meterStop samples; repeats merge', () => {
    const t = {
      ...emptyTransactionCounts(),
      byAction: { StartTransaction: 10, StopTransaction: 9, MeterValues: 40, TransactionEvent: 30 },
      transactionsStarted: 15,
      transactionsEnded: 14,
      readings: 200,
      repeatedReadings: 3,
      endedEnergyWh: 1234,
    };
    expect(expectedCounts(t)).toEqual({ sessions: 15, sessionEvents: 49, meterSamples: 197, openSessions: 1, energyWh: 1234 });
    const exact = compareCounts(t, { sessions: 15, sessionEvents: 49, meterSamples: 197, openSessions: 1, samplesWithoutSession: 0, energyWh: 1234 });
    expect(exact.exact).toBe(true);
    const off = compareCounts(t, { sessions: 16, sessionEvents: 47, meterSamples: 197, openSessions: 1, samplesWithoutSession: 0, energyWh: 1234 });
    expect(off.sessions).toEqual({ expected: 15, stored: 16, lost: 0, doubled: 1 });
    expect(off.sessionEvents).toEqual({ expected: 49, stored: 47, lost: 2, doubled: 0 });
    expect(off.exact).toBe(false);
  });

  it('--sim-cpu-prof passes a profile directory for the load generator workers', () => {
    expect(parseSessionsArgs(['--sim-cpu-prof', '/tmp/prof'], {}, log)).toMatchObject({ simCpuProfDir: '/tmp/prof' });
    expect(parseSessionsArgs([], {}, log)).not.toHaveProperty('simCpuProfDir');
  });

  it('perMessage.simCpuMs: the workers\' CPU seconds over the run per persisted message, in ms', () => {
    expect(perMessageMs(10, 12.5, 5000)).toBe(0.5);
    expect(perMessageMs(1, 1.37, 2171)).toBe(0.17);
    expect(perMessageMs(null, 2, 100)).toBeNull();
    expect(perMessageMs(1, 2, 0)).toBeNull();
  });

  it('a seconds counter over a run becomes a share of its wall time (the database thread’s busy and waiting %)', () => {
    expect(pctOfRun(2.5, 17.5, 30_000)).toBe(50);
    expect(pctOfRun(0, 0.3, 30_000)).toBe(1);
    expect(pctOfRun(null, 3, 30_000)).toBeNull();
  });
});
