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

/** How one kind of session is inserted once: its natural key, and the columns it fills from the batch `v`. */
interface SessionInsert {
  /** With station_id, the unique key a retry finds its row by. */
  key: 'start_key' | 'station_tx_id';
  /** More CTEs after `v`, and the one the INSERT reads (`v` itself when none). */
  ctes: RawBuilder<unknown>;
  source: string;
  columns: readonly string[];
  /** Columns not copied as they are from the source: what they take instead. */
  computed: Readonly<Record<string, string>>;
}

/** A message that does not say whether it was queued offline is live. */
const OFFLINE = { offline: 'coalesce(offline, false)' };

/** 1.6 starts: every new row takes the next CSMS transaction id; a retried start finds its row by start_key. */
const NUMBERED: SessionInsert = {
  key: 'start_key',
  ctes: sql`, n as (select v.*, nextval('ocpp16_transaction_id')::integer as tx from v)`,
  source: 'n',
  columns: [...'id tenant_id station_id evse_id connector_id ocpp16_transaction_id station_tx_id start_key'.split(' '),
    ...'id_token id_token_type auth_status status started_at meter_start_wh reservation_id offline updated_at'.split(' ')],
  computed: { ocpp16_transaction_id: 'tx', station_tx_id: 'tx::text', ...OFFLINE },
};

/** 2.x transactions: the session of (station, transactionId), created on its first event whatever the event. */
const STATION_NUMBERED: SessionInsert = {
  key: 'station_tx_id',
  ctes: sql``,
  source: 'v',
  columns: 'id tenant_id station_id evse_id connector_id station_tx_id status started_at remote_start_id reservation_id offline updated_at'.split(' '),
  computed: OFFLINE,
};

export function insertNumberedSessions(db: Kysely<TransactionsTables>, items: readonly NumberedSessionInsert[]): Promise<InsertedSession[]> {
  return insertOnce(db, items, NUMBERED);
}

export function ensureStationSessions(db: Kysely<TransactionsTables>, items: readonly NewSessionRow[]): Promise<InsertedSession[]> {
  return insertOnce(db, items, STATION_NUMBERED);
}

/** Inserts the rows not there yet (by natural key) in one statement and returns, per item, its row: new, or the one found. */
async function insertOnce<I extends Partial<NewSessionRow>>(db: Kysely<TransactionsTables>, items: readonly I[], shape: SessionInsert): Promise<InsertedSession[]> {
  if (items.length === 0) return [];
  const key = sql.raw(shape.key);
  const result = await sql<SessionHead & { created: boolean }>`
    with v as (select * from ${rowsOf(items)})${shape.ctes},
    ins as (
      insert into sessions (${sql.raw(shape.columns.join(', '))})
      select ${sql.raw(shape.columns.map((c) => shape.computed[c] ?? c).join(', '))} from ${sql.raw(shape.source)}
      on conflict (station_id, ${key}) do nothing
      returning ${sessionHeadOf('sessions')}
    )
    select ${sessionHeadOf('ins')}, true as created from ins
    union all
    select ${sessionHeadOf('s')}, false as created from sessions s join v on s.station_id = v.station_id and s.${key} = v.${key}`.execute(db);
  const keyOf = (r: Partial<NewSessionRow>) => `${r.station_id}\u0000${r[shape.key]}`;
  return matchRows(items, result.rows, keyOf, (missing) =>
    db.selectFrom('sessions').selectAll().where((eb) => eb.or(missing.map((m) => eb.and([eb('station_id', '=', m.station_id ?? ''), eb(shape.key, '=', m[shape.key] ?? '')])))).execute(),
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
