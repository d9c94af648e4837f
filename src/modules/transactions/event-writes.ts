import { sql, type Kysely } from 'kysely';
import { unnestRows, type ColumnType } from './column-arrays.js';
import { sessionHeadOf, type NewEventRow, type NewSampleRow, type SessionHead } from './session-rows.js';
import { ALL_LOCKED_FIRST, lockedSessions, type RowLocks } from './session-locks.js';
import type { TransactionsTables } from './tables.js';
import type { SessionStatus } from './types.js';

/** One TransactionEvent to record and apply. */
export interface SessionEventWrite {
  patch: SessionEventPatch;
  event: NewEventRow;
  /** Its readings, written in the same batch before the event is applied. */
  samples: readonly NewSampleRow[];
}

export interface AppliedEvent {
  row: SessionHead;
  previousStatus: string;
  /** The session's highest seqNo before this event; null: no event of it was applied before. */
  previousSeqNo: number | null;
  /** false: this event was recorded before (a retry). */
  fresh: boolean;
}

/** Changes one TransactionEvent makes to its session. */
export interface SessionEventPatch {
  seqNo: number;
  timestamp: Date;
  ended: boolean;
  status: SessionStatus | undefined;
  stopReason: string | undefined;
  evseId: number | undefined;
  connectorId: number | undefined;
  idToken: { idToken: string; type: string } | undefined;
  remoteStartId: number | undefined;
  reservationId: number | undefined;
  offline: boolean;
  now: Date;
}

/** A TransactionEvent batch as column arrays (applyEvents). */
const EVENT_WRITE_COLUMNS = [
  ['session_id', 'text', (w) => w.event.session_id],
  ['seq_no', 'integer', (w) => w.patch.seqNo],
  ['ts', 'timestamptz', (w) => w.patch.timestamp],
  ['ended', 'boolean', (w) => w.patch.ended],
  ['status', 'text', (w) => w.patch.status],
  ['stop_reason', 'text', (w) => w.patch.stopReason],
  ['evse_id', 'integer', (w) => w.patch.evseId],
  ['connector_id', 'integer', (w) => w.patch.connectorId],
  ['id_token', 'text', (w) => w.patch.idToken?.idToken],
  ['id_token_type', 'text', (w) => w.patch.idToken?.type],
  ['remote_start_id', 'integer', (w) => w.patch.remoteStartId],
  ['reservation_id', 'integer', (w) => w.patch.reservationId],
  ['offline', 'boolean', (w) => w.patch.offline],
  ['now', 'timestamptz', (w) => w.patch.now],
  ['tenant_id', 'text', (w) => w.event.tenant_id],
  ['station_id', 'text', (w) => w.event.station_id],
  ['station_tx_id', 'text', (w) => w.event.station_tx_id],
  ['event_key', 'text', (w) => w.event.event_key],
  ['event_type', 'text', (w) => w.event.event_type],
  ['trigger_reason', 'text', (w) => w.event.trigger_reason],
  ['payload', 'jsonb', (w) => JSON.stringify(w.event.payload)],
  ['received_at', 'timestamptz', (w) => w.event.received_at],
] as const satisfies readonly (readonly [string, ColumnType, (w: SessionEventWrite) => unknown])[];

/**
 * Records TransactionEvents and applies each to its session, all in one atomic statement (at
 * most one event per session: the caller's group commit keys batches by session). `fresh` is
 * false for a retry. Ended is final whatever order events arrive in; otherwise only an event at
 * least as new (by seqNo) as the last one applied changes the status. Re-applying a retry
 * changes nothing the first delivery did not already set.
 */
export async function applyEvents(db: Kysely<TransactionsTables>, items: readonly SessionEventWrite[], locks: RowLocks): Promise<AppliedEvent[]> {
  if (items.length === 0) return [];
  // Each session's status and seqNo before this event: on PostgreSQL from the sessions locked
  // first in id order (ADR 027); on the embedded database (PostgreSQL 18, one connection, nothing
  // to lock) straight from the UPDATE's own old row, without reading the sessions a second time
  // (ADR 040). `prior`, not `old`: PostgreSQL 18 reserves `old` in RETURNING.
  const previous =
    locks === 'none'
      ? { locked: sql``, join: sql``, where: sql``, columns: sql`old.status as previous_status, old.last_seq_no as previous_seq_no` }
      : {
          locked: sql`, ${lockedSessions(sql`select session_id from v`, sql`, status as previous_status, last_seq_no as previous_seq_no`, locks)}`,
          join: sql` join locked_sessions prior on prior.id = v.session_id`,
          where: sql` and ${ALL_LOCKED_FIRST}`,
          columns: sql`prior.previous_status, prior.previous_seq_no`,
        };
  const result = await sql<SessionHead & { previous_status: string; previous_seq_no: number | null; fresh: boolean }>`
    with v as (select * from ${unnestRows(items, EVENT_WRITE_COLUMNS)}),
    ev as (
      insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
      select tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, ts, payload, received_at from v
      on conflict (station_id, station_tx_id, event_key) do nothing
      returning session_id
    )${previous.locked}
    update sessions s set
      status = case
        when v.ended then 'finished'
        when s.status = 'finished' then s.status
        when v.status is not null and (s.last_seq_no is null or v.seq_no >= s.last_seq_no) then v.status
        else s.status end,
      stop_reason = case when v.ended then coalesce(v.stop_reason, s.stop_reason, 'Local') else s.stop_reason end,
      stopped_at = case when v.ended then v.ts else s.stopped_at end,
      started_at = least(s.started_at, v.ts),
      evse_id = coalesce(s.evse_id, v.evse_id),
      connector_id = coalesce(s.connector_id, v.connector_id),
      id_token = coalesce(s.id_token, v.id_token),
      id_token_type = coalesce(s.id_token_type, v.id_token_type),
      stop_id_token = case when v.ended and s.id_token is not null and v.id_token is not null then v.id_token else s.stop_id_token end,
      remote_start_id = coalesce(s.remote_start_id, v.remote_start_id),
      reservation_id = coalesce(s.reservation_id, v.reservation_id),
      last_seq_no = greatest(s.last_seq_no, v.seq_no),
      offline = s.offline or v.offline,
      updated_at = v.now
    from v${previous.join} left join ev on ev.session_id = v.session_id
    where s.id = v.session_id${previous.where}
    returning ${sessionHeadOf('s')}, ${previous.columns}, ev.session_id is not null as fresh`.execute(db);
  const byId = new Map(result.rows.map((r) => [r.id, r]));
  return items.map(({ event }) => {
    const updated = byId.get(event.session_id);
    if (!updated) throw new Error(`session ${event.session_id} vanished`);
    const { previous_status: previousStatus, previous_seq_no: previousSeqNo, fresh, ...row } = updated;
    return { row, previousStatus, previousSeqNo, fresh };
  });
}
