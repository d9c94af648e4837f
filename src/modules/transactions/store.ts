import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { MeterSamplesTable, SessionEventsTable, SessionsTable, TransactionsTables } from './tables.js';
import { ENERGY_REGISTER, POWER_IMPORT } from './meter.js';
import { updateSessionEnergy } from './session-energy.js';
import { writeStarts, writeStops, type StartWrite, type StartWritten, type StopWrite, type StopWritten } from './numbered-writes.js';
import type { SessionStatus } from './types.js';
import { unnestRows, type ColumnType } from './column-arrays.js';
import { followConnectors, type ConnectorFollow } from './connector-follows.js';
import { ALL_LOCKED_FIRST, lockedSessions } from './session-locks.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type SessionRow = Selectable<SessionsTable>;
export type NewSessionRow = Insertable<SessionsTable>;

/**
 * The columns the hot transaction writes return: what their events and the service read. A full
 * row costs ~50 µs to bring back from PGlite (ADR 026), and these writes return one per message.
 */
export const SESSION_HEAD_COLUMNS = [
  'id',
  'tenant_id',
  'station_id',
  'evse_id',
  'connector_id',
  'ocpp16_transaction_id',
  'station_tx_id',
  'start_key',
  'id_token',
  'auth_status',
  'status',
  'stop_reason',
  'started_at',
  'stopped_at',
  'energy_wh',
  'remote_start_id',
  'offline',
  'awaiting_messages',
] as const satisfies readonly (keyof SessionRow)[];
export type SessionHead = Pick<SessionRow, (typeof SESSION_HEAD_COLUMNS)[number]>;

/** `s.id, s.tenant_id, ...` for a RETURNING or SELECT list. */
export const sessionHeadOf = (alias: string) => sql.raw(SESSION_HEAD_COLUMNS.map((c) => `${alias}.${c}`).join(', '));
export type NewSampleRow = Omit<Insertable<MeterSamplesTable>, 'id'>;
export type NewEventRow = Omit<Insertable<SessionEventsTable>, 'id'>;

/** stop_reason of a session closed because a newer one started on its connector. */
export const SUPERSEDED = 'Superseded';

/**
 * stop_reason of a 2.x session closed because its station, asked after a reconnect (E14), said
 * the transaction is not ongoing and nothing about it is queued: it ended (or the station no
 * longer knows it) and its Ended never reached us. Not an OCPP reason: ours, so nobody mistakes
 * it for what the station reported. A late Ended still replaces it with the station's reason.
 */
export const ENDED_UNREPORTED = 'EndedUnreported';

const SAMPLE_COLUMNS = [
  ['tenant_id', 'text', (r) => r.tenant_id],
  ['session_id', 'text', (r) => r.session_id],
  ['station_id', 'text', (r) => r.station_id],
  ['evse_id', 'integer', (r) => r.evse_id],
  ['sampled_at', 'timestamptz', (r) => r.sampled_at],
  ['measurand', 'text', (r) => r.measurand],
  ['phase', 'text', (r) => r.phase],
  ['location', 'text', (r) => r.location],
  ['context', 'text', (r) => r.context],
  ['value', 'double precision', (r) => r.value],
  ['unit', 'text', (r) => r.unit],
  ['normalised_value', 'double precision', (r) => r.normalised_value],
  ['normalised_unit', 'text', (r) => r.normalised_unit],
  ['signed_data', 'text', (r) => r.signed_data],
] as const satisfies readonly (readonly [string, ColumnType, (r: NewSampleRow) => unknown])[];

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
 * One row per reading key (a retry may share a batch with the original; one INSERT may not touch
 * a row twice), preferring the copy that names a session.
 */
