import { ENERGY_REGISTER } from './meter.js';
import { sampleRows } from './sample-rows.js';
import type { NewSessionRow, SessionHead } from './session-rows.js';
import type { NumberedSessionInsert } from './session-inserts.js';
import type { StartWrite, StopWrite } from './numbered-writes.js';
import type { SessionEventWrite } from './event-writes.js';
import type { ChargingState, MeterReading, SessionStatus, StartRequest, StopRequest, TokenVerdict, TransactionEventInput } from './types.js';

/**
 * What each transaction message writes, as the rows the group-committed statements take: the
 * service decides which to write, these say what goes in them. Each is idempotent by its natural
 * key (start_key, station transaction id, event key, reading key), so writing it twice is once.
 */

const CHARGING_STATE_STATUS: Record<ChargingState, SessionStatus> = {
  Charging: 'charging',
  SuspendedEV: 'suspended_ev',
  SuspendedEVSE: 'suspended_evse',
  EVConnected: 'idle',
  Idle: 'pending',
};

/** What makes two 1.6 StartTransactions the same (a retry gets the first one's session). */
export function startKeyOf(req: StartRequest): string {
  return `${req.connectorId}|${req.idToken.idToken}|${req.timestamp.toISOString()}|${req.meterStartWh}`;
}

/** A 1.6 start's CSMS-numbered session. */
export function numberedSession(tenantId: string, stationId: string, req: StartRequest, verdict: TokenVerdict, id: string, now: Date): NumberedSessionInsert {
  return {
    id,
    tenant_id: tenantId,
    station_id: stationId,
    evse_id: req.evseId,
    connector_id: req.connectorId,
    start_key: startKeyOf(req),
    id_token: req.idToken.idToken,
    id_token_type: req.idToken.type,
    auth_status: verdict.status,
    status: verdict.status === 'Accepted' ? 'charging' : 'pending',
    started_at: req.timestamp,
    meter_start_wh: req.meterStartWh,
    reservation_id: req.reservationId ?? null,
    offline: req.timestamp.getTime() < now.getTime() - 5 * 60_000,
    updated_at: now,
  };
}

/** A 1.6 start's Started record, its Transaction.Begin reading, and the superseding it causes. */
export function startWrite(tenantId: string, stationId: string, req: StartRequest, row: SessionHead, now: Date): StartWrite {
  return {
    session: row,
    event: {
      tenant_id: tenantId,
      station_id: stationId,
      station_tx_id: row.station_tx_id,
      event_key: 'start',
      seq_no: null,
      session_id: row.id,
      event_type: 'Started',
      trigger_reason: null,
      offline: row.offline,
      occurred_at: req.timestamp,
      payload: { ...req, timestamp: req.timestamp.toISOString() },
      received_at: now,
    },
    evseId: req.evseId,
    now,
    samples: sampleRows(tenantId, stationId, req.evseId, row.id, [
      { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.Begin', value: req.meterStartWh, unit: 'Wh' },
    ]),
  };
}

/** A 1.6 stop's readings, with its Transaction.End reading last. */
export function stopReadings(req: StopRequest): MeterReading[] {
  return [...req.readings, { sampledAt: req.timestamp, measurand: ENERGY_REGISTER, context: 'Transaction.End', value: req.meterStopWh, unit: 'Wh' }];
}

/** A 1.6 stop's Ended record and the finish of its session. */
export function stopWrite(tenantId: string, stationId: string, req: StopRequest, sessionId: string, samples: StopWrite['samples'], now: Date): StopWrite {
  return {
    event: {
      tenant_id: tenantId,
      station_id: stationId,
      station_tx_id: String(req.transactionId),
      event_key: 'stop',
      seq_no: null,
      session_id: sessionId,
      event_type: 'Ended',
      trigger_reason: null,
      offline: false,
      occurred_at: req.timestamp,
      payload: { ...req, timestamp: req.timestamp.toISOString() },
      received_at: now,
    },
    stop: { stoppedAt: req.timestamp, meterStopWh: req.meterStopWh, reason: req.reason ?? 'Local', stopIdToken: req.idToken?.idToken ?? null, now },
    // Written first in the batch's transaction, so the energy the stop reports includes them.
    samples,
  };
}

/** A 2.x transaction's session, created by its first event seen, whatever the event. */
export function stationSession(tenantId: string, stationId: string, ev: TransactionEventInput, id: string, now: Date): NewSessionRow {
  return {
    id,
    tenant_id: tenantId,
    station_id: stationId,
    evse_id: ev.evseId ?? null,
    connector_id: ev.connectorId ?? null,
    station_tx_id: ev.stationTxId,
    status: (ev.chargingState && CHARGING_STATE_STATUS[ev.chargingState]) ?? 'pending',
    started_at: ev.timestamp,
    remote_start_id: ev.remoteStartId ?? null,
    reservation_id: ev.reservationId ?? null,
    offline: ev.offline,
    updated_at: now,
  };
}

/** A 2.x TransactionEvent's record, the changes it makes to its session, and its readings. */
export function transactionEventWrite(tenantId: string, stationId: string, ev: TransactionEventInput, sessionId: string, evseId: number, now: Date): SessionEventWrite {
  return {
    patch: {
      seqNo: ev.seqNo,
      timestamp: ev.timestamp,
      ended: ev.eventType === 'Ended',
      status: ev.chargingState ? CHARGING_STATE_STATUS[ev.chargingState] : undefined,
      stopReason: ev.stoppedReason,
      evseId: ev.evseId,
      connectorId: ev.connectorId,
      idToken: ev.idToken,
      remoteStartId: ev.remoteStartId,
      reservationId: ev.reservationId,
      offline: ev.offline,
      now,
    },
    event: {
      tenant_id: tenantId,
      station_id: stationId,
      station_tx_id: ev.stationTxId,
      event_key: String(ev.seqNo),
      seq_no: ev.seqNo,
      session_id: sessionId,
      event_type: ev.eventType,
      trigger_reason: ev.triggerReason,
      offline: ev.offline,
      occurred_at: ev.timestamp,
      payload: ev.raw,
      received_at: now,
    },
    // Written first in the batch's transaction, so the energy an Ended reports includes its own readings.
    samples: sampleRows(tenantId, stationId, evseId, sessionId, ev.readings),
  };
}
