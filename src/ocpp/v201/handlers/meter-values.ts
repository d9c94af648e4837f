import type { Handler } from '../../handler.js';
import type { MeterReading } from '../../../modules/transactions/index.js';

export interface MeterValuesRequest {
  evseId: number;
  meterValue: MeterValue201[];
}

/** J01/J02 outside a transaction message: stored before the answer, evse 0 is the main meter. */
export const meterValues: Handler<MeterValuesRequest, Record<string, never>> = async (ctx, req) => {
  await ctx.services.transactions.recordMeterValues(ctx.link.tenantId, ctx.link.stationId, {
    evseId: req.evseId,
    readings: readings201(req.meterValue),
  });
  return {};
};

/** 2.0.1 MeterValueType as on the wire (the schema has validated it). */
export interface MeterValue201 {
  timestamp: string;
  sampledValue: {
    value: number;
    context?: string;
    measurand?: string;
    phase?: string;
    location?: string;
    signedMeterValue?: { signedMeterData: string; signingMethod: string; encodingMethod: string; publicKey: string };
    unitOfMeasure?: { unit?: string; multiplier?: number };
  }[];
}

export function readings201(meterValues: readonly MeterValue201[] | undefined): MeterReading[] {
  const readings: MeterReading[] = [];
  for (const mv of meterValues ?? []) {
    const sampledAt = new Date(mv.timestamp);
    for (const sv of mv.sampledValue) {
      readings.push({
        sampledAt,
        measurand: sv.measurand ?? 'Energy.Active.Import.Register',
        phase: sv.phase,
        location: sv.location,
        context: sv.context,
        value: sv.value,
        unit: sv.unitOfMeasure?.unit,
        multiplier: sv.unitOfMeasure?.multiplier,
        signedData: sv.signedMeterValue ? JSON.stringify(sv.signedMeterValue) : undefined,
      });
    }
  }
  return readings;
}
