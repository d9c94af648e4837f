import { sql, type Kysely, type RawBuilder } from 'kysely';
import { sessionHeadOf, type NewSessionRow, type SessionHead } from './session-rows.js';
import type { TransactionsTables } from './tables.js';
import { unnestRows, type ColumnType } from './column-arrays.js';

/**
 * Session rows created by many transaction messages in one statement each (group commit): a 1.6
 * StartTransaction's CSMS-numbered session, a 2.x transaction's session on its first event. Each
 * insert is idempotent by its natural key, (station, start_key) or (station, station_tx_id), and a
 * retry gets the row its first delivery made. Callers key batches by that natural key.
 */

export type NumberedSessionInsert = Omit<NewSessionRow, 'ocpp16_transaction_id' | 'station_tx_id'>;

export interface InsertedSession {
  row: SessionHead;
  /** false: the row existed (a retried message). */
  created: boolean;
}

const COLUMNS = [
  'id',
  'tenant_id',
  'station_id',
  'evse_id',
  'connector_id',
  'station_tx_id',
  'start_key',
  'id_token',
  'id_token_type',
  'auth_status',
  'status',
  'started_at',
  'meter_start_wh',
  'remote_start_id',
  'reservation_id',
  'offline',
  'updated_at',
] as const;

const TYPES: Record<(typeof COLUMNS)[number], ColumnType> = {
  id: 'text',
  tenant_id: 'text',
  station_id: 'text',
  evse_id: 'integer',
  connector_id: 'integer',
  station_tx_id: 'text',
  start_key: 'text',
  id_token: 'text',
  id_token_type: 'text',
  auth_status: 'text',
  status: 'text',
  started_at: 'timestamptz',
  meter_start_wh: 'bigint',
  remote_start_id: 'integer',
  reservation_id: 'integer',
  offline: 'boolean',
  updated_at: 'timestamptz',
};

const V_COLUMNS = COLUMNS.map((c) => [c, TYPES[c], (r: Partial<NewSessionRow>) => r[c]] as const);
const rowsOf = (items: readonly Partial<NewSessionRow>[]): RawBuilder<unknown> => unnestRows(items, V_COLUMNS);

/** 1.6 starts: every new row takes the next CSMS transaction id; a retried start finds its row by start_key. */
export async function insertNumberedSessions(db: Kysely<TransactionsTables>, items: readonly NumberedSessionInsert[]): Promise<InsertedSession[]> {
  if (items.length === 0) return [];
  const result = await sql<SessionHead & { created: boolean }>`
    with v as (select * from ${rowsOf(items)}),
    n as (select v.*, nextval('ocpp16_transaction_id')::integer as tx from v),
    ins as (
      insert into sessions (id, tenant_id, station_id, evse_id, connector_id, ocpp16_transaction_id, station_tx_id, start_key,
        id_token, id_token_type, auth_status, status, started_at, meter_start_wh, reservation_id, offline, updated_at)
      select id, tenant_id, station_id, evse_id, connector_id, tx, tx::text, start_key,
        id_token, id_token_type, auth_status, status, started_at, meter_start_wh, reservation_id, coalesce(offline, false), updated_at
      from n
      on conflict (station_id, start_key) do nothing
      returning ${sessionHeadOf('sessions')}
    )
    select ${sessionHeadOf('ins')}, true as created from ins
    union all
    select ${sessionHeadOf('s')}, false as created from sessions s join v on s.station_id = v.station_id and s.start_key = v.start_key`.execute(db);
  return matchRows(items, result.rows, (r) => `${r.station_id}\u0000${r.start_key}`, (missing) =>
    db.selectFrom('sessions').selectAll().where((eb) => eb.or(missing.map((m) => eb.and([eb('station_id', '=', m.station_id), eb('start_key', '=', m.start_key ?? '')])))).execute(),
  );
}

/** 2.x transactions: the session of (station, transactionId), created on its first event whatever the event. */
export async function ensureStationSessions(db: Kysely<TransactionsTables>, items: readonly NewSessionRow[]): Promise<InsertedSession[]> {
  if (items.length === 0) return [];
  const result = await sql<SessionHead & { created: boolean }>`
    with v as (select * from ${rowsOf(items)}),
    ins as (
      insert into sessions (id, tenant_id, station_id, evse_id, connector_id, station_tx_id, status, started_at, remote_start_id, reservation_id, offline, updated_at)
      select id, tenant_id, station_id, evse_id, connector_id, station_tx_id, status, started_at, remote_start_id, reservation_id, coalesce(offline, false), updated_at
      from v
      on conflict (station_id, station_tx_id) do nothing
      returning ${sessionHeadOf('sessions')}
    )
    select ${sessionHeadOf('ins')}, true as created from ins
    union all
    select ${sessionHeadOf('s')}, false as created from sessions s join v on s.station_id = v.station_id and s.station_tx_id = v.station_tx_id`.execute(db);
  return matchRows(items, result.rows, (r) => `${r.station_id}\u0000${r.station_tx_id}`, (missing) =>
    db.selectFrom('sessions').selectAll().where((eb) => eb.or(missing.map((m) => eb.and([eb('station_id', '=', m.station_id), eb('station_tx_id', '=', m.station_tx_id ?? '')])))).execute(),
  );
}

/**
 * Pairs each item with its row. The statement's own read runs on its snapshot, so a row another
 * process committed while it ran (its insert skipped as a conflict) is read once more.
 */
async function matchRows<I extends Partial<NewSessionRow>>(
  items: readonly I[],
  rows: readonly (SessionHead & { created: boolean })[],
  keyOf: (r: Partial<NewSessionRow>) => string,
  readMissing: (missing: I[]) => Promise<SessionHead[]>,
): Promise<InsertedSession[]> {
  const byKey = new Map<string, InsertedSession>();
  for (const { created, ...row } of rows) {
    const k = keyOf(row);
    if (created || !byKey.has(k)) byKey.set(k, { row: row as SessionHead, created });
  }
  const missing = items.filter((i) => !byKey.has(keyOf(i)));
  if (missing.length > 0) for (const row of await readMissing(missing)) byKey.set(keyOf(row), { row, created: false });
  return items.map((i) => {
    const found = byKey.get(keyOf(i));
    if (!found) throw new Error(`session ${i.station_id}/${keyOf(i)} neither inserted nor found`);
    return found;
  });
}
