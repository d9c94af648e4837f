import type { EventBus } from '../../platform/bus.js';
import type { TransactionAwaitingMessages } from './events.js';
import type { TransactionsService } from './service.js';
import type { TransactionStatusQuery } from './types.js';

export interface EndedGapCheckDeps {
  transactions: Pick<TransactionsService, 'recordTransactionStatus'>;
  query: TransactionStatusQuery;
  bus: EventBus;
  /** The question failed (offline, timeout, CALLERROR): the session stays held; the next reconnect asks again. */
  onError: (err: unknown, context: { stationId: string; transactionId: string }) => void;
}

/**
 * E14 / TC_E_31_CSMS, the Ended form: when a TransactionEvent Ended arrives while earlier seqNos
 * are missing, the session is held "ended, awaiting missing messages"
 * (TransactionAwaitingMessages) and the station is asked GetTransactionStatus(transactionId).
 * messagesInQueue=false closes the session as it is; true leaves it for the queued messages, the
 * last of which closes it (event-intake.ts). The question goes after the Ended's answer, as the
 * event is published once the Ended is recorded, and the gateway sends one call at a time.
 */
export class EndedGapCheck {
  constructor(private readonly deps: EndedGapCheckDeps) {}

  /** Subscribes to TransactionAwaitingMessages; returns the unsubscribe. */
  start(): () => void {
    return this.deps.bus.subscribe<TransactionAwaitingMessages>('TransactionAwaitingMessages', async (event) => {
      const { stationId, transactionId, sessionId } = event.payload;
      try {
        const answer = await this.deps.query.transactionStatus(event.tenantId, stationId, transactionId);
        await this.deps.transactions.recordTransactionStatus(event.tenantId, sessionId, answer);
      } catch (err) {
        this.deps.onError(err, { stationId, transactionId });
      }
    });
  }
}
