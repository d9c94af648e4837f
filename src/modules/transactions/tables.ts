import type { Generated } from 'kysely';

/** One charging session, whichever OCPP version carried it. */
export interface SessionsTable {
  id: string;
  tenant_id: string;
  station_id: string;
  evse_id: number | null;
  connector_id: number | null;
  /** CSMS-assigned integer id (OCPP 1.6), from the `ocpp16_transaction_id` sequence. */
  ocpp16_transaction_id: number | null;
  /** The id the station knows the transaction by: 2.0.1 transactionId, or the 1.6 integer as text. */
  station_tx_id: string;
  /** 1.6 StartTransaction natural key (connector, idTag, timestamp, meterStart): a retried start finds its session. */
  start_key: string | null;
  id_token: string | null;
  id_token_type: string | null;
  stop_id_token: string | null;
  /** Authorization status answered for the starting token, replayed to a retried start. */
  auth_status: string | null;
  /** pending | charging | suspended_ev | suspended_evse | idle | finished */
  status: string;
  stop_reason: string | null;
  started_at: Date;
  stopped_at: Date | null;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  energy_wh: number | null;
  /** Running state of energy_wh (session-energy.ts): the unrounded sum and the latest register reading. */
  energy_sum_wh: number | null;
  energy_register_at: Date | null;
  energy_register_wh: number | null;
  remote_start_id: number | null;
  reservation_id: number | null;
  last_seq_no: number | null;
  /** E14: the station's last GetTransactionStatus answer for this transaction (asked after a reconnect). */
  tx_status_checked_at: Date | null;
  tx_status_ongoing: boolean | null;
  tx_status_messages_in_queue: boolean | null;
  /** E14: ended with seqNos missing; TransactionEnded waits for them, or for the station to say none are queued. */
  awaiting_messages: Generated<boolean>;
  offline: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Date;
}

/** Every transaction message as received; the unique key makes a retried message a no-op. */
export interface SessionEventsTable {
  tenant_id: string;
  station_id: string;
  station_tx_id: string;
  /** 2.0.1 seqNo as text; 1.6 'start' or 'stop'. */
  event_key: string;
  seq_no: number | null;
  session_id: string;
  event_type: string;
  trigger_reason: string | null;
  offline: boolean;
  occurred_at: Date;
  payload: unknown;
  received_at: Date;
}

/** Time series of everything a meter reports; written in batches. */
export interface MeterSamplesTable {
  tenant_id: string;
  session_id: string | null;
  station_id: string;
  evse_id: number;
  sampled_at: Date;
  measurand: string;
  /** '' when the sample is not per phase (so the dedupe key needs no NULL handling). */
  phase: string;
  location: string;
  context: string;
  value: number | null;
  unit: string | null;
  /** The value in the base unit (Wh, W, A, V, %, ...), see `normalised_unit`. */
  normalised_value: number | null;
  normalised_unit: string | null;
  signed_data: string | null;
}

/**
 * Domain events written in the same database transaction as the record that caused them, then
 * published; a row still unpublished at start-up is published then (ADR 008).
 */
/** One row per committed batch that caused events (ADR 008, 026); deleted once they are published. */
export interface TransactionOutboxBatchesTable {
  /** Staging order: the relay publishes in it. */
  seq: Generated<number>;
  /** The batch's events, in order: [{ id, type, tenantId, occurredAt, payload }]. */
  events: unknown;
  created_at: Generated<Date>;
}

export interface TransactionsTables {
  sessions: SessionsTable;
  session_events: SessionEventsTable;
  meter_samples: MeterSamplesTable;
  transaction_outbox_batches: TransactionOutboxBatchesTable;
}
