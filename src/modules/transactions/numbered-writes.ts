import { sql, type Kysely } from 'kysely';
import { SUPERSEDED, type NewEventRow, type SessionRow } from './store.js';
import type { TransactionsTables } from './tables.js';

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
  session: SessionRow;
  event: NewEventRow;
  evseId: number;
  now: Date;
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
}

export interface StopWritten {
  /** Undefined when the session was already stopped (a retry). */
  finished: SessionRow | undefined;
  /** Its stop reason before: a superseded session's real stop is an update, not its end. */
  previousStopReason: string | null;
}

function eventValues(e: NewEventRow) {
  return [
    sql`${e.tenant_id}::text`,
    sql`${e.station_id}::text`,
    sql`${e.station_tx_id}::text`,
    sql`${e.session_id}::text`,
    sql`${e.offline}::boolean`,
    sql`${e.occurred_at}::timestamptz`,
    sql`${JSON.stringify(e.payload)}::jsonb`,
    sql`${e.received_at}::timestamptz`,
  ];
}

const EVENT_COLUMNS = sql`tenant_id, station_id, station_tx_id, session_id, offline, occurred_at, payload, received_at`;

export async function writeStarts(db: Kysely<TransactionsTables>, items: readonly StartWrite[]): Promise<StartWritten[]> {
  if (items.length === 0) return [];
  const rows = items.map((i) => sql`(${sql.join([...eventValues(i.event), sql`${i.evseId}::integer`, sql`${i.now}::timestamptz`])})`);
  const result = await sql<{ session_id: string; fresh: boolean; superseded: string[] | null }>`
    with v (${EVENT_COLUMNS}, evse_id, now) as (values ${sql.join(rows)}),
    ev as (
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
      select tenant_id, station_id, station_tx_id, 'start', null, session_id, 'Started', null, offline, occurred_at, payload, received_at from v
      on conflict (station_id, station_tx_id, event_key) do nothing
      returning session_id
    ),
    sup as (
      update sessions s set status = 'finished', stop_reason = ${SUPERSEDED}, stopped_at = v.occurred_at, updated_at = v.now
      from v
      where s.tenant_id = v.tenant_id and s.station_id = v.station_id and s.evse_id = v.evse_id and s.ocpp16_transaction_id is not null
        and s.status <> 'finished' and s.started_at < v.occurred_at and s.id <> v.session_id
      returning s.id, v.session_id as newer_id
    )
    select v.session_id,
      exists (select 1 from ev where ev.session_id = v.session_id) as fresh,
      (select array_agg(sup.id) from sup where sup.newer_id = v.session_id) as superseded
    from v`.execute(db);
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

export async function writeStops(db: Kysely<TransactionsTables>, items: readonly StopWrite[]): Promise<StopWritten[]> {
  if (items.length === 0) return [];
  const rows = items.map(({ event, stop }) => {
    const values = [
      ...eventValues(event),
      sql`${stop.stoppedAt}::timestamptz`,
      sql`${stop.meterStopWh}::bigint`,
      sql`${stop.reason}::text`,
      sql`${stop.stopIdToken}::text`,
      sql`${stop.now}::timestamptz`,
    ];
    return sql`(${sql.join(values)})`;
  });
  const result = await sql<SessionRow & { previous_stop_reason: string | null }>`
    with v (${EVENT_COLUMNS}, stopped_at, meter_stop_wh, reason, stop_id_token, now) as (values ${sql.join(rows)}),
    ev as (
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
      select tenant_id, station_id, station_tx_id, 'stop', null, session_id, 'Ended', null, false, occurred_at, payload, received_at from v
      on conflict (station_id, station_tx_id, event_key) do nothing
    ),
    old as (select id, stop_reason from sessions where id in (select session_id from v))
    update sessions s set status = 'finished', stopped_at = v.stopped_at, meter_stop_wh = v.meter_stop_wh, stop_reason = v.reason,
      stop_id_token = v.stop_id_token, updated_at = v.now
    from v join old on old.id = v.session_id
    where s.id = v.session_id and (s.status <> 'finished' or s.stop_reason = ${SUPERSEDED})
    returning s.*, old.stop_reason as previous_stop_reason`.execute(db);
  const byId = new Map(result.rows.map(({ previous_stop_reason: previousStopReason, ...row }) => [row.id, { finished: row as SessionRow, previousStopReason }]));
  return items.map((i) => byId.get(i.event.session_id) ?? { finished: undefined, previousStopReason: null });
}
