import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { Batcher } from '../../platform/batcher.js';
import { DomainError } from '../../platform/errors.js';
import { SUPERSEDED, type TransactionsStore, type SessionRow, type NewSampleRow, type SessionEventWrite, type AppliedEvent } from './store.js';
import type { GroupCommit } from './group-commit.js';
import type { MeterSampleWriter } from './sample-writer.js';
import type { TransactionsEvent } from './events.js';
import { ENERGY_REGISTER, POWER_IMPORT, energyFromRegister, normalise } from './meter.js';
import {
  SESSION_STATUSES,
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
  type IdTagInfo,
  type TokenAuthorizer,
  type TokenStatus,
  type TokenVerdict,
  type TransactionEventInput,
  type TransactionRef,
  type TransactionStatusAnswer,
  type TransactionStatusView,
} from './types.js';

export interface TransactionsServiceDeps {
  store: TransactionsStore;
  samples: MeterSampleWriter;
  /** TransactionEvents, recorded and applied by group commit (one statement per batch). */
  events: GroupCommit<SessionEventWrite, AppliedEvent>;
  bus: EventBus;
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
    const { row, created } = await store.insertNumbered({
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
    });
    const transactionId = row.ocpp16_transaction_id as number;
    this.remember(stationId, row.station_tx_id, row.id, row.evse_id);
    await this.deps.samples.write(
      this.sampleRows(tenantId, stationId, req.evseId, row.id, [
        { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.Begin', value: req.meterStartWh, unit: 'Wh' },
      ]),
    );
    const fresh = await store.insertEvent({
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
    });
    // A retry answers what the first delivery answered (a fresh check would now see the token busy).
    const answered = created ? verdict : replayedVerdict(row.auth_status, verdict);
    // Published once, by the delivery that completed the record (a retry after a crash included).
    if (fresh) this.publishStarted(tenantId, row);
    for (const stale of await store.supersedeOpen(tenantId, stationId, req.evseId, { id: row.id, startedAt: req.timestamp }, now)) {
      this.publishEnded(tenantId, stale);
    }
    return { sessionId: row.id, transactionId, verdict: answered, created };
  }

