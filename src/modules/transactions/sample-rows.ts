import { normalise } from './meter.js';
import type { NewSampleRow } from './session-rows.js';
import type { MeterReading } from './types.js';

/** The meter_samples rows of a message's readings: each normalised (Wh, W, A, V), the station's value kept as sent. */
export function sampleRows(tenantId: string, stationId: string, evseId: number, sessionId: string | null, readings: readonly MeterReading[]): NewSampleRow[] {
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
