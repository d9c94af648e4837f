import type { RequestedBy } from '../../platform/requester.js';

/**
 * Version-free remote commands as the API states them. The OCPP adapter maps each to the
 * station's version (src/ocpp/commands) and answers with what it sent and what came back.
 */

export interface ResetCommand {
  /** Immediate/OnIdle (2.0.1 B11/B12); Hard/Soft (1.6 §5.14). Each maps to the other version's nearest. */
  type: 'Immediate' | 'OnIdle' | 'Hard' | 'Soft';
  /** 2.0.1 only: reset one EVSE (B11.FR.08). */
  evseId?: number | undefined;
}

export interface UnlockCommand {
  /** 1.6: the connectorId. */
  evseId: number;
  /** 2.0.1: the connector of the EVSE; 1 when left out. */
  connectorId?: number | undefined;
}

export interface AvailabilityCommand {
  operative: boolean;
  /** Absent: the whole station (1.6 connectorId 0). */
  evseId?: number | undefined;
  /** 2.0.1 only: one connector of the EVSE. */
  connectorId?: number | undefined;
}

export interface TriggerCommand {
  requestedMessage: string;
  evseId?: number | undefined;
  connectorId?: number | undefined;
  /** 1.6: send ExtendedTriggerMessage even for a message TriggerMessage knows. */
  extended?: boolean | undefined;
}

export interface DataTransferCommand {
  vendorId: string;
  messageId?: string | undefined;
  data?: unknown;
}

export interface DisplayMessageFilter {
  ids?: number[] | undefined;
  priority?: string | undefined;
  state?: string | undefined;
}

export interface CustomerInformationCommand {
  report: boolean;
  clear: boolean;
  customerIdentifier?: string | undefined;
  idToken?: { idToken: string; type: string } | undefined;
  customerCertificate?: Record<string, unknown> | undefined;
}

/** What a typed command answers: the message sent, in the station's version, and its reply. */
export interface CommandOutcome {
  action: string;
  ocppVersion: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
  status: string;
}

export interface DisplayMessagesOutcome extends CommandOutcome {
  requestId: number;
  messages: Record<string, unknown>[];
  /** False when the station did not send its last NotifyDisplayMessages in time. */
  complete: boolean;
}

export interface RemoteCommands {
  reset(tenantId: string, stationId: string, command: ResetCommand, requestedBy: RequestedBy): Promise<CommandOutcome>;
  unlock(tenantId: string, stationId: string, command: UnlockCommand, requestedBy: RequestedBy): Promise<CommandOutcome>;
  changeAvailability(tenantId: string, stationId: string, command: AvailabilityCommand, requestedBy: RequestedBy): Promise<CommandOutcome>;
  trigger(tenantId: string, stationId: string, command: TriggerCommand, requestedBy: RequestedBy): Promise<CommandOutcome>;
  clearCache(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<CommandOutcome>;
  dataTransfer(tenantId: string, stationId: string, command: DataTransferCommand, requestedBy: RequestedBy): Promise<CommandOutcome>;
  setDisplayMessage(tenantId: string, stationId: string, message: Record<string, unknown>, requestedBy: RequestedBy): Promise<CommandOutcome>;
  getDisplayMessages(tenantId: string, stationId: string, filter: DisplayMessageFilter, waitMs: number, requestedBy: RequestedBy): Promise<DisplayMessagesOutcome>;
  clearDisplayMessage(tenantId: string, stationId: string, id: number, requestedBy: RequestedBy): Promise<CommandOutcome>;
  customerInformation(tenantId: string, stationId: string, command: CustomerInformationCommand, waitMs: number, requestedBy: RequestedBy): Promise<CommandOutcome & { requestId: number }>;
}
