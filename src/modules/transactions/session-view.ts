import type { SessionRow } from './session-rows.js';
import { SESSION_STATUSES, type SessionStatus, type SessionView, type TransactionStatusView } from './types.js';

/** How a session row reads in the API: its view and its last GetTransactionStatus answer. */

export function transactionStatusOf(row: SessionRow): TransactionStatusView | null {
  if (!row.tx_status_checked_at || row.tx_status_messages_in_queue === null) return null;
  return { checkedAt: row.tx_status_checked_at.toISOString(), ongoingIndicator: row.tx_status_ongoing, messagesInQueue: row.tx_status_messages_in_queue };
}

export function parseStatus(value: string): SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value) ? (value as SessionStatus) : 'pending';
}

export function toView(row: SessionRow): SessionView {
  return {
    id: row.id,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    transactionId: row.station_tx_id,
    idToken: row.id_token,
    idTokenType: row.id_token_type,
    stopIdToken: row.stop_id_token,
    status: parseStatus(row.status),
    stopReason: row.stop_reason,
    startedAt: row.started_at.toISOString(),
    stoppedAt: row.stopped_at ? row.stopped_at.toISOString() : null,
    meterStartWh: row.meter_start_wh === null ? null : Number(row.meter_start_wh),
    meterStopWh: row.meter_stop_wh === null ? null : Number(row.meter_stop_wh),
    energyWh: Number(row.energy_wh ?? 0),
    remoteStartId: row.remote_start_id,
    reservationId: row.reservation_id,
    offline: row.offline,
    awaitingMessages: row.awaiting_messages,
  };
}
