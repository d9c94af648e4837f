import type { EventBus } from '../../platform/bus.js';
import type { StationConnected } from '../stations/index.js';
import type { TransactionsService } from './service.js';
import type { TransactionStatusQuery } from './types.js';

export interface ReconnectStatusCheckDeps {
  transactions: Pick<TransactionsService, 'openStationTransactions' | 'recordTransactionStatus'>;
  query: TransactionStatusQuery;
  bus: EventBus;
  /** A question that failed (offline again, timeout, CALLERROR); the session is left as it was. */
  onError: (err: unknown, context: { stationId: string; transactionId: string }) => void;
  /** At most this many open sessions are asked about per reconnect (newest first). */
  maxPerStation?: number;
}

/**
 * E14 after a reconnect (TC_E_29/30/31_CSMS): a 2.x station that comes back while sessions are
 * still open here is asked GetTransactionStatus for each, one at a time. The answer is recorded
 * on the session; "not ongoing, nothing queued" closes it (ENDED_UNREPORTED), anything queued
 * keeps it open for the events the station is about to deliver. 1.6 has no such message.
 */
export class ReconnectStatusCheck {
  private readonly checking = new Set<string>();
  /** Stations that reconnected while their check ran: asked again once it is done. */
  private readonly again = new Set<string>();

  constructor(private readonly deps: ReconnectStatusCheckDeps) {}

  /** Subscribes to StationConnected; returns the unsubscribe. */
  start(): () => void {
    return this.deps.bus.subscribe<StationConnected>('StationConnected', (event) => {
      if (event.payload.ocppVersion === '1.6') return;
      return this.check(event.tenantId, event.payload.stationId);
    });
  }

  /**
   * Asks about every open session of the station. A check already running for it is not doubled;
   * it runs once more when done (the reconnect may have cut its questions short).
   */
  async check(tenantId: string, stationId: string): Promise<void> {
    const key = `${tenantId}\u0000${stationId}`;
    if (this.checking.has(key)) {
      this.again.add(key);
      return;
    }
    this.checking.add(key);
    try {
      const open = await this.deps.transactions.openStationTransactions(tenantId, stationId, this.deps.maxPerStation ?? 50);
      for (const { sessionId, transactionId } of open) {
        try {
          const answer = await this.deps.query.transactionStatus(tenantId, stationId, transactionId);
          await this.deps.transactions.recordTransactionStatus(tenantId, sessionId, answer);
        } catch (err) {
          this.deps.onError(err, { stationId, transactionId });
        }
      }
    } finally {
      this.checking.delete(key);
    }
    if (this.again.delete(key)) await this.check(tenantId, stationId);
  }
}
