import { DomainError } from '../../platform/errors.js';
import type { OcppGateway } from '../gateway/gateway.js';
import type { OcppVersion } from '../rpc/versions.js';
import { versionLabel } from '../rpc/versions.js';
import type { CommandOutcome } from '../../modules/commands/index.js';
import type { RequestedBy } from '../../platform/requester.js';

export type CommandSender = Pick<OcppGateway, 'send' | 'versionOf'>;

/** The version a connected station speaks; StationOffline otherwise. */
export function connectedVersion(sender: CommandSender, tenantId: string, stationId: string): OcppVersion {
  const version = sender.versionOf(tenantId, stationId);
  if (!version) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
  return version;
}

/** Sends one CALL on behalf of `requestedBy` and describes it as a command outcome. */
export async function sendCommand(
  sender: CommandSender,
  to: { tenantId: string; stationId: string; version: OcppVersion; requestedBy: RequestedBy },
  action: string,
  request: Record<string, unknown>,
): Promise<CommandOutcome> {
  const { tenantId, stationId, version, requestedBy } = to;
  const response = await sender.send(tenantId, stationId, action, request, { requestedBy });
  const status = response['status'];
  return { action, ocppVersion: versionLabel(version), request, response, status: typeof status === 'string' ? status : 'Answered' };
}

/** A request the station's version cannot express: a 400 naming the field. */
export function notInVersion(version: OcppVersion, field: string, what: string): DomainError {
  return new DomainError('InvalidInput', `${what} is not available in OCPP ${versionLabel(version)}`, { field });
}

/** A 31-bit request id for the requests whose reports come back in parts. */
export function newRequestId(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
