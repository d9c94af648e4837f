import type {
  AvailabilityCommand,
  CommandOutcome,
  DataTransferCommand,
  ResetCommand,
  TriggerCommand,
  UnlockCommand,
} from '../../modules/commands/index.js';
import type { RequestedBy } from '../../platform/requester.js';
import { connectedVersion, notInVersion, sendCommand, type CommandSender } from './command-sender.js';

/** 1.6 TriggerMessage (§5.17) and ExtendedTriggerMessage (security whitepaper) messages. */
const TRIGGER_16 = new Set(['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification']);
const EXTENDED_TRIGGER_16 = new Set(['BootNotification', 'LogStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'SignChargePointCertificate', 'StatusNotification']);
/** 2.0.1 MessageTriggerEnumType (F06). */
const TRIGGER_201 = new Set([
  'BootNotification',
  'LogStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'SignChargingStationCertificate',
  'SignV2GCertificate',
  'StatusNotification',
  'TransactionEvent',
  'SignCombinedCertificate',
  'PublishFirmwareStatusNotification',
]);
/** Every message some version can trigger, for the API's schema. */
export const TRIGGERABLE_MESSAGES = [...new Set([...TRIGGER_16, ...EXTENDED_TRIGGER_16, ...TRIGGER_201])].sort();

/** The two versions name the station certificate request differently. */
const CERTIFICATE_16 = 'SignChargePointCertificate';
const CERTIFICATE_201 = 'SignChargingStationCertificate';

/**
 * Maps the version-free remote commands to each version: 1.6 Reset §5.14, UnlockConnector §5.18,
 * ChangeAvailability §5.2, TriggerMessage §5.17 / ExtendedTriggerMessage, ClearCache §5.4,
 * DataTransfer §5.6; 2.0.1 B11/B12, F05, G03/G04, F06, C11, P01. A 1.6 connector is addressed as
 * evseId, as everywhere in Ampline.
 */
export class StationCommandMapper {
  constructor(private readonly sender: CommandSender) {}

  reset(tenantId: string, stationId: string, command: ResetCommand, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    if (version === 'ocpp1.6') {
      if (command.evseId !== undefined) throw notInVersion(version, 'evseId', 'resetting one EVSE');
      // Immediate stops transactions now (Hard); OnIdle lets them end first (Soft stops them gracefully).
      const type = command.type === 'Immediate' || command.type === 'Hard' ? 'Hard' : 'Soft';
      return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'Reset', { type });
    }
    const request: Record<string, unknown> = { type: command.type === 'Immediate' || command.type === 'Hard' ? 'Immediate' : 'OnIdle' };
    if (command.evseId !== undefined) request['evseId'] = command.evseId;
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'Reset', request);
  }

  unlock(tenantId: string, stationId: string, command: UnlockCommand, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    if (version === 'ocpp1.6') {
      if (command.connectorId !== undefined && command.connectorId !== 1) throw notInVersion(version, 'connectorId', 'a connector number within an EVSE');
      return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'UnlockConnector', { connectorId: command.evseId });
    }
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'UnlockConnector', { evseId: command.evseId, connectorId: command.connectorId ?? 1 });
  }

  changeAvailability(tenantId: string, stationId: string, command: AvailabilityCommand, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    const status = command.operative ? 'Operative' : 'Inoperative';
    if (version === 'ocpp1.6') {
      if (command.connectorId !== undefined) throw notInVersion(version, 'connectorId', 'a connector number within an EVSE (use evseId)');
      return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'ChangeAvailability', { connectorId: command.evseId ?? 0, type: status });
    }
    if (command.connectorId !== undefined && command.evseId === undefined) throw notInVersion(version, 'evseId', 'a connector without its EVSE');
    const request: Record<string, unknown> = { operationalStatus: status };
    if (command.evseId !== undefined) request['evse'] = command.connectorId !== undefined ? { id: command.evseId, connectorId: command.connectorId } : { id: command.evseId };
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'ChangeAvailability', request);
  }

  trigger(tenantId: string, stationId: string, command: TriggerCommand, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    if (version === 'ocpp1.6') {
      const message = command.requestedMessage === CERTIFICATE_201 ? CERTIFICATE_16 : command.requestedMessage;
      if (command.connectorId !== undefined) throw notInVersion(version, 'connectorId', 'a connector number within an EVSE (use evseId)');
      const request: Record<string, unknown> = { requestedMessage: message };
      if (command.evseId !== undefined) request['connectorId'] = command.evseId;
      if (!command.extended && TRIGGER_16.has(message)) return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'TriggerMessage', request);
      if (EXTENDED_TRIGGER_16.has(message)) return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'ExtendedTriggerMessage', request);
      throw notInVersion(version, 'requestedMessage', `triggering ${command.requestedMessage}${command.extended ? ' with ExtendedTriggerMessage' : ''}`);
    }
    const message = command.requestedMessage === CERTIFICATE_16 ? CERTIFICATE_201 : command.requestedMessage;
    if (!TRIGGER_201.has(message)) throw notInVersion(version, 'requestedMessage', `triggering ${command.requestedMessage}`);
    if (command.connectorId !== undefined && command.evseId === undefined) throw notInVersion(version, 'evseId', 'a connector without its EVSE');
    const request: Record<string, unknown> = { requestedMessage: message };
    if (command.evseId !== undefined) request['evse'] = command.connectorId !== undefined ? { id: command.evseId, connectorId: command.connectorId } : { id: command.evseId };
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'TriggerMessage', request);
  }

  clearCache(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'ClearCache', {});
  }

  dataTransfer(tenantId: string, stationId: string, command: DataTransferCommand, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = connectedVersion(this.sender, tenantId, stationId);
    const request: Record<string, unknown> = { vendorId: command.vendorId };
    if (command.messageId !== undefined) request['messageId'] = command.messageId;
    if (command.data !== undefined) {
      // 1.6 data is a string: structured data travels as its JSON text.
      request['data'] = version === 'ocpp1.6' && typeof command.data !== 'string' ? JSON.stringify(command.data) : command.data;
    }
    return sendCommand(this.sender, { tenantId, stationId, version, requestedBy }, 'DataTransfer', request);
  }
}
