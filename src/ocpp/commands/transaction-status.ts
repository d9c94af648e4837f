import type { TransactionStatusAnswer, TransactionStatusQuery } from '../../modules/transactions/index.js';
import { SYSTEM_REQUESTER } from '../../platform/requester.js';
import type { OcppGateway } from '../gateway/gateway.js';

/** E14: GetTransactionStatus for one transaction (2.0.1 and 2.1 share the message); the CSMS asks it on its own (after a reconnect, a gap). */
export class TransactionStatusRequester implements TransactionStatusQuery {
  constructor(private readonly gateway: Pick<OcppGateway, 'send'>) {}

  async transactionStatus(tenantId: string, stationId: string, transactionId: string): Promise<TransactionStatusAnswer> {
    // The answer is schema-validated by the gateway: messagesInQueue is a boolean, ongoingIndicator optional.
    const answer = await this.gateway.send(tenantId, stationId, 'GetTransactionStatus', { transactionId }, { requestedBy: SYSTEM_REQUESTER });
    const ongoing = answer['ongoingIndicator'];
    return { ongoingIndicator: typeof ongoing === 'boolean' ? ongoing : undefined, messagesInQueue: answer['messagesInQueue'] === true };
  }
}
