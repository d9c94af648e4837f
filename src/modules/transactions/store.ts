import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { MeterSamplesTable, SessionEventsTable, SessionsTable, TransactionsTables } from './tables.js';
import { ENERGY_REGISTER, POWER_IMPORT } from './meter.js';
import { updateSessionEnergy } from './session-energy.js';
import { writeStarts, writeStops, type StartWrite, type StartWritten, type StopWrite, type StopWritten } from './numbered-writes.js';
import type { SessionStatus } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

export type SessionRow = Selectable<SessionsTable>;
export type NewSessionRow = Insertable<SessionsTable>;
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

/** Columns in one INSERT: 15 parameters a row stays well under PostgreSQL's 65,535. */
const SAMPLES_PER_STATEMENT = 2000;

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
  return [...byKey.values()];
}

/** One TransactionEvent to record and apply. */
export interface SessionEventWrite {
  patch: SessionEventPatch;
  event: NewEventRow;
}

export interface AppliedEvent {
  row: SessionRow;
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

  /** Inserts a CSMS-numbered session unless its natural key exists; returns the row either way. */
  async insertNumbered(row: Omit<NewSessionRow, 'ocpp16_transaction_id' | 'station_tx_id'>): Promise<{ row: SessionRow; created: boolean }> {
    const inserted = await sql<SessionRow>`
      with n as (select nextval('ocpp16_transaction_id')::integer as tx)
      insert into sessions (id, tenant_id, station_id, evse_id, connector_id, ocpp16_transaction_id, station_tx_id, start_key,
        id_token, id_token_type, auth_status, status, started_at, meter_start_wh, reservation_id, offline, updated_at)
      select ${row.id}, ${row.tenant_id}, ${row.station_id}, ${row.evse_id ?? null}, ${row.connector_id ?? null}, n.tx, n.tx::text, ${row.start_key ?? null},
        ${row.id_token ?? null}, ${row.id_token_type ?? null}, ${row.auth_status ?? null}, ${row.status}, ${row.started_at}, ${row.meter_start_wh ?? null},
        ${row.reservation_id ?? null}, ${row.offline ?? false}, ${row.updated_at}
      from n
      on conflict (station_id, start_key) do nothing
      returning *`.execute(this.db);
    const created = inserted.rows[0];
    if (created) return { row: created, created: true };
    const existing = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('station_id', '=', row.station_id)
      .where('start_key', '=', row.start_key ?? '')
      .executeTakeFirstOrThrow();
    return { row: existing, created: false };
  }

  /** The session of a station-assigned transaction id, created on first sight (any event type). */
  async ensureStationSession(row: NewSessionRow): Promise<{ row: SessionRow; created: boolean }> {
    const inserted = await this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.columns(['station_id', 'station_tx_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { row: inserted, created: true };
    const existing = await this.byStationTx(row.station_id, row.station_tx_id);
    if (!existing) throw new Error(`session ${row.station_id}/${row.station_tx_id} vanished`);
    return { row: existing, created: false };
  }

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
    const rows = items.map(({ patch: p, event: e }) => {
      const values = [
        sql`${e.session_id}::text`,
        sql`${p.seqNo}::integer`,
        sql`${p.timestamp}::timestamptz`,
        sql`${p.ended}::boolean`,
        sql`${p.status ?? null}::text`,
        sql`${p.stopReason ?? null}::text`,
        sql`${p.evseId ?? null}::integer`,
        sql`${p.connectorId ?? null}::integer`,
        sql`${p.idToken?.idToken ?? null}::text`,
        sql`${p.idToken?.type ?? null}::text`,
        sql`${p.remoteStartId ?? null}::integer`,
        sql`${p.reservationId ?? null}::integer`,
        sql`${p.offline}::boolean`,
        sql`${p.now}::timestamptz`,
        sql`${e.tenant_id}::text`,
        sql`${e.station_id}::text`,
        sql`${e.station_tx_id}::text`,
        sql`${e.event_key}::text`,
        sql`${e.event_type}::text`,
        sql`${e.trigger_reason ?? null}::text`,
        sql`${JSON.stringify(e.payload)}::jsonb`,
        sql`${e.received_at}::timestamptz`,
      ];
      return sql`(${sql.join(values)})`;
    });
    const result = await sql<SessionRow & { previous_status: string; previous_seq_no: number | null; fresh: boolean }>`
      with v (session_id, seq_no, ts, ended, status, stop_reason, evse_id, connector_id, id_token, id_token_type, remote_start_id,
              reservation_id, offline, now, tenant_id, station_id, station_tx_id, event_key, event_type, trigger_reason, payload, received_at)
        as (values ${sql.join(rows)}),
      ev as (
        insert into session_events (tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, occurred_at, payload, received_at)
        select tenant_id, station_id, station_tx_id, event_key, seq_no, session_id, event_type, trigger_reason, offline, ts, payload, received_at from v
        on conflict (station_id, station_tx_id, event_key) do nothing
        returning session_id
      ),
      old as (select id, status as previous_status, last_seq_no as previous_seq_no from sessions where id in (select session_id from v) for update)
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
      from v join old on old.id = v.session_id
      where s.id = v.session_id
      returning s.*, old.previous_status, old.previous_seq_no, exists (select 1 from ev where ev.session_id = s.id) as fresh`.execute(this.db);
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    return items.map(({ event }) => {
      const updated = byId.get(event.session_id);
      if (!updated) throw new Error(`session ${event.session_id} vanished`);
      const { previous_status: previousStatus, previous_seq_no: previousSeqNo, fresh, ...row } = updated;
      return { row, previousStatus, previousSeqNo, fresh };
    });
  }

  /** 1.6 reports charging states only as connector status: the open CSMS-numbered session on that connector follows. */
  async followConnector(tenantId: string, stationId: string, evseId: number, status: SessionStatus, now: Date): Promise<SessionRow | undefined> {
    return this.db
      .updateTable('sessions')
      .set({ status, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('station_id', '=', stationId)
      .where('evse_id', '=', evseId)
      .where('ocpp16_transaction_id', 'is not', null)
      .where('status', 'not in', ['finished', status])
      .returningAll()
      .executeTakeFirst();
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
   */
  async insertSamples(batch: NewSampleRow[]): Promise<void> {
    const rows = uniqueReadings(batch);
    for (let i = 0; i < rows.length; i += SAMPLES_PER_STATEMENT) {
      await this.db
        .insertInto('meter_samples')
        .values(rows.slice(i, i + SAMPLES_PER_STATEMENT))
        .onConflict((oc) =>
          oc
            .columns(['station_id', 'evse_id', 'sampled_at', 'measurand', 'phase', 'location'])
            // A reading first seen without a transaction (MeterValues) joins the session a later message names.
            .doUpdateSet((eb) => ({ session_id: eb.ref('excluded.session_id') }))
            .where('meter_samples.session_id', 'is', null)
            .where('excluded.session_id', 'is not', null),
        )
        .execute();
    }
    await updateSessionEnergy(this.db, rows);
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
