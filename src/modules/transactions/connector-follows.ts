import { sql, type Kysely } from 'kysely';
import { sessionHeadOf, type SessionHead } from './session-rows.js';
import type { TransactionsTables } from './tables.js';
import { unnestRows, type ColumnType } from './column-arrays.js';
import type { SessionStatus } from './types.js';
import { ALL_LOCKED_FIRST, lockedSessions, type RowLocks } from './session-locks.js';

/** A 1.6 connector status that moves the CSMS-numbered session open on that connector (§4.9). */
export interface ConnectorFollow {
  tenantId: string;
  stationId: string;
  evseId: number;
  status: SessionStatus;
  now: Date;
}

const FOLLOW_COLUMNS = [
  ['tenant_id', 'text', (i) => i.tenantId],
  ['station_id', 'text', (i) => i.stationId],
  ['evse_id', 'integer', (i) => i.evseId],
  ['status', 'text', (i) => i.status],
  ['now', 'timestamptz', (i) => i.now],
] as const satisfies readonly (readonly [string, ColumnType, (i: ConnectorFollow) => unknown])[];

/**
 * Moves the open 1.6 sessions of many connectors to the status their StatusNotification reports,
 * in one statement (group commit, like starts and stops): a fleet's status changes cost a few
 * statements instead of one transaction each. Callers key batches by connector, so a connector
 * appears once in a statement and its statuses apply in the order they came. Returns, per item,
 * the sessions it moved (none when no open session was in another status).
 */
export async function followConnectors(db: Kysely<TransactionsTables>, items: readonly ConnectorFollow[], locks: RowLocks): Promise<SessionHead[][]> {
  if (items.length === 0) return [];
  const result = await sql<SessionHead>`
    with v as (select * from ${unnestRows(items, FOLLOW_COLUMNS)}),
    ${lockedSessions(sql`
      select s.id from sessions s join v on s.tenant_id = v.tenant_id and s.station_id = v.station_id and s.evse_id = v.evse_id
      where s.ocpp16_transaction_id is not null and s.status <> 'finished' and s.status <> v.status`, undefined, locks)}
    update sessions s set status = v.status, updated_at = v.now
    from v
    where s.tenant_id = v.tenant_id and s.station_id = v.station_id and s.evse_id = v.evse_id
      and s.ocpp16_transaction_id is not null and s.status <> 'finished' and s.status <> v.status and ${ALL_LOCKED_FIRST}
    returning ${sessionHeadOf('s')}`.execute(db);
  const byConnector = new Map<string, SessionHead[]>();
  for (const row of result.rows) {
    const k = connectorKey(row.tenant_id, row.station_id, row.evse_id ?? -1);
    byConnector.set(k, [...(byConnector.get(k) ?? []), row]);
  }
  return items.map((i) => byConnector.get(connectorKey(i.tenantId, i.stationId, i.evseId)) ?? []);
}

export function connectorKey(tenantId: string, stationId: string, evseId: number): string {
  return `${tenantId}\u0000${stationId}\u0000${evseId}`;
}
