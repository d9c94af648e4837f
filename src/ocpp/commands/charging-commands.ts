import { DomainError } from '../../platform/errors.js';
import type { RequestedBy } from '../../platform/requester.js';
import type { OcppGateway } from '../gateway/gateway.js';

export interface StartChargingCommand {
  /** EVSE (2.0.1) or connector (1.6); absent lets the station choose. */
  evseId?: number | undefined;
  /** type '' is a 1.6 idTag (no type); 2.x stations need one. */
  idToken: { idToken: string; type: string };
  /** Correlates the transaction that follows (2.0.1 remoteStartId); 1.6 has no such field. */
  remoteStartId: number;
}

export interface StopChargingCommand {
  /** 1.6: the integer transactionId we assigned; 2.0.1: the station's transactionId. */
  transactionId: string | number;
}

export interface CommandAnswer {
  status: 'Accepted' | 'Rejected';
  /** 2.0.1 RequestStartTransaction may name a transaction already running on the EVSE. */
  transactionId?: string | undefined;
  statusInfo?: Record<string, unknown> | undefined;
}

/**
 * Maps version-free charging commands to each version's OCPP message: 1.6 Remote
 * Start/StopTransaction (§5.11, §5.12), 2.0.1 Request Start/StopTransaction (F01, F03).
 */
export class ChargingCommandMapper {
  constructor(private readonly gateway: OcppGateway) {}

  async start(tenantId: string, stationId: string, command: StartChargingCommand, requestedBy: RequestedBy): Promise<CommandAnswer> {
    const version = this.versionOf(tenantId, stationId);
    if (version === 'ocpp1.6') {
      const payload: Record<string, unknown> = { idTag: command.idToken.idToken };
      if (command.evseId !== undefined) payload['connectorId'] = command.evseId;
      const answer = await this.gateway.send(tenantId, stationId, 'RemoteStartTransaction', payload, { requestedBy });
      return { status: answer['status'] === 'Accepted' ? 'Accepted' : 'Rejected' };
    }
    if (!command.idToken.type) {
      throw new DomainError('InvalidInput', 'an OCPP 2.x station needs the token type: send idToken as {"idToken", "type"}', { field: 'idToken' });
    }
    const payload: Record<string, unknown> = { idToken: command.idToken, remoteStartId: command.remoteStartId };
    if (command.evseId !== undefined) payload['evseId'] = command.evseId;
    const answer = await this.gateway.send(tenantId, stationId, 'RequestStartTransaction', payload, { requestedBy });
    return {
      status: answer['status'] === 'Accepted' ? 'Accepted' : 'Rejected',
      transactionId: typeof answer['transactionId'] === 'string' ? answer['transactionId'] : undefined,
      statusInfo: answer['statusInfo'] as Record<string, unknown> | undefined,
    };
  }

  async stop(tenantId: string, stationId: string, command: StopChargingCommand, requestedBy: RequestedBy): Promise<CommandAnswer> {
    const version = this.versionOf(tenantId, stationId);
    if (version === 'ocpp1.6') {
      const transactionId = Number(command.transactionId);
      if (!Number.isInteger(transactionId)) throw new DomainError('InvalidInput', 'a 1.6 transaction id is an integer');
      const answer = await this.gateway.send(tenantId, stationId, 'RemoteStopTransaction', { transactionId }, { requestedBy });
      return { status: answer['status'] === 'Accepted' ? 'Accepted' : 'Rejected' };
    }
    const answer = await this.gateway.send(tenantId, stationId, 'RequestStopTransaction', { transactionId: String(command.transactionId) }, { requestedBy });
    return { status: answer['status'] === 'Accepted' ? 'Accepted' : 'Rejected', statusInfo: answer['statusInfo'] as Record<string, unknown> | undefined };
  }

  private versionOf(tenantId: string, stationId: string) {
    const version = this.gateway.versionOf(tenantId, stationId);
    if (!version) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    return version;
  }
}
