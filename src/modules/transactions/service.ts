import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { Batcher } from '../../platform/batcher.js';
import { DomainError } from '../../platform/errors.js';
import type { TransactionsStore } from './store.js';
import type { SessionRow, SessionHead, NewSessionRow } from './session-rows.js';
import type { SessionEventWrite, AppliedEvent } from './event-writes.js';
import type { GroupCommit } from './group-commit.js';
import type { MeterSampleWriter } from './sample-writer.js';
import type { TransactionOutbox } from './outbox.js';
import { endedEvent, meterSampledEvent, statusCheckedEvent, updatedEvent } from './session-events.js';
import { ENERGY_REGISTER, POWER_IMPORT, energyFromRegister } from './meter.js';
import { sampleRows } from './sample-rows.js';
import { accepted, replayedVerdict } from './verdicts.js';
import { toView, transactionStatusOf } from './session-view.js';
import { SESSION_SORT } from './session-sort.js';
import { mapPage } from '../../platform/list-sort.js';
import { attachToConnectorSessions, readingSpan } from './connector-session.js';
import { OpenConnectorSessions } from './open-connectors.js';
import { connectorKey, type ConnectorFollow } from './connector-follows.js';
import type { InsertedSession, NumberedSessionInsert } from './session-inserts.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import {
  type AuthorizeContext,
  type ChargingState,
  type IdToken,
  type MeterReading,
  type MeterValuesInput,
  type SessionDetail,
  type SessionQuery,
  type SessionStatus,
  type SessionView,
  type StartOutcome,
  type StartRequest,
  type StopRequest,
  type TokenAuthorizer,
  type TokenVerdict,
  type TransactionEventInput,
  type TransactionRef,
  type TransactionStatusAnswer,
} from './types.js';

export interface TransactionsServiceDeps {
  store: TransactionsStore;
  samples: MeterSampleWriter;
  /** TransactionEvents, recorded and applied by group commit (one statement per batch). */
  events: GroupCommit<SessionEventWrite, AppliedEvent>;
  /** Records and the events they cause go into one database transaction (ADR 008). */
  outbox: TransactionOutbox;
  /** 1.6 StartTransaction's Started record and superseding (numbered-writes.ts), group-committed with their events. */
  starts: GroupCommit<StartWrite, StartWritten>;
  /** 1.6 StopTransaction's finish and Ended record, group-committed with their events. */
  stops: GroupCommit<StopWrite, StopWritten>;
  /** Sessions of 1.6 starts (numbered) and of 2.x transactions first seen (session-inserts.ts), group-committed. */
  numbered: GroupCommit<NumberedSessionInsert, InsertedSession>;
  ensured: GroupCommit<NewSessionRow, InsertedSession>;
  /** 1.6 connector statuses moving their open session, group-committed with their TransactionUpdated events. */
  follows: GroupCommit<ConnectorFollow, SessionHead[]>;
  clock: Clock;
  ids: IdSource;
  authorizer: TokenAuthorizer;
}

const CHARGING_STATE_STATUS: Record<ChargingState, SessionStatus> = {
  Charging: 'charging',
  SuspendedEV: 'suspended_ev',
  SuspendedEVSE: 'suspended_evse',
  EVConnected: 'idle',
  Idle: 'pending',
};

const CONNECTOR_STATUS_16: Record<string, SessionStatus> = {
  Charging: 'charging',
  SuspendedEV: 'suspended_ev',
  SuspendedEVSE: 'suspended_evse',
  // Stopped at the connector, cable or vehicle still there (§4.9 Finishing), its StopTransaction
  // not here yet (in flight, or queued offline): plugged, not charging.
  Finishing: 'idle',
};

const SESSION_CACHE_MAX = 50_000;

interface KnownTransaction {
  sessionId: string;
  evseId: number | null;
}

function txKey(stationId: string, stationTxId: string): string {
  return `${stationId}\u0000${stationTxId}`;
}

/**
 * The session state machine and meter-value intake, version-free. Every inbound transaction
 * message is idempotent and is applied in full on every delivery (a retry after a crash redoes
 * what the first attempt may not have finished); only the first delivery publishes events.
 * Nothing here refuses a message for business reasons: the station's queue must drain.
 */
export class TransactionsService {
  /** Recently seen transactions: a MeterValues or the next TransactionEvent costs no lookup. */
  private readonly known = new Map<string, KnownTransaction>();

  /** Status of the 1.6 session open on each connector, as this process wrote it. */
  private readonly connectors = new OpenConnectorSessions();
  private readonly connectorChains = new Map<string, Promise<void>>();

