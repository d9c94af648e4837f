import type { Handler } from '../../handler.js';
import type { ChargingState, IdTokenInfo } from '../../../modules/transactions/index.js';
import { readings201, type MeterValue201 } from './meter-values.js';

export interface TransactionEventRequest {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  numberOfPhasesUsed?: number;
  cableMaxCurrent?: number;
  reservationId?: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: ChargingState;
    timeSpentCharging?: number;
    stoppedReason?: string;
    remoteStartId?: number;
  };
  idToken?: { idToken: string; type: string };
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue201[];
}

export interface TransactionEventResponse {
  idTokenInfo?: IdTokenInfo;
}

/**
 * E01–E15: keyed by (station, transactionId, seqNo); a duplicate is a no-op, gaps and any order
 * are fine, and it is never rejected. idTokenInfo answers an event that carries an idToken (E01.FR.12).
 */
export const transactionEvent: Handler<TransactionEventRequest, TransactionEventResponse> = async (ctx, req) => {
  const info = req.transactionInfo;
  const { verdict } = await ctx.services.transactions.recordTransactionEvent(ctx.link.tenantId, ctx.link.stationId, {
    eventType: req.eventType,
    stationTxId: info.transactionId,
    seqNo: req.seqNo,
    timestamp: new Date(req.timestamp),
    triggerReason: req.triggerReason,
    offline: req.offline ?? false,
    chargingState: info.chargingState,
    stoppedReason: info.stoppedReason,
    remoteStartId: info.remoteStartId,
    reservationId: req.reservationId,
    evseId: req.evse?.id,
    connectorId: req.evse?.connectorId,
    idToken: req.idToken ? { idToken: req.idToken.idToken, type: req.idToken.type } : undefined,
    readings: readings201(req.meterValue),
    raw: req,
  });
  return verdict ? { idTokenInfo: verdict.idTokenInfo } : {};
};
