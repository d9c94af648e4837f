import type { Clock } from '../../platform/clock.js';
import { requireFamily } from './station-version.js';
import type { DeviceModelStore } from './store.js';
import type { ConfigurationEntry, DeviceCommands } from './types.js';
import type { RequestedBy } from '../../platform/requester.js';

export interface ConfigurationServiceDeps {
  store: DeviceModelStore;
  commands: DeviceCommands;
  clock: Clock;
}

export interface GetConfigurationAnswer {
  configurationKey: { key: string; readonly: boolean; value?: string }[];
  unknownKey: string[];
}

export interface ChangeConfigurationAnswer {
  status: 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';
  rebootRequired: boolean;
}

/** OCPP 1.6 configuration keys (§5.8 GetConfiguration, §5.4 ChangeConfiguration), stored per station. */
export class ConfigurationService {
  constructor(private readonly deps: ConfigurationServiceDeps) {}

  /** §5.8: an empty key list asks for every key. Each answer refreshes the stored keys it names. */
  async get(tenantId: string, stationId: string, keys: string[], requestedBy: RequestedBy): Promise<GetConfigurationAnswer> {
    requireFamily(this.deps.commands, tenantId, stationId, '1.6', 'use get-variables / set-variables');
    const payload = keys.length > 0 ? { key: keys } : {};
    const answer = (await this.deps.commands.send(tenantId, stationId, 'GetConfiguration', payload, { requestedBy })) as Partial<GetConfigurationAnswer>;
    const configurationKey = answer.configurationKey ?? [];
    const at = this.deps.clock.now();
    await this.deps.store.putConfiguration(
      configurationKey.map((k) => ({
        tenant_id: tenantId,
        station_id: stationId,
        key: k.key,
        value: k.value ?? null,
        readonly: k.readonly,
        reboot_required: false,
        updated_at: at,
      })),
    );
    return { configurationKey, unknownKey: answer.unknownKey ?? [] };
  }

  /** §5.4: an Accepted or RebootRequired change is stored as the key's value; RebootRequired is flagged. */
  async change(tenantId: string, stationId: string, key: string, value: string, requestedBy: RequestedBy): Promise<ChangeConfigurationAnswer> {
    requireFamily(this.deps.commands, tenantId, stationId, '1.6', 'use get-variables / set-variables');
    const answer = (await this.deps.commands.send(tenantId, stationId, 'ChangeConfiguration', { key, value }, { requestedBy })) as { status: ChangeConfigurationAnswer['status'] };
    if (answer.status === 'Accepted' || answer.status === 'RebootRequired') {
      await this.deps.store.putConfiguration([
        {
          tenant_id: tenantId,
          station_id: stationId,
          key,
          value,
          readonly: false,
          reboot_required: answer.status === 'RebootRequired',
          updated_at: this.deps.clock.now(),
        },
      ]);
    }
    return { status: answer.status, rebootRequired: answer.status === 'RebootRequired' };
  }

  async stored(tenantId: string, stationId: string): Promise<ConfigurationEntry[]> {
    const rows = await this.deps.store.configuration(tenantId, stationId);
    return rows.map((r) => ({ key: r.key, value: r.value, readonly: r.readonly, rebootRequired: r.reboot_required, updatedAt: r.updated_at.toISOString() }));
  }

}
