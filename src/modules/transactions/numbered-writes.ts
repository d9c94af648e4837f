import { sql, type Kysely } from 'kysely';
import { unnestRows, type ColumnType } from './column-arrays.js';
import { SUPERSEDED, sessionHeadOf, type NewEventRow, type NewSampleRow, type SessionHead, type SessionRow } from './session-rows.js';
import type { TransactionsTables } from './tables.js';
import { ALL_LOCKED_FIRST, lockedSessions, type RowLocks } from './session-locks.js';

/**
 * The writes of 1.6 StartTransaction and StopTransaction after the session row exists, for many
 * messages in one statement each (group commit, like TransactionEvents): on PGlite a statement's
 * fixed cost is most of a small write, so a burst of starts and stops costs a few statements.
 * Callers key batches so that one batch never holds two starts on one connector or two stops of
 * one session.
 */

/** A 1.6 start to record: its Started event, and the connector whose older open sessions it supersedes. */
export interface StartWrite {
  /** The session the start created or found, as its TransactionStarted describes it. */
  session: SessionHead;
  event: NewEventRow;
  evseId: number;
  now: Date;
  /** The Transaction.Begin reading, written in the same batch. */
  samples: readonly NewSampleRow[];
}

export interface StartWritten {
  /** false: this start was recorded before (a retry). */
  fresh: boolean;
  /** Older sessions still open on the connector, now closed as superseded (1.6 §4.8: one transaction a connector). */
  superseded: SessionRow[];
}

export interface StopWrite {
  event: NewEventRow;
  stop: { stoppedAt: Date; meterStopWh: number; reason: string; stopIdToken: string | null; now: Date };
  /** The stop's readings and its Transaction.End reading, written in the same batch before it finishes the session. */
  samples: readonly NewSampleRow[];
}

export interface StopWritten {
  /** Undefined when the session was already stopped (a retry). */
  finished: SessionHead | undefined;
  /** Its stop reason before: a superseded session's real stop is an update, not its end. */
  previousStopReason: string | null;
}

type Column<T> = readonly [string, ColumnType, (item: T) => unknown];

function eventColumns<T>(eventOf: (item: T) => NewEventRow): Column<T>[] {
  return [
    ['tenant_id', 'text', (i) => eventOf(i).tenant_id],
    ['station_id', 'text', (i) => eventOf(i).station_id],
    ['station_tx_id', 'text', (i) => eventOf(i).station_tx_id],
    ['session_id', 'text', (i) => eventOf(i).session_id],
    ['offline', 'boolean', (i) => eventOf(i).offline],
    ['occurred_at', 'timestamptz', (i) => eventOf(i).occurred_at],
    ['payload', 'jsonb', (i) => JSON.stringify(eventOf(i).payload)],
    ['received_at', 'timestamptz', (i) => eventOf(i).received_at],
  ];
}

const START_COLUMNS: Column<StartWrite>[] = [...eventColumns<StartWrite>((i) => i.event), ['evse_id', 'integer', (i) => i.evseId], ['now', 'timestamptz', (i) => i.now]];

const STOP_COLUMNS: Column<StopWrite>[] = [
  ...eventColumns<StopWrite>((i) => i.event),
  ['stopped_at', 'timestamptz', (i) => i.stop.stoppedAt],
  ['meter_stop_wh', 'bigint', (i) => i.stop.meterStopWh],
  ['reason', 'text', (i) => i.stop.reason],
  ['stop_id_token', 'text', (i) => i.stop.stopIdToken],
  ['now', 'timestamptz', (i) => i.stop.now],
];

export async function writeStarts(db: Kysely<TransactionsTables>, items: readonly StartWrite[], locks: RowLocks): Promise<StartWritten[]> {
  if (items.length === 0) return [];
  const result = await sql<{ session_id: string; fresh: boolean; superseded: string[] | null }>`
    with v as (select * from ${unnestRows(items, START_COLUMNS)}),
    ev as (
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
      select tenant_id, station_id, station_tx_id, 'start', null, session_id, 'Started', null, offline, occurred_at, payload, received_at from v
      on conflict (station_id, station_tx_id, event_key) do nothing
      returning session_id
    ),
    ${lockedSessions(sql`
      select s.id from sessions s join v on s.tenant_id = v.tenant_id and s.station_id = v.station_id and s.evse_id = v.evse_id
      where s.ocpp16_transaction_id is not null and s.status <> 'finished' and s.started_at < v.occurred_at and s.id <> v.session_id`, undefined, locks)},
    sup as (
      update sessions s set status = 'finished', stop_reason = ${SUPERSEDED}, stopped_at = v.occurred_at, updated_at = v.now
      from v
      where s.tenant_id = v.tenant_id and s.station_id = v.station_id and s.evse_id = v.evse_id and s.ocpp16_transaction_id is not null
        and s.status <> 'finished' and s.started_at < v.occurred_at and s.id <> v.session_id and ${ALL_LOCKED_FIRST}
      returning s.id, v.session_id as newer_id
    ),
    sup_by_start as (select newer_id, array_agg(id) as ids from sup group by newer_id)
    select v.session_id, ev.session_id is not null as fresh, sup_by_start.ids as superseded
    from v left join ev on ev.session_id = v.session_id left join sup_by_start on sup_by_start.newer_id = v.session_id`.execute(db);
  // Superseding is rare (a lost StopTransaction): those rows are read back in full, the rest cost nothing.
  const supersededIds = result.rows.flatMap((r) => r.superseded ?? []);
  const closed =
    supersededIds.length === 0 ? new Map<string, SessionRow>() : new Map((await db.selectFrom('sessions').selectAll().where('id', 'in', supersededIds).execute()).map((r) => [r.id, r]));
  const bySession = new Map(result.rows.map((r) => [r.session_id, r]));
  return items.map((i) => {
    const r = bySession.get(i.event.session_id);
    return { fresh: r?.fresh ?? false, superseded: (r?.superseded ?? []).flatMap((id) => closed.get(id) ?? []) };
  });
}

export async function writeStops(db: Kysely<TransactionsTables>, items: readonly StopWrite[], locks: RowLocks): Promise<StopWritten[]> {
  if (items.length === 0) return [];
  const result = await sql<SessionHead & { previous_stop_reason: string | null }>`
    with v as (select * from ${unnestRows(items, STOP_COLUMNS)}),
    ev as (
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
      select tenant_id, station_id, station_tx_id, 'stop', null, session_id, 'Ended', null, false, occurred_at, payload, received_at from v
      on conflict (station_id, station_tx_id, event_key) do nothing
    ),
    ${lockedSessions(sql`select session_id from v`, sql`, stop_reason`, locks)}
    update sessions s set status = 'finished', stopped_at = v.stopped_at, meter_stop_wh = v.meter_stop_wh, stop_reason = v.reason,
      stop_id_token = v.stop_id_token, updated_at = v.now
    from v join locked_sessions old on old.id = v.session_id
    where s.id = v.session_id and (s.status <> 'finished' or s.stop_reason = ${SUPERSEDED}) and ${ALL_LOCKED_FIRST}
    returning ${sessionHeadOf('s')}, old.stop_reason as previous_stop_reason`.execute(db);
  const byId = new Map(result.rows.map(({ previous_stop_reason: previousStopReason, ...row }) => [row.id, { finished: row as SessionHead, previousStopReason }]));
  return items.map((i) => byId.get(i.event.session_id) ?? { finished: undefined, previousStopReason: null });
}
