import { createHash } from 'node:crypto';
import type { SessionHead, NewSampleRow } from './session-rows.js';
import type { OutboxEvent } from './outbox.js';
import type { MeterSampled, TransactionAwaitingMessages, TransactionEnded, TransactionStarted, TransactionStatusChecked, TransactionUpdated } from './events.js';
import { ENERGY_REGISTER, POWER_IMPORT } from './meter.js';
import type { TransactionStatusAnswer } from './types.js';
import { parseStatus } from './session-view.js';

/**
 * The transactions module's domain events, each with the stable id the outbox stores it under
 * (ADR 008). Ids name what happened, so the same fact staged twice is one event: a session
 * starts once and ends once; an Updated is per 2.0.1 seqNo (or per change, for the rest).
 */

function ref(row: SessionHead) {
  return { sessionId: row.id, stationId: row.station_id, evseId: row.evse_id, transactionId: row.station_tx_id };
}

export function startedEvent(tenantId: string, row: SessionHead, at: Date): OutboxEvent & TransactionStarted {
  return {
    id: `TransactionStarted:${row.id}`,
    type: 'TransactionStarted',
    tenantId,
    occurredAt: at,
    payload: { ...ref(row), idToken: row.id_token, startedAt: row.started_at.toISOString(), remoteStartId: row.remote_start_id },
  };
}

/** `change` makes the id: a 2.0.1 seqNo, or another name for what changed. */
export function updatedEvent(tenantId: string, row: SessionHead, change: string, at: Date): OutboxEvent & TransactionUpdated {
  return {
    id: `TransactionUpdated:${row.id}:${change}`,
    type: 'TransactionUpdated',
    tenantId,
    occurredAt: at,
    payload: { ...ref(row), status: parseStatus(row.status), idToken: row.id_token, energyWh: Number(row.energy_wh ?? 0) },
  };
}

export function endedEvent(tenantId: string, row: SessionHead, at: Date): OutboxEvent & TransactionEnded {
  return {
    id: `TransactionEnded:${row.id}`,
    type: 'TransactionEnded',
    tenantId,
    occurredAt: at,
    payload: {
      ...ref(row),
      idToken: row.id_token,
      stopReason: row.stop_reason,
      startedAt: row.started_at.toISOString(),
      stoppedAt: (row.stopped_at ?? at).toISOString(),
      energyWh: Number(row.energy_wh ?? 0),
    },
  };
}

export function awaitingMessagesEvent(tenantId: string, row: SessionHead, missingSeqNos: number[], at: Date): OutboxEvent & TransactionAwaitingMessages {
  return {
    id: `TransactionAwaitingMessages:${row.id}`,
    type: 'TransactionAwaitingMessages',
    tenantId,
    occurredAt: at,
    payload: { ...ref(row), missingSeqNos },
  };
}

export function statusCheckedEvent(
  tenantId: string,
  row: SessionHead,
  answer: TransactionStatusAnswer,
  closed: boolean,
  checkId: string,
  at: Date,
): OutboxEvent & TransactionStatusChecked {
  return {
    id: `TransactionStatusChecked:${row.id}:${checkId}`,
    type: 'TransactionStatusChecked',
    tenantId,
    occurredAt: at,
    payload: { ...ref(row), ongoingIndicator: answer.ongoingIndicator ?? null, messagesInQueue: answer.messagesInQueue, closed },
  };
}

/**
 * One MeterValues' samples. The id is a digest of the readings' keys, so a retried MeterValues
 * (same readings) is the same event and is not published again.
 */
export function meterSampledEvent(tenantId: string, stationId: string, evseId: number, rows: readonly NewSampleRow[], at: Date): (OutboxEvent & MeterSampled) | undefined {
  const last = rows[rows.length - 1];
  if (!last) return undefined;
  const digest = createHash('sha256');
  for (const r of rows) digest.update(`${(r.sampled_at as Date).toISOString()}|${r.measurand}|${r.phase}|${r.location}\n`);
  const register = rows.filter((r) => r.measurand === ENERGY_REGISTER && r.phase === '').at(-1);
  const power = rows.filter((r) => r.measurand === POWER_IMPORT && r.phase === '').at(-1);
  return {
    id: `MeterSampled:${stationId}:${evseId}:${digest.digest('base64url').slice(0, 22)}`,
    type: 'MeterSampled',
    tenantId,
    occurredAt: at,
    payload: {
      stationId,
      evseId,
      sessionId: last.session_id ?? null,
      samples: rows.length,
      energyRegisterWh: register?.normalised_value ?? null,
      powerW: power?.normalised_value ?? null,
      at: (last.sampled_at as Date).toISOString(),
    },
  };
}
