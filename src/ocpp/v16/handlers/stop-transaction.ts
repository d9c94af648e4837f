import type { Handler } from '../../handler.js';
import type { IdTagInfo } from '../../../modules/transactions/index.js';
import { readings16, type MeterValue16 } from './meter-values.js';

export interface StopTransactionReq {
  transactionId: number;
  timestamp: string;
  meterStop: number;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue16[];
}

export interface StopTransactionConf {
  idTagInfo?: IdTagInfo;
}

/** §4.10: answered Accepted even for an unknown or already stopped transaction (never a CALLERROR). */
export const stopTransaction: Handler<StopTransactionReq, StopTransactionConf> = async (ctx, req) => {
  const { verdict } = await ctx.services.transactions.stopTransaction(ctx.link.tenantId, ctx.link.stationId, {
    transactionId: req.transactionId,
    timestamp: new Date(req.timestamp),
    meterStopWh: req.meterStop,
    reason: req.reason,
    idToken: req.idTag !== undefined ? { idToken: req.idTag, type: '' } : undefined,
    readings: readings16(req.transactionData),
  });
  return { idTagInfo: verdict?.idTagInfo ?? { status: 'Accepted' } };
};
