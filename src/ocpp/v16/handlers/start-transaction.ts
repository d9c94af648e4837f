import type { Handler } from '../../handler.js';
import type { IdTagInfo } from '../../../modules/transactions/index.js';

export interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}

export interface StartTransactionConf {
  idTagInfo: IdTagInfo;
  transactionId: number;
}

/** §4.8: a retried start (same connector, idTag, timestamp, meterStart) gets the same transactionId. */
export const startTransaction: Handler<StartTransactionReq, StartTransactionConf> = async (ctx, req) => {
  const outcome = await ctx.services.transactions.startTransaction(ctx.link.tenantId, ctx.link.stationId, {
    evseId: req.connectorId,
    connectorId: req.connectorId === 0 ? 0 : 1,
    // A 1.6 idTag has no type.
    idToken: { idToken: req.idTag, type: '' },
    timestamp: new Date(req.timestamp),
    meterStartWh: req.meterStart,
    reservationId: req.reservationId,
  });
  return { idTagInfo: outcome.verdict.idTagInfo, transactionId: outcome.transactionId };
};
