import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { ConfigurationService } from './configuration-service.js';
import { DeviceModelWriter } from './device-model-writer.js';
import { MonitoringService } from './monitoring-service.js';
import { DeviceModelStore } from './store.js';
import type { DeviceModelTables } from './tables.js';
import { TemplateStore } from './template-store.js';
import { TemplatesService } from './templates-service.js';
import type { DeviceCommands, StationLookup } from './types.js';
import { RequestIds, VariablesService } from './variables-service.js';
import { BootConfiguration } from './boot-configuration.js';
import { SplitSender } from './split-sender.js';

export interface DeviceModelOptions {
  db: Kysely<DeviceModelTables>;
  commands: DeviceCommands;
  stations: StationLookup;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  /** Resolves once a BootNotification answer is on its way (the stations module's writes flushed). */
  settleBoot: () => Promise<void>;
  onBootApplyError: (err: unknown, stationId: string) => void;
}

/** The module's services, wired: what the OCPP handlers, routes and the boot gate use. */
export interface DeviceModel {
  configuration: ConfigurationService;
  variables: VariablesService;
  monitoring: MonitoringService;
  templates: TemplatesService;
  boot: BootConfiguration;
}

export function createDeviceModel(options: DeviceModelOptions): DeviceModel {
  const { db, commands, stations, bus, clock, ids } = options;
  const store = new DeviceModelStore(db);
  const requestIds = new RequestIds(clock.nowMs());
  const configuration = new ConfigurationService({ store, commands, clock });
  const writer = new DeviceModelWriter(store, clock);
  const split = new SplitSender({ store, writer, commands });
  const variables = new VariablesService({ store, writer, commands, split, bus, clock, requestIds });
  const monitoring = new MonitoringService({ store, commands, split, bus, clock, requestIds });
  const templates = new TemplatesService({ templates: new TemplateStore(db), store, stations, clock, ids });
  const boot = new BootConfiguration({
    templates,
    configuration,
    variables,
    commands,
    bus,
    clock,
    settle: options.settleBoot,
    onError: options.onBootApplyError,
  });
  return { configuration, variables, monitoring, templates, boot };
}