function uniqueReadings(rows: readonly NewSampleRow[]): NewSampleRow[] {
  const byKey = new Map<string, NewSampleRow>();
  for (const row of rows) {
    const key = `${row.station_id}\u0000${row.evse_id}\u0000${(row.sampled_at as Date).getTime()}\u0000${row.measurand}\u0000${row.phase}\u0000${row.location}`;
    const seen = byKey.get(key);
    if (!seen || (!seen.session_id && row.session_id)) byKey.set(key, row);
  }
  // In key order: two batches writing the same readings (a retried message) take their index entries in one order (ADR 027).
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

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

/** The transactions module's SQL. Every query a tenant can reach filters by tenant. */
export class TransactionsStore {
  constructor(private readonly db: Kysely<TransactionsTables>) {}

  byStationTx(stationId: string, stationTxId: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('station_id', '=', stationId).where('station_tx_id', '=', stationTxId).executeTakeFirst();
  }

  byId(tenantId: string, id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Records TransactionEvents and applies each to its session, all in one atomic statement (at
   * most one event per session: the caller's group commit keys batches by session). `fresh` is
   * false for a retry. Ended is final whatever order events arrive in; otherwise only an event at
   * least as new (by seqNo) as the last one applied changes the status. Re-applying a retry
   * changes nothing the first delivery did not already set.
   */
  async applyEvents(items: readonly SessionEventWrite[]): Promise<AppliedEvent[]> {
    if (items.length === 0) return [];
    const result = await sql<SessionHead & { previous_status: string; previous_seq_no: number | null; fresh: boolean }>`
      with v as (select * from ${unnestRows(items, EVENT_WRITE_COLUMNS)}),
      ev as (
        insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
        select tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, ts, payload, received_at from v
        on conflict (station_id, station_tx_id, event_key) do nothing
        returning session_id
      ),
      ${lockedSessions(sql`select session_id from v`, sql`, status as previous_status, last_seq_no as previous_seq_no`)}
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
      from v join locked_sessions old on old.id = v.session_id left join ev on ev.session_id = v.session_id
      where s.id = v.session_id and ${ALL_LOCKED_FIRST}
      returning ${sessionHeadOf('s')}, old.previous_status, old.previous_seq_no, ev.session_id is not null as fresh`.execute(this.db);
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    return items.map(({ event }) => {
      const updated = byId.get(event.session_id);
      if (!updated) throw new Error(`session ${event.session_id} vanished`);
      const { previous_status: previousStatus, previous_seq_no: previousSeqNo, fresh, ...row } = updated;
      return { row, previousStatus, previousSeqNo, fresh };
    });
  }

  /** 1.6 connector statuses for many connectors, one statement (connector-follows.ts). */
  followConnectors(items: readonly ConnectorFollow[]): Promise<SessionHead[][]> {
    return followConnectors(this.db, items);
  }

  /**
   * CSMS-numbered (1.6) sessions on one connector whose span [started_at, stopped_at] overlaps
   * [from, to], newest first: where a MeterValues without transactionId belongs (§4.7).
   */
  sessionsOnConnector(tenantId: string, stationId: string, evseId: number, from: Date, to: Date): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .where('evse_id', '=', evseId)
      .where('ocpp16_transaction_id', 'is not', null)
      .where('started_at', '<=', to)
      .where((eb) => eb.or([eb('stopped_at', 'is', null), eb('stopped_at', '>=', from)]))
      .orderBy('started_at', 'desc')
      .limit(50)
      .execute();
  }

  byNumber(stationId: string, transactionId: number): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('station_id', '=', stationId)
      .where('ocpp16_transaction_id', '=', transactionId)
      .executeTakeFirst();
  }

  async hasActive(tenantId: string, idToken: string, exceptSessionId: string | undefined): Promise<boolean> {
    let query = this.db.selectFrom('sessions');
    if (exceptSessionId) query = query.where('id', '<>', exceptSessionId);
    const row = await query
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id_token', '=', idToken)
      .where('status', '<>', 'finished')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Writes samples (a retried reading is ignored) and the running energy of the sessions they
   * touch. Called on a store bound to a database transaction (the outbox's), so both land together.
   * `alsoLock`: the other sessions the batch updates next, locked with these in id order (ADR 027).
   */
  async insertSamples(batch: readonly NewSampleRow[], alsoLock: readonly string[] = []): Promise<void> {
    const rows = uniqueReadings(batch);
    if (rows.length > 0) {
      // A reading first seen without a transaction (MeterValues) joins the session a later message names.
      await sql`
        insert into meter_samples (tenant_id, session_id, station_id, evse_id, sampled_at, measurand, phase, location, context, value, unit,
          normalised_value, normalised_unit, signed_data)
        select * from ${unnestRows(rows, SAMPLE_COLUMNS)}
        on conflict (station_id, evse_id, sampled_at, measurand, phase, location) do update set session_id = excluded.session_id
          where meter_samples.session_id is null and excluded.session_id is not null`.execute(this.db);
    }
    await updateSessionEnergy(this.db, rows, alsoLock);
  }

  /** A batch of 1.6 starts: Started records and superseding, one statement (numbered-writes.ts). */
  writeStarts(items: readonly StartWrite[]): Promise<StartWritten[]> {
    return writeStarts(this.db, items);
  }

  /** A batch of 1.6 stops: finishes and Ended records, one statement (numbered-writes.ts). */
  writeStops(items: readonly StopWrite[]): Promise<StopWritten[]> {
    return writeStops(this.db, items);
  }

  timeline(tenantId: string, sessionId: string) {
    return this.db
      .selectFrom('meter_samples')
      .select(['sampled_at', 'measurand', 'normalised_value'])
      .where('tenant_id', '=', tenantId)
      .where('session_id', '=', sessionId)
      .where('measurand', 'in', [ENERGY_REGISTER, POWER_IMPORT])
      .where('phase', '=', '')
      .where('normalised_value', 'is not', null)
      .orderBy('sampled_at')
      .execute();
  }

  list(
    tenantId: string,
    q: {
      stationId?: string | undefined;
      idToken?: string | undefined;
      status?: string | undefined;
      from?: Date | undefined;
      to?: Date | undefined;
      stationIds?: readonly string[] | undefined;
      idTokens?: readonly string[] | undefined;
    },
    window: SortedWindow<SessionRow>,
  ): Promise<SessionRow[]> {
    if (q.stationIds?.length === 0 || q.idTokens?.length === 0) return Promise.resolve([]);
    let query = this.db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId);
    if (q.stationIds) query = query.where('station_id', 'in', q.stationIds);
    if (q.idTokens) query = query.where(sql<string>`upper(id_token)`, 'in', q.idTokens.map((t) => t.toUpperCase()));
    if (q.stationId) query = query.where('station_id', '=', q.stationId);
    if (q.idToken) query = query.where('id_token', '=', q.idToken);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.from) query = query.where('started_at', '>=', q.from);
    if (q.to) query = query.where('started_at', '<', q.to);
    // One row more than the page tells whether another page exists (no empty last page).
    return window.apply(query).limit(window.limit + 1).execute();
  }

  /** Open sessions whose transaction id the station assigned (2.x), of many stations at once, newest first. */
  openStationSessions(tenantId: string, stationIds: readonly string[]): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('station_id', 'in', stationIds)
      .where('ocpp16_transaction_id', 'is', null)
      // Ended but awaiting skipped seqNos (E14) is asked about too.
      .where((eb) => eb.or([eb('status', '<>', 'finished'), eb('awaiting_messages', '=', true)]))
      .orderBy('started_at', 'desc')
      .execute();
  }

  /**
   * The seqNos missing below the highest one recorded (seqNo starts at 0 per transaction,
   * TC_E_53), per session; sessions with none missing are left out. At most 100 listed each.
   */
  async missingSeqNos(sessionIds: readonly string[]): Promise<Map<string, number[]>> {
    const missing = new Map<string, number[]>();
    if (sessionIds.length === 0) return missing;
    const rows = await this.db
      .selectFrom('session_events')
      .select((eb) => ['session_id', eb.fn.max<number>('seq_no').as('highest'), sql<number>`count(distinct seq_no)::integer`.as('distinct_seq_nos')])
      .where('session_id', 'in', sessionIds)
      .where('seq_no', 'is not', null)
      .groupBy('session_id')
      .execute();
    const gapped = rows.filter((r) => r.distinct_seq_nos < Number(r.highest) + 1).map((r) => r.session_id);
    if (gapped.length === 0) return missing;
    const present = await this.db.selectFrom('session_events').select(['session_id', 'seq_no']).where('session_id', 'in', gapped).execute();
    for (const id of gapped) {
      const seen = new Set(present.filter((p) => p.session_id === id).map((p) => p.seq_no));
      const highest = Number(rows.find((r) => r.session_id === id)?.highest ?? 0);
      const list: number[] = [];
      for (let n = 0; n < highest && list.length < 100; n++) if (!seen.has(n)) list.push(n);
      missing.set(id, list);
    }
    return missing;
  }

  /** Sets or clears "awaiting missing messages" (E14); returns the sessions it changed. */
  setAwaitingMessages(sessionIds: readonly string[], awaiting: boolean, now: Date): Promise<SessionRow[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.db
      .updateTable('sessions')
      .set({ awaiting_messages: awaiting, updated_at: now })
      .where('id', 'in', sessionIds)
      .where('awaiting_messages', '=', !awaiting)
      .returningAll()
      .execute();
  }

  /** Records a GetTransactionStatus answer (E14) on the session. */
  recordTransactionStatus(
    tenantId: string,
    id: string,
    answer: { ongoingIndicator: boolean | undefined; messagesInQueue: boolean },
    at: Date,
  ): Promise<SessionRow | undefined> {
    return this.db
      .updateTable('sessions')
      .set({ tx_status_checked_at: at, tx_status_ongoing: answer.ongoingIndicator ?? null, tx_status_messages_in_queue: answer.messagesInQueue })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Closes an open session the station says is over with nothing queued (ENDED_UNREPORTED). The
   * real end is unknown: stopped_at is the last moment we know it was alive (its latest event or
   * meter sample), not the time we asked. undefined when it is already finished.
   */
  async closeUnreported(tenantId: string, id: string, now: Date): Promise<SessionRow | undefined> {
    const result = await sql<SessionRow>`
      update sessions s set
        status = 'finished',
        stop_reason = ${ENDED_UNREPORTED},
        stopped_at = greatest(
          s.started_at,
          (select max(occurred_at) from session_events e where e.session_id = s.id),
          (select max(sampled_at) from meter_samples m where m.session_id = s.id)),
        updated_at = ${now}
      where s.tenant_id = ${tenantId} and s.id = ${id} and s.status <> 'finished'
      returning s.*`.execute(this.db);
    return result.rows[0];
  }

  countSamples(tenantId: string, sessionId: string): Promise<{ n: number } | undefined> {
    return this.db
      .selectFrom('meter_samples')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
  }
}
