import { DomainError } from '../../platform/errors.js';
import { PartCollector, type CommandOutcome, type CustomerInformationCommand, type CustomerInformationReports, type DisplayMessageFilter, type DisplayMessagesOutcome } from '../../modules/commands/index.js';
import type { RequestedBy } from '../../platform/requester.js';
import type { OcppVersion } from '../rpc/versions.js';
import { connectedVersion, newRequestId, sendCommand, type CommandSender } from './command-sender.js';

export interface DisplayAndCustomerDeps {
  sender: CommandSender;
  /** NotifyDisplayMessages parts, each the messageInfo list of one message. */
  displayMessages: PartCollector<Record<string, unknown>[]>;
  customerInformation: CustomerInformationReports;
}

/** 2.0.1 display messages (O01–O06) and CustomerInformation (N09/N10); 1.6 has neither. */
export class DisplayAndCustomerMapper {
  constructor(private readonly deps: DisplayAndCustomerDeps) {}

  setDisplayMessage(tenantId: string, stationId: string, message: Record<string, unknown>, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = this.v2(tenantId, stationId, 'display messages');
    return sendCommand(this.deps.sender, { tenantId, stationId, version, requestedBy }, 'SetDisplayMessage', { message });
  }

  clearDisplayMessage(tenantId: string, stationId: string, id: number, requestedBy: RequestedBy): Promise<CommandOutcome> {
    const version = this.v2(tenantId, stationId, 'display messages');
    return sendCommand(this.deps.sender, { tenantId, stationId, version, requestedBy }, 'ClearDisplayMessage', { id });
  }

  /** O04: Accepted is followed by NotifyDisplayMessages parts; Unknown means none match. */
  async getDisplayMessages(tenantId: string, stationId: string, filter: DisplayMessageFilter, waitMs: number, requestedBy: RequestedBy): Promise<DisplayMessagesOutcome> {
    const version = this.v2(tenantId, stationId, 'display messages');
    const requestId = newRequestId();
    const request: Record<string, unknown> = { requestId };
    if (filter.ids && filter.ids.length > 0) request['id'] = filter.ids;
    if (filter.priority !== undefined) request['priority'] = filter.priority;
    if (filter.state !== undefined) request['state'] = filter.state;
    const key = PartCollector.key(tenantId, stationId, requestId);
    const parts = this.deps.displayMessages.wait(key, waitMs);
    try {
      const outcome = await sendCommand(this.deps.sender, { tenantId, stationId, version, requestedBy }, 'GetDisplayMessages', request);
      if (outcome.status !== 'Accepted') {
        this.deps.displayMessages.cancel(key);
        return { ...outcome, requestId, messages: [], complete: true };
      }
      const collected = await parts;
      return { ...outcome, requestId, messages: collected.parts.flat(), complete: collected.complete };
    } catch (err) {
      this.deps.displayMessages.cancel(key);
      throw err;
    }
  }

  /** N09/N10: the answer is stored, and with report=true the data parts are assembled and stored. */
  async customerInformation(tenantId: string, stationId: string, command: CustomerInformationCommand, waitMs: number, requestedBy: RequestedBy): Promise<CommandOutcome & { requestId: number }> {
    const version = this.v2(tenantId, stationId, 'CustomerInformation');
    const reports = this.deps.customerInformation;
    const requestId = newRequestId();
    const request: Record<string, unknown> = { requestId, report: command.report, clear: command.clear };
    if (command.customerIdentifier !== undefined) request['customerIdentifier'] = command.customerIdentifier;
    if (command.idToken !== undefined) request['idToken'] = command.idToken;
    if (command.customerCertificate !== undefined) request['customerCertificate'] = command.customerCertificate;
    const parts = command.report ? reports.wait(tenantId, stationId, requestId, waitMs) : undefined;
    try {
      const outcome = await sendCommand(this.deps.sender, { tenantId, stationId, version, requestedBy }, 'CustomerInformation', request);
      await reports.requested(tenantId, stationId, requestId, requestedBy, outcome.status);
      if (parts && outcome.status === 'Accepted') await parts;
      else reports.cancel(tenantId, stationId, requestId);
      return { ...outcome, requestId };
    } catch (err) {
      reports.cancel(tenantId, stationId, requestId);
      throw err;
    }
  }

  private v2(tenantId: string, stationId: string, what: string): OcppVersion {
    const version = connectedVersion(this.deps.sender, tenantId, stationId);
    if (version === 'ocpp1.6') throw new DomainError('Conflict', `${what} need OCPP 2.0.1 or later; station ${stationId} speaks 1.6`);
    return version;
  }
}
