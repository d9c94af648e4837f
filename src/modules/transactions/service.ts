import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { Batcher } from '../../platform/batcher.js';
import type { TransactionsStore } from './store.js';
import type { SessionRow, SessionHead, NewSessionRow } from './session-rows.js';
import type { SessionEventWrite, AppliedEvent } from './event-writes.js';
import type { GroupCommit } from './group-commit.js';
import type { MeterSampleWriter } from './sample-writer.js';
import type { TransactionOutbox } from './outbox.js';
import { endedEvent, meterSampledEvent, statusCheckedEvent } from './session-events.js';
import { sampleRows } from './sample-rows.js';
import { accepted, replayedVerdict } from './verdicts.js';
import { toView } from './session-view.js';
import { SESSION_SORT } from './session-sort.js';
import { mapPage } from '../../platform/list-sort.js';
import { attachToConnectorSessions, readingSpan } from './connector-session.js';
import { OpenConnectorSessions } from './open-connectors.js';
import type { ConnectorFollow } from './connector-follows.js';
import type { InsertedSession, NumberedSessionInsert } from './session-inserts.js';
import type { StartWrite, StartWritten, StopWrite, StopWritten } from './numbered-writes.js';
import { KnownTransactions, txKey } from './known-transactions.js';
import { ConnectorStatusFollower } from './connector-status-follower.js';
import { numberedSession, startKeyOf, startWrite, stationSession, stopReadings, stopWrite, transactionEventWrite } from './message-writes.js';
import { sessionDetail } from './session-detail.js';
import type {
  AuthorizeContext,
  IdToken,
  MeterValuesInput,
  SessionDetail,
  SessionQuery,
  SessionView,
  StartOutcome,
  StartRequest,
  StopRequest,
  TokenAuthorizer,
  TokenVerdict,
  TransactionEventInput,
  TransactionRef,
  TransactionStatusAnswer,
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

/**
 * The session state machine and meter-value intake, version-free. Every inbound transaction
 * message is idempotent and is applied in full on every delivery (a retry after a crash redoes
 * what the first attempt may not have finished); only the first delivery publishes events.
 * Nothing here refuses a message for business reasons: the station's queue must drain.
 */
export class TransactionsService {
  /** Recently seen transactions: a MeterValues or the next TransactionEvent costs no lookup. */
  private readonly known = new KnownTransactions();

  /** Status of the 1.6 session open on each connector, as this process wrote it. */
  private readonly connectors = new OpenConnectorSessions();
  private readonly connectorStatus: ConnectorStatusFollower;

  /** Open 2.x sessions per (tenant, station), looked up for many stations in one query. */
  private readonly openLoader: Batcher<string, SessionRow[]>;

  constructor(private readonly deps: TransactionsServiceDeps) {
    this.connectorStatus = new ConnectorStatusFollower({ follows: deps.follows, connectors: this.connectors, clock: deps.clock });
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
    const verdict = await this.verdict(tenantId, req.idToken, { stationId, evseId: req.evseId, purpose: 'start' }, undefined);
    const now = this.deps.clock.now();
    // Group-committed (session-inserts.ts): a burst of starts numbers its sessions in one statement.
    const session = numberedSession(tenantId, stationId, req, verdict, this.deps.ids.uuid(), now);
    const { row, created } = await this.deps.numbered.submit(session, txKey(stationId, startKeyOf(req)));
    const transactionId = row.ocpp16_transaction_id as number;
    this.known.remember(stationId, row.station_tx_id, row.id, row.evse_id);
    // The Started record and the superseding of older open sessions on the connector, group-committed;
    // the batch's transaction stages TransactionStarted/Ended too, published once it commits (ADR 008).
    // Two starts on one connector never share a statement: the later one supersedes the earlier.
    await this.deps.starts.submit(startWrite(tenantId, stationId, req, row, now), `${stationId}\u0000${req.evseId}`);
    // A live first start is the newest session on its connector (older ones were just superseded).
    if (created && !row.offline && row.status !== 'finished') this.connectors.opened(tenantId, stationId, req.evseId, row.id, row.status);
    // A retry answers what the first delivery answered (a fresh check would now see the token busy).
    const answered = created ? verdict : replayedVerdict(row.auth_status, verdict);
    return { sessionId: row.id, transactionId, verdict: answered, created };
  }

  /** A stop of a CSMS-numbered transaction (1.6); unknown or already stopped is answered all the same. */
  async stopTransaction(tenantId: string, stationId: string, req: StopRequest): Promise<{ verdict: TokenVerdict | undefined }> {
    // The session its start remembered costs no look-up; otherwise (a restart since) it is read.
    const known = this.known.get(stationId, String(req.transactionId));
    const session = known ? undefined : await this.deps.store.byNumber(stationId, req.transactionId);
    const sessionId = known?.sessionId ?? session?.id;
    const sessionEvse = known ? known.evseId : session?.evse_id;
    const verdictPromise = req.idToken
      ? this.verdict(tenantId, req.idToken, { stationId, evseId: sessionEvse ?? undefined, purpose: 'stop', transactionId: sessionId }, session)
      : undefined;
    verdictPromise?.catch(() => undefined);
    const evseId = sessionEvse ?? 0;
    const samples = sampleRows(tenantId, stationId, evseId, sessionId ?? null, stopReadings(req));
    if (!sessionId) {
      await this.deps.samples.write(samples);
      return { verdict: await verdictPromise };
    }
    const verdict = await verdictPromise;
    // Finished and the Ended record, group-committed with TransactionEnded (or Updated) in the batch's transaction.
    await this.deps.stops.submit(stopWrite(tenantId, stationId, req, sessionId, samples, this.deps.clock.now()), sessionId);
    this.connectors.closed(tenantId, stationId, evseId, sessionId);
    return { verdict };
  }

  /**
   * A station-numbered transaction's event (2.0.1), keyed by (station, transactionId, seqNo).
   * Any event may be the first one seen (gaps, out of order); Ended is final whenever it arrives.
   */
  async recordTransactionEvent(tenantId: string, stationId: string, ev: TransactionEventInput): Promise<{ verdict: TokenVerdict | undefined }> {
    const now = this.deps.clock.now();
    let known = this.known.get(stationId, ev.stationTxId);
    if (!known) {
      const ensured = await this.deps.ensured.submit(stationSession(tenantId, stationId, ev, this.deps.ids.uuid(), now), txKey(stationId, ev.stationTxId));
      known = this.known.remember(stationId, ev.stationTxId, ensured.row.id, ensured.row.evse_id);
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
    const { row } = await this.deps.events.submit(transactionEventWrite(tenantId, stationId, ev, sessionId, evseId, now), sessionId);
    if (row.evse_id !== known.evseId) this.known.remember(stationId, ev.stationTxId, row.id, row.evse_id);
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

  /** A 1.6 connector status (§4.9) that may move the session open on it (connector-status-follower.ts). */
  connectorStatusChanged(tenantId: string, stationId: string, evseId: number, connectorStatus: string): Promise<void> {
    return this.connectorStatus.changed(tenantId, stationId, evseId, connectorStatus);
  }

  /** Resolves when every connector status received so far has moved its session (read-your-writes for the API). */
  connectorStatusSettled(): Promise<void> {
    return this.connectorStatus.settled();
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
    return sessionDetail(this.deps.store, tenantId, id);
  }

  /** Writes what is pending (readers, shutdown, tests). */
  async flush(): Promise<void> {
    await this.deps.samples.flush();
    await this.deps.events.flush();
    await this.deps.starts.flush();
    await this.deps.stops.flush();
    await this.deps.follows.flush();
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
    const cached = this.known.get(stationId, stationTxId);
    if (cached) return cached.sessionId;
    const row =
      'csmsTransactionId' in ref ? await this.deps.store.byNumber(stationId, ref.csmsTransactionId) : await this.deps.store.byStationTx(stationId, stationTxId);
    if (!row) return null;
    return this.known.remember(stationId, row.station_tx_id, row.id, row.evse_id).sessionId;
  }
}
