import type { Handler } from '../../handler.js';
import type { MeterReading } from '../../../modules/transactions/index.js';

export interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue16[];
}

/** §4.7: stored before the answer; samples land in the session they name, or else the one open on their connector then. */
export const meterValues: Handler<MeterValuesReq, Record<string, never>> = async (ctx, req) => {
  await ctx.services.transactions.recordMeterValues(ctx.link.tenantId, ctx.link.stationId, {
    evseId: req.connectorId,
    transaction: req.transactionId !== undefined ? { csmsTransactionId: req.transactionId } : undefined,
    connectorSession: true,
    readings: readings16(req.meterValue),
  });
  return {};
};

/** 1.6 MeterValue as on the wire (the schema has validated it). */
export interface MeterValue16 {
  timestamp: string;
  sampledValue: {
    value: string;
    context?: string;
    format?: 'Raw' | 'SignedData';
    measurand?: string;
    phase?: string;
    location?: string;
    unit?: string;
  }[];
}

/** 1.6 sends values as strings; SignedData values are kept verbatim with no number. */
export function readings16(meterValues: readonly MeterValue16[] | undefined): MeterReading[] {
  const readings: MeterReading[] = [];
  for (const mv of meterValues ?? []) {
    const sampledAt = new Date(mv.timestamp);
    for (const sv of mv.sampledValue) {
      const signed = sv.format === 'SignedData';
      const value = signed ? null : Number(sv.value);
      readings.push({
        sampledAt,
        measurand: sv.measurand ?? 'Energy.Active.Import.Register',
        phase: sv.phase,
        location: sv.location,
        context: sv.context,
        value: value === null || Number.isFinite(value) ? value : null,
        unit: sv.unit,
        signedData: signed ? sv.value : undefined,
      });
    }
  }
  return readings;
}