  /** A stop of a CSMS-numbered transaction (1.6); unknown or already stopped is answered all the same. */
  async stopTransaction(tenantId: string, stationId: string, req: StopRequest): Promise<{ verdict: TokenVerdict | undefined }> {
    const { store } = this.deps;
    const session = await store.byNumber(stationId, req.transactionId);
    const verdict = req.idToken
      ? await this.verdict(tenantId, req.idToken, { stationId, evseId: session?.evse_id ?? undefined, purpose: 'stop', transactionId: session?.id }, session)
      : undefined;
    const evseId = session?.evse_id ?? 0;
    const readings: MeterReading[] = [
      ...req.readings,
      { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.End', value: req.meterStopWh, unit: 'Wh' },
    ];
    await this.deps.samples.write(this.sampleRows(tenantId, stationId, evseId, session?.id ?? null, readings));
    if (!session) return { verdict };
    const now = this.deps.clock.now();
    const finished = await store.finishNumbered(stationId, req.transactionId, {
      stoppedAt: req.timestamp,
      meterStopWh: req.meterStopWh,
      reason: req.reason ?? 'Local',
      stopIdToken: req.idToken?.idToken ?? null,
      now,
    });
    await store.insertEvent({
      tenant_id: tenantId,
      station_id: stationId,
      station_tx_id: session.station_tx_id,
      event_key: 'stop',
      seq_no: null,
      session_id: session.id,
      event_type: 'Ended',
      trigger_reason: null,
      offline: false,
      occurred_at: req.timestamp,
      payload: { ...req, timestamp: req.timestamp.toISOString() },
      received_at: now,
    });
    if (finished && session.stop_reason === SUPERSEDED) this.publishUpdated(tenantId, finished);
    else if (finished) this.publishEnded(tenantId, finished);
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
    let created = false;
    if (!known) {
      const ensured = await store.ensureStationSession({
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
      });
      created = ensured.created;
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
    // Samples first, so the energy an Ended reports includes its own readings.
    await this.deps.samples.write(this.sampleRows(tenantId, stationId, evseId, sessionId, ev.readings));
    const { row, previousStatus, fresh } = await this.deps.events.submit(
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
      },
      sessionId,
    );
    if (row.evse_id !== known.evseId) this.remember(stationId, ev.stationTxId, row.id, row.evse_id);
    if (fresh) {
      if (created) this.publishStarted(tenantId, row);
      if (row.status === 'finished' && previousStatus !== 'finished') this.publishEnded(tenantId, row);
      else if (!created && row.status !== 'finished') this.publishUpdated(tenantId, row);
    }
    return { verdict: await verdictPromise };
  }

  /** Meter values outside transaction messages; attributed to the session they name, if known. */
  async recordMeterValues(tenantId: string, stationId: string, input: MeterValuesInput): Promise<void> {
    const sessionId = input.transaction ? await this.sessionIdFor(stationId, input.transaction) : null;
    const rows = this.sampleRows(tenantId, stationId, input.evseId, sessionId, input.readings);
    await this.deps.samples.write(rows);
    const last = rows[rows.length - 1];
    if (!last) return;
    const register = rows.filter((r) => r.measurand === ENERGY_REGISTER && r.phase === '').at(-1);
    const power = rows.filter((r) => r.measurand === POWER_IMPORT && r.phase === '').at(-1);
    this.publish({
      type: 'MeterSampled',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: {
        stationId,
        evseId: input.evseId,
        sessionId,
        samples: rows.length,
        energyRegisterWh: register?.normalised_value ?? null,
        powerW: power?.normalised_value ?? null,
        at: (last.sampled_at as Date).toISOString(),
      },
    });
  }

  /**
   * 1.6 tells charging states by StatusNotification (§4.9): Charging, SuspendedEV, SuspendedEVSE
   * move the open session on that connector. 2.0.1 says it in TransactionEvent instead.
   */
  async connectorStatusChanged(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    const status = CONNECTOR_STATUS_16[connectorStatus];
    if (!status) return;
    const row = await this.deps.store.followConnector(tenantId, stationId, evseId, status, this.deps.clock.now());
    if (row) this.publishUpdated(tenantId, row);
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
   * for the events the station will deliver. Returns undefined for an unknown session.
   */
  async recordTransactionStatus(tenantId: string, sessionId: string, answer: TransactionStatusAnswer): Promise<SessionView | undefined> {
    const now = this.deps.clock.now();
    const done = answer.ongoingIndicator === false && !answer.messagesInQueue;
    // What the station sent before it answered is written first, so its own Ended is not overtaken.
    if (done) await this.flush();
    let row = await this.deps.store.recordTransactionStatus(tenantId, sessionId, answer, now);
    if (!row) return undefined;
    let closed = false;
    if (done && row.status !== 'finished') {
      const finished = await this.deps.store.closeUnreported(tenantId, sessionId, now);
      if (finished) {
        row = finished;
        closed = true;
        this.publishEnded(tenantId, finished);
      }
    }
    this.publish({
      type: 'TransactionStatusChecked',
      tenantId,
      occurredAt: now,
      payload: { ...ref(row), ongoingIndicator: answer.ongoingIndicator ?? null, messagesInQueue: answer.messagesInQueue, closed },
    });
    return toView(row);
  }

  /** For the authorization module's concurrent-transaction rule; `exceptSessionId` is the transaction asked about. */
  hasActiveTransaction(tenantId: string, idToken: string, exceptSessionId?: string): Promise<boolean> {
    return this.deps.store.hasActive(tenantId, idToken, exceptSessionId);
  }

  async list(tenantId: string, q: SessionQuery): Promise<{ items: SessionView[]; nextCursor: string | null }> {
    await this.deps.samples.flush();
    const after = q.after ? decodeCursor(q.after) : undefined;
    // One row more than asked tells whether another page exists (no empty last page).
    const rows = await this.deps.store.list(tenantId, { ...q, limit: q.limit + 1 }, after);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(toView), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  async get(tenantId: string, id: string): Promise<SessionDetail> {
    await this.deps.samples.flush();
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

  private sampleRows(tenantId: string, stationId: string, evseId: number, sessionId: string | null, readings: readonly MeterReading[]): NewSampleRow[] {
    return readings.map((r) => {
      const n = normalise(r);
      return {
        tenant_id: tenantId,
        session_id: sessionId,
        station_id: stationId,
        evse_id: evseId,
        sampled_at: r.sampledAt,
        measurand: r.measurand,
        phase: r.phase ?? '',
        location: r.location ?? '',
        context: r.context ?? '',
        value: n.value,
        unit: n.unit,
        normalised_value: n.normalisedValue,
        normalised_unit: n.normalisedUnit,
        signed_data: r.signedData ?? null,
      };
    });
  }

  private publishStarted(tenantId: string, row: SessionRow): void {
    this.publish({
      type: 'TransactionStarted',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: { ...ref(row), idToken: row.id_token, startedAt: row.started_at.toISOString(), remoteStartId: row.remote_start_id },
    });
  }

  private publishUpdated(tenantId: string, row: SessionRow): void {
    this.publish({
      type: 'TransactionUpdated',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: { ...ref(row), status: parseStatus(row.status), idToken: row.id_token, energyWh: Number(row.energy_wh ?? 0) },
    });
  }

  private publishEnded(tenantId: string, row: SessionRow): void {
    this.publish({
      type: 'TransactionEnded',
      tenantId,
      occurredAt: this.deps.clock.now(),
      payload: {
        ...ref(row),
        idToken: row.id_token,
        stopReason: row.stop_reason,
        startedAt: row.started_at.toISOString(),
        stoppedAt: (row.stopped_at ?? this.deps.clock.now()).toISOString(),
        energyWh: Number(row.energy_wh ?? 0),
      },
    });
  }

  private publish(event: TransactionsEvent): void {
    this.deps.bus.publish(event);
  }
}

function ref(row: SessionRow) {
  return { sessionId: row.id, stationId: row.station_id, evseId: row.evse_id, transactionId: row.station_tx_id };
}

function transactionStatusOf(row: SessionRow): TransactionStatusView | null {
  if (!row.tx_status_checked_at || row.tx_status_messages_in_queue === null) return null;
  return { checkedAt: row.tx_status_checked_at.toISOString(), ongoingIndicator: row.tx_status_ongoing, messagesInQueue: row.tx_status_messages_in_queue };
}

function accepted(verdict: TokenVerdict): TokenVerdict {
  return { status: 'Accepted', idTagInfo: { ...verdict.idTagInfo, status: 'Accepted' }, idTokenInfo: { ...verdict.idTokenInfo, status: 'Accepted' } };
}

const IDTAG_STATUSES: readonly string[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

/** The first delivery's answer again, with the details (expiry, group) of a fresh look-up. */
function replayedVerdict(status: string | null, fresh: TokenVerdict): TokenVerdict {
  if (status === null || status === fresh.status) return fresh;
  const tokenStatus = status as TokenStatus;
  return {
    status: tokenStatus,
    idTagInfo: { ...fresh.idTagInfo, status: (IDTAG_STATUSES.includes(status) ? status : 'Invalid') as IdTagInfo['status'] },
    idTokenInfo: { ...fresh.idTokenInfo, status: tokenStatus },
  };
}

function parseStatus(value: string): SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value) ? (value as SessionStatus) : 'pending';
}

function encodeCursor(row: SessionRow): string {
  return Buffer.from(JSON.stringify([row.started_at.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(startedAt);
    if (typeof id !== 'string' || Number.isNaN(at.getTime())) throw new Error('bad cursor');
    return { startedAt: at, id };
  } catch {
    throw new DomainError('InvalidInput', 'after is not a cursor this API returned', { field: 'after' });
  }
}

export function toView(row: SessionRow): SessionView {
  return {
    id: row.id,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    transactionId: row.station_tx_id,
    idToken: row.id_token,
    idTokenType: row.id_token_type,
    stopIdToken: row.stop_id_token,
    status: parseStatus(row.status),
    stopReason: row.stop_reason,
    startedAt: row.started_at.toISOString(),
    stoppedAt: row.stopped_at ? row.stopped_at.toISOString() : null,
    meterStartWh: row.meter_start_wh === null ? null : Number(row.meter_start_wh),
    meterStopWh: row.meter_stop_wh === null ? null : Number(row.meter_stop_wh),
    energyWh: Number(row.energy_wh ?? 0),
    remoteStartId: row.remote_start_id,
    reservationId: row.reservation_id,
    offline: row.offline,
  };
}
