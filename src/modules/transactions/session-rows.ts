import { sql, type Insertable, type Selectable } from 'kysely';
import type { MeterSamplesTable, SessionEventsTable, SessionsTable } from './tables.js';

/** The rows of the transactions module's tables as its code passes them around, and names its SQL shares. */

export type SessionRow = Selectable<SessionsTable>;
export type NewSessionRow = Insertable<SessionsTable>;

/**
 * The columns the hot transaction writes return: what their events and the service read. A full
 * row costs ~50 µs to bring back from PGlite (ADR 026), and these writes return one per message.
 */
export const SESSION_HEAD_COLUMNS = [
  'id',
  'tenant_id',
  'station_id',
  'evse_id',
  'connector_id',
  'ocpp16_transaction_id',
  'station_tx_id',
  'start_key',
  'id_token',
  'auth_status',
  'status',
  'stop_reason',
  'started_at',
  'stopped_at',
  'energy_wh',
  'remote_start_id',
  'offline',
  'awaiting_messages',
] as const satisfies readonly (keyof SessionRow)[];
export type SessionHead = Pick<SessionRow, (typeof SESSION_HEAD_COLUMNS)[number]>;

/** `s.id, s.tenant_id, ...` for a RETURNING or SELECT list. */
export const sessionHeadOf = (alias: string) => sql.raw(SESSION_HEAD_COLUMNS.map((c) => `${alias}.${c}`).join(', '));
export type NewSampleRow = Insertable<MeterSamplesTable>;
export type NewEventRow = Insertable<SessionEventsTable>;

/** stop_reason of a session closed because a newer one started on its connector. */
export const SUPERSEDED = 'Superseded';

/**
 * stop_reason of a 2.x session closed because its station, asked after a reconnect (E14), said
 * the transaction is not ongoing and nothing about it is queued: it ended (or the station no
 * longer knows it) and its Ended never reached us. Not an OCPP reason: ours, so nobody mistakes
 * it for what the station reported. A late Ended still replaces it with the station's reason.
 */
export const ENDED_UNREPORTED = 'EndedUnreported';
