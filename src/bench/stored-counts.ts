// What the sessions benchmark expects in the database for what the stations were answered, and
// what it finds there. The mapping (transactions module, src/modules/transactions):
//   sessions        one row per transaction: a 1.6 StartTransaction answered (its natural key makes
//                   a retry find the same row) or a 2.0.1 transaction first seen (TransactionEvent
//                   Started in the sim).
//   session_events  one row per transaction message: 1.6 StartTransaction ('start') and
//                   StopTransaction ('stop'), every 2.0.1 TransactionEvent (keyed by seqNo).
//   meter_samples   one row per reading: every sampledValue of MeterValues, TransactionEvent and
//                   StopTransaction.transactionData, plus the 1.6 meterStart and meterStop (stored
//                   as Transaction.Begin / Transaction.End energy-register samples). Readings of a
//                   connector at the same instant with the same measurand/phase/location are one
//                   row (the table's unique key), so the sim's repeated readings are subtracted.
//   energy          sum of sessions.energy_wh = the sum of the sim's register differences of the
//                   sessions that ended.
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../platform/db/database.js';
import type { TransactionCounts } from '../sim/tally.js';

export interface StoredCounts {
  sessions: number;
  sessionEvents: number;
  meterSamples: number;
  /** Sessions not finished (a clean stop leaves none). */
  openSessions: number;
  /** Samples attributed to no session (the sim always names its transaction). */
  samplesWithoutSession: number;
  energyWh: number;
  /** PostgreSQL only: pg_stat_database for the run's database (commits ≈ statements, autocommit). */
  postgresStats?: { xactCommit: number; xactRollback: number; tupInserted: number; tupUpdated: number; tupFetched: number };
}

export interface CountCheck {
  expected: number;
  stored: number;
  /** Expected but not in the database. */
  lost: number;
  /** In the database more often than sent. */
  doubled: number;
}

export interface StoreCheck {
  sessions: CountCheck;
  sessionEvents: CountCheck;
  meterSamples: CountCheck;
  openSessions: CountCheck;
  samplesWithoutSession: number;
  energyWh: { expected: number; stored: number };
  postgresStats: StoredCounts['postgresStats'] | null;
  /** Every count as expected and the energy equal. */
  exact: boolean;
}

export function expectedCounts(t: TransactionCounts): Omit<StoredCounts, 'samplesWithoutSession' | 'postgresStats'> {
  const action = (name: string): number => t.byAction[name] ?? 0;
  return {
    sessions: t.transactionsStarted,
    sessionEvents: action('StartTransaction') + action('StopTransaction') + action('TransactionEvent'),
    meterSamples: t.readings - t.repeatedReadings,
    openSessions: t.transactionsStarted - t.transactionsEnded,
    energyWh: t.endedEnergyWh,
  };
}

function check(expected: number, stored: number): CountCheck {
  return { expected, stored, lost: Math.max(0, expected - stored), doubled: Math.max(0, stored - expected) };
}

export function compareCounts(t: TransactionCounts, stored: StoredCounts): StoreCheck {
  const e = expectedCounts(t);
  const result = {
    sessions: check(e.sessions, stored.sessions),
    sessionEvents: check(e.sessionEvents, stored.sessionEvents),
    meterSamples: check(e.meterSamples, stored.meterSamples),
    openSessions: check(e.openSessions, stored.openSessions),
    samplesWithoutSession: stored.samplesWithoutSession,
    energyWh: { expected: e.energyWh, stored: stored.energyWh },
    postgresStats: stored.postgresStats ?? null,
  };
  const counts = [result.sessions, result.sessionEvents, result.meterSamples, result.openSessions];
  return {
    ...result,
    exact: counts.every((c) => c.lost === 0 && c.doubled === 0) && e.energyWh === stored.energyWh && stored.samplesWithoutSession === 0,
  };
}

async function count(db: Kysely<unknown>, query: ReturnType<typeof sql<{ n: number | string | null }>>): Promise<number> {
  const row = (await query.execute(db)).rows[0];
  return Number(row?.n ?? 0);
}

/** Opens the stopped server's database (PGlite data dir or PostgreSQL URL) and counts. */
export async function readStoredCounts(target: { dataDir: string } | { databaseUrl: string }): Promise<StoredCounts> {
  const handle = await openDatabase<unknown>('databaseUrl' in target ? { databaseUrl: target.databaseUrl, dataDir: '' } : { dataDir: target.dataDir });
  try {
    const { db } = handle;
    return {
      sessions: await count(db, sql`select count(*) as n from sessions`),
      sessionEvents: await count(db, sql`select count(*) as n from session_events`),
      meterSamples: await count(db, sql`select count(*) as n from meter_samples`),
      openSessions: await count(db, sql`select count(*) as n from sessions where status <> 'finished'`),
      samplesWithoutSession: await count(db, sql`select count(*) as n from meter_samples where session_id is null`),
      energyWh: await count(db, sql`select coalesce(sum(energy_wh), 0) as n from sessions`),
      ...('databaseUrl' in target ? { postgresStats: await postgresStats(db) } : {}),
    };
  } finally {
    await handle.close();
  }
}

async function postgresStats(db: Kysely<unknown>): Promise<NonNullable<StoredCounts['postgresStats']>> {
  // Counters of backends that ended are flushed when they exit; this one's own are not in yet.
  const row = (
    await sql<{ c: string; r: string; i: string; u: string; f: string }>`
      select xact_commit as c, xact_rollback as r, tup_inserted as i, tup_updated as u, tup_fetched as f
      from pg_stat_database where datname = current_database()`.execute(db)
  ).rows[0];
  return {
    xactCommit: Number(row?.c ?? 0),
    xactRollback: Number(row?.r ?? 0),
    tupInserted: Number(row?.i ?? 0),
    tupUpdated: Number(row?.u ?? 0),
    tupFetched: Number(row?.f ?? 0),
  };
}
