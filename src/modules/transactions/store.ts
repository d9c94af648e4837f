import { sql, type Kysely } from 'kysely';
import type { TransactionsTables } from './tables.js';
import { ENERGY_REGISTER, POWER_IMPORT } from './meter.js';
import { writeStarts, writeStops, type StartWrite, type StartWritten, type StopWrite, type StopWritten } from './numbered-writes.js';
import { followConnectors, type ConnectorFollow } from './connector-follows.js';
import { applyEvents, type AppliedEvent, type SessionEventWrite } from './event-writes.js';
import { insertSamples } from './sample-inserts.js';
import type { RowLocks } from './session-locks.js';
import { ENDED_UNREPORTED, type NewSampleRow, type SessionHead, type SessionRow } from './session-rows.js';
import type { SortedWindow } from '../../platform/list-sort.js';

/** The transactions module's SQL. Every query a tenant can reach filters by tenant. */
export class TransactionsStore {
  constructor(
    private readonly db: Kysely<TransactionsTables>,
    /** How its session writes lock rows (session-locks.ts): in id order, unless the database has one connection. */
    private readonly locks: RowLocks = 'ordered',
  ) {}

  byStationTx(stationId: string, stationTxId: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('station_id', '=', stationId).where('station_tx_id', '=', stationTxId).executeTakeFirst();
  }

  byId(tenantId: string, id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Records TransactionEvents and applies each to its session, one statement (event-writes.ts);
   * `fresh` is false for a retry. The caller's group commit keys batches by session.
   */
  applyEvents(items: readonly SessionEventWrite[]): Promise<AppliedEvent[]> {
    return applyEvents(this.db, items, this.locks);
  }

  /** 1.6 connector statuses for many connectors, one statement (connector-follows.ts). */
  followConnectors(items: readonly ConnectorFollow[]): Promise<SessionHead[][]> {
    return followConnectors(this.db, items, this.locks);
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
   * Writes samples and the running energy of the sessions they touch (sample-inserts.ts), on a
   * store bound to a database transaction (the outbox's), so both land together. `alsoLock`: the
   * other sessions the batch updates next, locked with these in id order (ADR 027).
   */
  insertSamples(batch: readonly NewSampleRow[], alsoLock: readonly string[] = []): Promise<void> {
    return insertSamples(this.db, batch, alsoLock, this.locks);
  }

  /** A batch of 1.6 starts: Started records and superseding, one statement (numbered-writes.ts). */
  writeStarts(items: readonly StartWrite[]): Promise<StartWritten[]> {
    return writeStarts(this.db, items, this.locks);
  }

  /** A batch of 1.6 stops: finishes and Ended records, one statement (numbered-writes.ts). */
  writeStops(items: readonly StopWrite[]): Promise<StopWritten[]> {
    return writeStops(this.db, items, this.locks);
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
