import { sql, type Kysely } from 'kysely';
import { ENERGY_REGISTER } from './meter.js';
import type { NewSampleRow } from './session-rows.js';
import type { TransactionsTables } from './tables.js';
import { unnestRows, type ColumnType } from './column-arrays.js';
import { ALL_LOCKED_FIRST, lockedSessions, sessionIdsOf, type RowLocks } from './session-locks.js';

/** What one batch of samples says about a session's energy register, one reading per instant (the highest). */
export interface RegisterRun {
  sessionId: string;
  firstAtMs: number;
  firstWh: number;
  lastAtMs: number;
  lastWh: number;
  /** Sum of the increases between the batch's own readings, in time order. */
  innerWh: number;
}

/** The register readings of a batch, per session, in time order (the rule of `energyFromRegister`). */
export function registerRuns(rows: readonly NewSampleRow[]): RegisterRun[] {
  const bySession = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (!r.session_id || r.measurand !== ENERGY_REGISTER || r.phase !== '' || r.normalised_value === null || r.normalised_value === undefined) continue;
    const atMs = (r.sampled_at as Date).getTime();
    const instants = bySession.get(r.session_id) ?? new Map<number, number>();
    instants.set(atMs, Math.max(instants.get(atMs) ?? -Infinity, r.normalised_value));
    bySession.set(r.session_id, instants);
  }
  return [...bySession].map(([sessionId, instants]) => {
    const ordered = [...instants].sort((a, b) => a[0] - b[0]);
    let innerWh = 0;
    for (let i = 1; i < ordered.length; i++) innerWh += Math.max(0, (ordered[i] as [number, number])[1] - (ordered[i - 1] as [number, number])[1]);
    const [firstAtMs, firstWh] = ordered[0] as [number, number];
    const [lastAtMs, lastWh] = ordered[ordered.length - 1] as [number, number];
    return { sessionId, firstAtMs, firstWh, lastAtMs, lastWh, innerWh };
  });
}

const RUN_COLUMNS = [
  ['session_id', 'text', (r) => r.sessionId],
  ['first_at', 'timestamptz', (r) => new Date(r.firstAtMs)],
  ['first_wh', 'double precision', (r) => r.firstWh],
  ['last_at', 'timestamptz', (r) => new Date(r.lastAtMs)],
  ['last_wh', 'double precision', (r) => r.lastWh],
  ['inner_wh', 'double precision', (r) => r.innerWh],
] as const satisfies readonly (readonly [string, ColumnType, (r: RegisterRun) => unknown])[];

/**
 * Brings sessions.energy_wh up to date with a batch of samples just written, without reading the
 * session's earlier samples: each session keeps its latest register reading (energy_register_at,
 * energy_register_wh) and the unrounded sum (energy_sum_wh), and readings newer than that only
 * add their increases. A session whose batch is not strictly newer (a retry, a reading out of
 * order, or energy never computed this way) is recomputed from all its samples, as before.
 * Run in the transaction that wrote the samples, so the running state never misses a stored reading.
 * It locks its sessions and `alsoLock` (the others its batch goes on to update) in id order first (ADR 027).
 */
export async function updateSessionEnergy(db: Kysely<TransactionsTables>, rows: readonly NewSampleRow[], alsoLock: readonly string[], locks: RowLocks): Promise<void> {
  const runs = registerRuns(rows);
  if (runs.length === 0) return;
  const added = sql`(case when s.energy_register_at is null then 0 else greatest(b.first_wh - s.energy_register_wh, 0) end + b.inner_wh)`;
  const updated = await sql<{ id: string }>`
    with b as (select * from ${unnestRows(runs, RUN_COLUMNS)}),
    ${lockedSessions(sessionIdsOf([...runs.map((r) => r.sessionId), ...alsoLock]), undefined, locks)}
    update sessions s set
      energy_sum_wh = coalesce(s.energy_sum_wh, 0) + ${added},
      energy_wh = round(coalesce(s.energy_sum_wh, 0) + ${added})::bigint,
      energy_register_at = b.last_at,
      energy_register_wh = b.last_wh
    from b
    where s.id = b.session_id
      and ((s.energy_register_at is null and s.energy_wh is null) or b.first_at > s.energy_register_at)
      and ${ALL_LOCKED_FIRST}
    returning s.id`.execute(db);
  const done = new Set(updated.rows.map((r) => r.id));
  const rest = runs.filter((r) => !done.has(r.sessionId)).map((r) => r.sessionId);
  if (rest.length > 0) await recomputeSessionEnergy(db, rest);
}

/**
 * Session energy from all its samples: the sum of register increases in time order (one reading
 * per instant; a drop is a reset and starts a new baseline), the rule of `energyFromRegister`,
 * and the running state `updateSessionEnergy` continues from.
 */
export async function recomputeSessionEnergy(db: Kysely<TransactionsTables>, sessionIds: readonly string[]): Promise<void> {
  await sql`
    update sessions s set energy_wh = round(e.sum_wh)::bigint, energy_sum_wh = e.sum_wh, energy_register_at = e.last_at, energy_register_wh = e.last_wh
    from (
      select session_id, coalesce(sum(greatest(delta, 0)), 0) as sum_wh,
        max(sampled_at) as last_at, (array_agg(wh order by sampled_at desc))[1] as last_wh
      from (
        select session_id, sampled_at, wh, wh - lag(wh) over (partition by session_id order by sampled_at) as delta
        from (
          select session_id, sampled_at, max(normalised_value) as wh
          from meter_samples
          where session_id in (${sql.join(sessionIds)}) and measurand = ${ENERGY_REGISTER} and phase = '' and normalised_value is not null
          group by session_id, sampled_at
        ) r
      ) d
      group by session_id
    ) e
    where s.id = e.session_id`.execute(db);
}
