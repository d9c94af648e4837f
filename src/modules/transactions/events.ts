import type { DomainEvent } from '../../platform/bus.js';
import type { SessionStatus } from './types.js';

interface SessionRef {
  sessionId: string;
  stationId: string;
  evseId: number | null;
  transactionId: string;
}

export type TransactionStarted = DomainEvent<'TransactionStarted', SessionRef & { idToken: string | null; startedAt: string; remoteStartId: number | null }>;
export type TransactionUpdated = DomainEvent<'TransactionUpdated', SessionRef & { status: SessionStatus; idToken: string | null; energyWh: number }>;
export type TransactionEnded = DomainEvent<
  'TransactionEnded',
  SessionRef & { idToken: string | null; stopReason: string | null; startedAt: string; stoppedAt: string; energyWh: number }
>;
export type MeterSampled = DomainEvent<
  'MeterSampled',
  { stationId: string; evseId: number; sessionId: string | null; samples: number; energyRegisterWh: number | null; powerW: number | null; at: string }
>;

/** E14: a station answered GetTransactionStatus for an open session; `closed` when that answer ended it. */
export type TransactionStatusChecked = DomainEvent<
  'TransactionStatusChecked',
  SessionRef & { ongoingIndicator: boolean | null; messagesInQueue: boolean; closed: boolean }
>;

/**
 * E14 / TC_E_31: an Ended arrived while earlier seqNos are missing. The session is held, ended but
 * awaiting those messages; TransactionEnded follows once they arrive or the station says none are queued.
 */
export type TransactionAwaitingMessages = DomainEvent<'TransactionAwaitingMessages', SessionRef & { missingSeqNos: number[] }>;

export type TransactionsEvent =
  | TransactionStarted
  | TransactionUpdated
  | TransactionEnded
  | MeterSampled
  | TransactionStatusChecked
  | TransactionAwaitingMessages;
