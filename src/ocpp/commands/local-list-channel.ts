import type { LocalListChannel, LocalListLimits, LocalListProtocol, PlannedMessage } from '../../modules/commands/index.js';
import { GROUP_ID_TOKEN_TYPE } from '../../modules/authorization/index.js';
import type { RequestedBy } from '../../platform/requester.js';
import { connectedVersion, type CommandSender } from './command-sender.js';

/**
 * Local authorization list messages per version: 1.6 SendLocalList §5.15 / GetLocalListVersion
 * §5.10 (limits from the SendLocalListMaxLength and LocalAuthListMaxLength keys, §9.1), 2.0.1 D01/D02
 * (limit from LocalAuthListCtrlr.ItemsPerMessage, D01.FR.11).
 */
export class LocalListMessages implements LocalListChannel {
  constructor(private readonly sender: CommandSender) {}

  protocolOf(tenantId: string, stationId: string): LocalListProtocol {
    return connectedVersion(this.sender, tenantId, stationId) === 'ocpp1.6' ? '1.6' : '2.0.1';
  }

  async limits(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<LocalListLimits> {
    try {
      if (this.protocolOf(tenantId, stationId) === '1.6') {
        const answer = await this.sender.send(tenantId, stationId, 'GetConfiguration', { key: ['SendLocalListMaxLength', 'LocalAuthListMaxLength'] }, { requestedBy });
        const keys = (answer['configurationKey'] ?? []) as { key: string; value?: string }[];
        const value = (name: string) => positive(keys.find((k) => k.key === name)?.value);
        return definedOnly({ itemsPerMessage: value('SendLocalListMaxLength'), maxEntries: value('LocalAuthListMaxLength') });
      }
      const answer = await this.sender.send(tenantId, stationId, 'GetVariables', {
        getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' } }],
      }, { requestedBy });
      const results = (answer['getVariableResult'] ?? []) as { attributeStatus: string; attributeValue?: string }[];
      const items = results[0]?.attributeStatus === 'Accepted' ? positive(results[0].attributeValue) : undefined;
      return definedOnly({ itemsPerMessage: items });
    } catch {
      // A station that cannot tell gets the list in one message; its answer then says whether that fit.
      return {};
    }
  }

  async send(tenantId: string, stationId: string, message: PlannedMessage, requestedBy: RequestedBy): Promise<{ status: string }> {
    const protocol = this.protocolOf(tenantId, stationId);
    const payload: Record<string, unknown> =
      protocol === '1.6'
        ? {
            listVersion: message.version,
            updateType: message.updateType,
            localAuthorizationList: message.changes.map((c) => {
              if (!c.entry) return { idTag: c.uid };
              const info: Record<string, unknown> = { status: c.entry.status };
              if (c.entry.expiresAt) info['expiryDate'] = c.entry.expiresAt;
              if (c.entry.groupId) info['parentIdTag'] = c.entry.groupId;
              return { idTag: c.uid, idTagInfo: info };
            }),
          }
        : { versionNumber: message.version, updateType: message.updateType };
    if (protocol !== '1.6' && message.changes.length > 0) {
      // D01.FR.04: a Full update without entries empties the list; the field has minItems 1.
      payload['localAuthorizationList'] = message.changes.map((c) => {
        const idToken = { idToken: c.uid, type: c.type };
        if (!c.entry) return { idToken };
        const info: Record<string, unknown> = { status: c.entry.status };
        if (c.entry.expiresAt) info['cacheExpiryDateTime'] = c.entry.expiresAt;
        if (c.entry.groupId) info['groupIdToken'] = { idToken: c.entry.groupId, type: GROUP_ID_TOKEN_TYPE };
        return { idToken, idTokenInfo: info };
      });
    }
    const answer = await this.sender.send(tenantId, stationId, 'SendLocalList', payload, { requestedBy });
    return { status: String(answer['status']) };
  }

  async version(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<number> {
    const protocol = this.protocolOf(tenantId, stationId);
    const answer = await this.sender.send(tenantId, stationId, 'GetLocalListVersion', {}, { requestedBy });
    return Number(protocol === '1.6' ? answer['listVersion'] : answer['versionNumber']);
  }
}

function positive(value: string | undefined): number | undefined {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function definedOnly(limits: LocalListLimits): LocalListLimits {
  const out: LocalListLimits = {};
  if (limits.itemsPerMessage !== undefined) out.itemsPerMessage = limits.itemsPerMessage;
  if (limits.maxEntries !== undefined) out.maxEntries = limits.maxEntries;
  return out;
}