  /** Open 2.x sessions per (tenant, station), looked up for many stations in one query. */
  private readonly openLoader: Batcher<string, SessionRow[]>;

  constructor(private readonly deps: TransactionsServiceDeps) {
    this.openLoader = new Batcher(async (keys) => {
      const byTenant = new Map<string, string[]>();
      for (const key of keys) {
        const [tenantId = '', stationId = ''] = key.split('\u0000');
        byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), stationId]);
      }
      const found = new Map<string, SessionRow[]>();
      for (const [tenantId, stationIds] of byTenant) {
        for (const row of await deps.store.openStationSessions(tenantId, stationIds)) {
          const key = txKey(tenantId, row.station_id);
          found.set(key, [...(found.get(key) ?? []), row]);
        }
      }
      return found;
    });
  }

  /** A start whose integer transaction id the CSMS assigns (1.6). A retry gets the same id. */
  async startTransaction(tenantId: string, stationId: string, req: StartRequest): Promise<StartOutcome> {
    const { store } = this.deps;
    const startKey = `${req.connectorId}|${req.idToken.idToken}|${req.timestamp.toISOString()}|${req.meterStartWh}`;
    const verdict = await this.verdict(tenantId, req.idToken, { stationId, evseId: req.evseId, purpose: 'start' }, undefined);
    const now = this.deps.clock.now();
    // Group-committed (session-inserts.ts): a burst of starts numbers its sessions in one statement.
    const { row, created } = await this.deps.numbered.submit({
      id: this.deps.ids.uuid(),
      tenant_id: tenantId,
      station_id: stationId,
      evse_id: req.evseId,
      connector_id: req.connectorId,
      start_key: startKey,
      id_token: req.idToken.idToken,
      id_token_type: req.idToken.type,
      auth_status: verdict.status,
      status: verdict.status === 'Accepted' ? 'charging' : 'pending',
      started_at: req.timestamp,
      meter_start_wh: req.meterStartWh,
      reservation_id: req.reservationId ?? null,
      offline: req.timestamp.getTime() < now.getTime() - 5 * 60_000,
      updated_at: now,
    }, `${stationId}\u0000${startKey}`);
    const transactionId = row.ocpp16_transaction_id as number;
    this.remember(stationId, row.station_tx_id, row.id, row.evse_id);
    // The Started record and the superseding of older open sessions on the connector, group-committed;
    // the batch's transaction stages TransactionStarted/Ended too, published once it commits (ADR 008).
    await this.deps.starts.submit(
      {
        session: row,
        event: {
          tenant_id: tenantId,
          station_id: stationId,
          station_tx_id: row.station_tx_id,
          event_key: 'start',
          seq_no: null,
          session_id: row.id,
          event_type: 'Started',
          trigger_reason: null,
          offline: row.offline,
          occurred_at: req.timestamp,
          payload: { ...req, timestamp: req.timestamp.toISOString() },
          received_at: now,
        },
        evseId: req.evseId,
        now,
        samples: sampleRows(tenantId, stationId, req.evseId, row.id, [
          { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.Begin', value: req.meterStartWh, unit: 'Wh' },
        ]),
      },
      // Two starts on one connector never share a statement: the later one supersedes the earlier.
      `${stationId}\u0000${req.evseId}`,
    );
    // A live first start is the newest session on its connector (older ones were just superseded).
    if (created && !row.offline && row.status !== 'finished') this.connectors.opened(tenantId, stationId, req.evseId, row.id, row.status);
    // A retry answers what the first delivery answered (a fresh check would now see the token busy).
    const answered = created ? verdict : replayedVerdict(row.auth_status, verdict);
    return { sessionId: row.id, transactionId, verdict: answered, created };
  }

  /** A stop of a CSMS-numbered transaction (1.6); unknown or already stopped is answered all the same. */
  async stopTransaction(tenantId: string, stationId: string, req: StopRequest): Promise<{ verdict: TokenVerdict | undefined }> {
    const { store } = this.deps;
    // The session its start remembered costs no look-up; otherwise (a restart since) it is read.
    const stationTxId = String(req.transactionId);
    const known = this.known.get(txKey(stationId, stationTxId));
    const session = known ? undefined : await store.byNumber(stationId, req.transactionId);
    const sessionId = known?.sessionId ?? session?.id;
    const sessionEvse = known ? known.evseId : session?.evse_id;
    const verdictPromise = req.idToken
      ? this.verdict(tenantId, req.idToken, { stationId, evseId: sessionEvse ?? undefined, purpose: 'stop', transactionId: sessionId }, session)
      : undefined;
    verdictPromise?.catch(() => undefined);
    const evseId = sessionEvse ?? 0;
    const readings: MeterReading[] = [
      ...req.readings,
      { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.End', value: req.meterStopWh, unit: 'Wh' },
    ];
    const samples = sampleRows(tenantId, stationId, evseId, sessionId ?? null, readings);
    if (!sessionId) {
      await this.deps.samples.write(samples);
      return { verdict: await verdictPromise };
    }
    const verdict = await verdictPromise;
    const now = this.deps.clock.now();
    // Finished and the Ended record, group-committed with TransactionEnded (or Updated) in the batch's transaction.
    await this.deps.stops.submit(
      {
        event: {
          tenant_id: tenantId,
          station_id: stationId,
          station_tx_id: stationTxId,
          event_key: 'stop',
          seq_no: null,
          session_id: sessionId,
          event_type: 'Ended',
          trigger_reason: null,
          offline: false,
          occurred_at: req.timestamp,
          payload: { ...req, timestamp: req.timestamp.toISOString() },
          received_at: now,
        },
        stop: { stoppedAt: req.timestamp, meterStopWh: req.meterStopWh, reason: req.reason ?? 'Local', stopIdToken: req.idToken?.idToken ?? null, now },
        // Written first in the batch's transaction, so the energy the stop reports includes them.
        samples,
      },
      sessionId,
    );
    this.connectors.closed(tenantId, stationId, evseId, sessionId);
    return { verdict };
  }

  /**
   * A station-numbered transaction's event (2.0.1), keyed by (station, transactionId, seqNo).
   * Any event may be the first one seen (gaps, out of order); Ended is final whenever it arrives.
   */
  async recordTransactionEvent(tenantId: string, stationId: string, ev: TransactionEventInput): Promise<{ verdict: TokenVerdict | undefined }> {
    const { store } = this.deps;
    const now = this.deps.clock.now();
    let known = this.known.get(txKey(stationId, ev.stationTxId));
    if (!known) {
      const ensured = await this.deps.ensured.submit({
        id: this.deps.ids.uuid(),
        tenant_id: tenantId,
        station_id: stationId,
        evse_id: ev.evseId ?? null,
        connector_id: ev.connectorId ?? null,
        station_tx_id: ev.stationTxId,
        status: (ev.chargingState && CHARGING_STATE_STATUS[ev.chargingState]) ?? 'pending',
        started_at: ev.timestamp,
        remote_start_id: ev.remoteStartId ?? null,
        reservation_id: ev.reservationId ?? null,
        offline: ev.offline,
        updated_at: now,
      }, txKey(stationId, ev.stationTxId));
      known = this.remember(stationId, ev.stationTxId, ensured.row.id, ensured.row.evse_id);
    }
    const sessionId = known.sessionId;
    const evseId = ev.evseId ?? known.evseId ?? 0;
    // Asked while the event is written; the authorization module leaves this transaction out of its concurrent-transaction rule.
    const stopping = ev.eventType === 'Ended' || ev.triggerReason === 'StopAuthorized';
    const verdictPromise = ev.idToken
      ? this.verdict(tenantId, ev.idToken, { stationId, evseId, purpose: stopping ? 'stop' : 'start', transactionId: sessionId }, undefined)
      : undefined;
    verdictPromise?.catch(() => undefined);
    // Its events (Started, Updated, Ended) are staged in the batch's transaction (create.ts, ADR 008).
    const { row } = await this.deps.events.submit(
      {
        patch: {
          seqNo: ev.seqNo,
          timestamp: ev.timestamp,
          ended: ev.eventType === 'Ended',
          status: ev.chargingState ? CHARGING_STATE_STATUS[ev.chargingState] : undefined,
          stopReason: ev.stoppedReason,
          evseId: ev.evseId,
          connectorId: ev.connectorId,
          idToken: ev.idToken,
          remoteStartId: ev.remoteStartId,
          reservationId: ev.reservationId,
          offline: ev.offline,
          now,
        },
        event: {
          tenant_id: tenantId,
          station_id: stationId,
          station_tx_id: ev.stationTxId,
          event_key: String(ev.seqNo),
          seq_no: ev.seqNo,
          session_id: sessionId,
          event_type: ev.eventType,
          trigger_reason: ev.triggerReason,
          offline: ev.offline,
          occurred_at: ev.timestamp,
          payload: ev.raw,
          received_at: now,
        },
        // Written first in the batch's transaction, so the energy an Ended reports includes its own readings.
        samples: sampleRows(tenantId, stationId, evseId, sessionId, ev.readings),
      },
      sessionId,
    );
    if (row.evse_id !== known.evseId) this.remember(stationId, ev.stationTxId, row.id, row.evse_id);
    return { verdict: await verdictPromise };
  }

  /** Meter values outside transaction messages; attributed to the session they name, if known. */
  async recordMeterValues(tenantId: string, stationId: string, input: MeterValuesInput): Promise<void> {
    const sessionId = input.transaction ? await this.sessionIdFor(stationId, input.transaction) : null;
    let rows = sampleRows(tenantId, stationId, input.evseId, sessionId, input.readings);
    const span = !input.transaction && input.connectorSession && input.evseId > 0 ? readingSpan(rows) : undefined;
    if (span) rows = attachToConnectorSessions(rows, await this.deps.store.sessionsOnConnector(tenantId, stationId, input.evseId, span.from, span.to));
    // MeterSampled is staged with the rows; a retried MeterValues is the same event (same id) and is not published again.
    const sampled = meterSampledEvent(tenantId, stationId, input.evseId, rows, this.deps.clock.now());
    await this.deps.samples.write(rows, sampled ? [sampled] : []);
  }

  /**
   * 1.6 tells charging states by StatusNotification (§4.9): Charging, SuspendedEV, SuspendedEVSE
   * move the open session on that connector. 2.0.1 says it in TransactionEvent instead.
   */
  connectorStatusChanged(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    // One connector's statuses apply in the order they came: SuspendedEV then Charging must end Charging,
    // and the "already in that status" shortcut must see the previous one applied.
    const k = `${tenantId}\u0000${stationId}\u0000${evseId}`;
    const next = (this.connectorChains.get(k) ?? Promise.resolve()).then(() => this.followConnectorStatus(tenantId, stationId, evseId, connectorStatus));
    const tail = next.catch(() => undefined);
    this.connectorChains.set(k, tail);
    void tail.then(() => {
      if (this.connectorChains.get(k) === tail) this.connectorChains.delete(k);
    });
    return next;
  }

  /** Resolves when every connector status received so far has moved its session (read-your-writes for the API). */
  async connectorStatusSettled(): Promise<void> {
    await Promise.all([...this.connectorChains.values()]);
  }

  private async followConnectorStatus(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    const status = CONNECTOR_STATUS_16[connectorStatus];
    if (!status) return;
    // Nothing to write when the session open on the connector is known to be in that status already.
    if (this.connectors.hasStatus(tenantId, stationId, evseId, status)) return;
    const now = this.deps.clock.now();
    // Group-committed with the TransactionUpdated events it causes (create.ts); keyed by connector, so in order.
    const moved = await this.deps.follows.submit({ tenantId, stationId, evseId, status, now }, connectorKey(tenantId, stationId, evseId));
    const row = moved.reduce<SessionHead | undefined>((newest, r) => (!newest || r.started_at > newest.started_at ? r : newest), undefined);
    if (row) this.connectors.opened(tenantId, stationId, evseId, row.id, row.status);
  }

  /**
   * Open sessions of a 2.x station (station-assigned transaction ids), newest first: what to ask
   * GetTransactionStatus about (E14). Asked on every reconnect, so a storm's lookups share queries.
   */
  async openStationTransactions(tenantId: string, stationId: string, limit = 50): Promise<{ sessionId: string; transactionId: string }[]> {
    const rows = (await this.openLoader.load(txKey(tenantId, stationId))) ?? [];
    return rows.slice(0, limit).map((r) => ({ sessionId: r.id, transactionId: r.station_tx_id }));
  }

  /**
   * Records a station's GetTransactionStatus answer (E14) on the session. Not ongoing with nothing
   * queued closes a session still open here as ENDED_UNREPORTED; messages still queued keep it open
   * for the events the station will deliver. A session ended while awaiting skipped seqNos closes
   * (TransactionEnded) once nothing is queued (TC_E_31). Returns undefined for an unknown session.
   */
  async recordTransactionStatus(tenantId: string, sessionId: string, answer: TransactionStatusAnswer): Promise<SessionView | undefined> {
    const now = this.deps.clock.now();
    const done = answer.ongoingIndicator === false && !answer.messagesInQueue;
    // What the station sent before it answered is written first, so its own Ended is not overtaken.
    if (!answer.messagesInQueue) await this.flush();
    const row = await this.deps.outbox.record(async (tx) => {
      const checked = await tx.recordTransactionStatus(tenantId, sessionId, answer, now);
      if (!checked) return { value: undefined, events: [] };
      // Ended with seqNos missing (E14, TC_E_31): nothing queued means they will never come; the session closes as it is.
      const released = !answer.messagesInQueue && checked.awaiting_messages ? (await tx.setAwaitingMessages([sessionId], false, now))[0] : undefined;
      const finished = released ?? (done && checked.status !== 'finished' ? await tx.closeUnreported(tenantId, sessionId, now) : undefined);
      const current = finished ?? checked;
      const checkedEvent = statusCheckedEvent(tenantId, current, answer, finished !== undefined, this.deps.ids.uuid(), now);
      return { value: current, events: finished ? [endedEvent(tenantId, finished, now), checkedEvent] : [checkedEvent] };
    });
    return row ? toView(row) : undefined;
  }

  /** For the authorization module's concurrent-transaction rule; `exceptSessionId` is the transaction asked about. */
  hasActiveTransaction(tenantId: string, idToken: string, exceptSessionId?: string): Promise<boolean> {
    return this.deps.store.hasActive(tenantId, idToken, exceptSessionId);
  }

  async list(tenantId: string, q: SessionQuery): Promise<{ items: SessionView[]; nextCursor: string | null }> {
    await Promise.all([this.deps.samples.flush(), this.connectorStatusSettled()]);
    const window = SESSION_SORT.window(q);
    return mapPage(window.page(await this.deps.store.list(tenantId, q, window)), toView);
  }

  async get(tenantId: string, id: string): Promise<SessionDetail> {
    await Promise.all([this.deps.samples.flush(), this.connectorStatusSettled()]);
    const row = await this.deps.store.byId(tenantId, id);
    if (!row) throw new DomainError('NotFound', `session ${id} not found`);
    const [samples, count] = await Promise.all([this.deps.store.timeline(tenantId, id), this.deps.store.countSamples(tenantId, id)]);
    const energy = energyFromRegister(
      samples.filter((s) => s.measurand === ENERGY_REGISTER).map((s) => ({ atMs: s.sampled_at.getTime(), wh: s.normalised_value as number })),
    );
    return {
      ...toView(row),
      sampleCount: Number(count?.n ?? 0),
      transactionStatus: transactionStatusOf(row),
      timeline: {
        energy: energy.points.map((p) => ({ at: new Date(p.atMs).toISOString(), energyWh: p.energyWh })),
        power: samples.filter((s) => s.measurand === POWER_IMPORT).map((s) => ({ at: s.sampled_at.toISOString(), powerW: s.normalised_value as number })),
      },
    };
  }

  /** Writes what is pending (readers, shutdown, tests). */
  async flush(): Promise<void> {
    await this.deps.samples.flush();
    await this.deps.events.flush();
    await this.deps.starts.flush();
    await this.deps.stops.flush();
    await this.deps.outbox.flush();
  }

  /** Start-up: publishes the events a previous process committed but never published (ADR 008). */
  relayUnpublishedEvents(): Promise<number> {
    return this.deps.outbox.relay();
  }

  private async verdict(tenantId: string, token: IdToken, context: AuthorizeContext, session: SessionRow | undefined): Promise<TokenVerdict> {
    const verdict = await this.deps.authorizer.authorize(tenantId, token, context);
    // The token's "other" transaction is this one (a stop, a retry, a later event): not concurrent.
    if (verdict.status === 'ConcurrentTx' && session?.id_token === token.idToken) return accepted(verdict);
    return verdict;
  }

  private async sessionIdFor(stationId: string, ref: TransactionRef): Promise<string | null> {
    const stationTxId = 'csmsTransactionId' in ref ? String(ref.csmsTransactionId) : ref.stationTxId;
    const cached = this.known.get(txKey(stationId, stationTxId));
    if (cached) return cached.sessionId;
    const row =
      'csmsTransactionId' in ref ? await this.deps.store.byNumber(stationId, ref.csmsTransactionId) : await this.deps.store.byStationTx(stationId, stationTxId);
    if (!row) return null;
    return this.remember(stationId, row.station_tx_id, row.id, row.evse_id).sessionId;
  }

  private remember(stationId: string, stationTxId: string, sessionId: string, evseId: number | null): KnownTransaction {
    if (this.known.size >= SESSION_CACHE_MAX) this.known.clear();
    const entry = { sessionId, evseId };
    this.known.set(txKey(stationId, stationTxId), entry);
    return entry;
  }
}
