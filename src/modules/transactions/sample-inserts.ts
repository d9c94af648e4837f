import { sql, type Kysely } from 'kysely';
import { unnestRows, type ColumnType } from './column-arrays.js';
import type { NewSampleRow } from './session-rows.js';
import { updateSessionEnergy } from './session-energy.js';
import type { RowLocks } from './session-locks.js';
import type { TransactionsTables } from './tables.js';

const SAMPLE_COLUMNS = [
  ['tenant_id', 'text', (r) => r.tenant_id],
  ['session_id', 'text', (r) => r.session_id],
  ['station_id', 'text', (r) => r.station_id],
  ['evse_id', 'integer', (r) => r.evse_id],
  ['sampled_at', 'timestamptz', (r) => r.sampled_at],
  ['measurand', 'text', (r) => r.measurand],
  ['phase', 'text', (r) => r.phase],
  ['location', 'text', (r) => r.location],
  ['context', 'text', (r) => r.context],
  ['value', 'double precision', (r) => r.value],
  ['unit', 'text', (r) => r.unit],
  ['normalised_value', 'double precision', (r) => r.normalised_value],
  ['normalised_unit', 'text', (r) => r.normalised_unit],
  ['signed_data', 'text', (r) => r.signed_data],
] as const satisfies readonly (readonly [string, ColumnType, (r: NewSampleRow) => unknown])[];

/**
 * One row per reading key (a retry may share a batch with the original; one INSERT may not touch
 * a row twice), preferring the copy that names a session.
 */
function uniqueReadings(rows: readonly NewSampleRow[]): NewSampleRow[] {
  const byKey = new Map<string, NewSampleRow>();
  for (const row of rows) {
    const key = `${row.station_id}\u0000${row.evse_id}\u0000${(row.sampled_at as Date).getTime()}\u0000${row.measurand}\u0000${row.phase}\u0000${row.location}`;
    const seen = byKey.get(key);
    if (!seen || (!seen.session_id && row.session_id)) byKey.set(key, row);
  }
  // In key order: two batches writing the same readings (a retried message) take their index entries in one order (ADR 027).
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/**
 * Writes samples (a retried reading is ignored) and the running energy of the sessions they
 * touch. Run in a database transaction (the outbox's), so both land together.
 * `alsoLock`: the other sessions the batch updates next, locked with these in id order (ADR 027).
 */
export async function insertSamples(db: Kysely<TransactionsTables>, batch: readonly NewSampleRow[], alsoLock: readonly string[], locks: RowLocks): Promise<void> {
  const rows = uniqueReadings(batch);
  if (rows.length > 0) {
    // A reading first seen without a transaction (MeterValues) joins the session a later message names.
    await sql`
      insert into meter_samples (tenant_id, session_id, station_id, evse_id, sampled_at, measurand, phase, location, context, value, unit,
        normalised_value, normalised_unit, signed_data)
      select * from ${unnestRows(rows, SAMPLE_COLUMNS)}
      on conflict (station_id, evse_id, sampled_at, measurand, phase, location) do update set session_id = excluded.session_id
        where meter_samples.session_id is null and excluded.session_id is not null`.execute(db);
  }
  await updateSessionEnergy(db, rows, alsoLock, locks);
}
