import type { Clock } from '../../platform/clock.js';
import type { EventBus, DomainEvent } from '../../platform/bus.js';
import { isDomainError } from '../../platform/errors.js';
import type { ConfigurationService } from './configuration-service.js';
import type { VariablesService } from './variables-service.js';
import { isKeySetting, isVariableSetting, type TemplatesService } from './templates-service.js';
import type { StationConfigurationApplied } from './events.js';
import type { ApplyOutcome, ConfigurationTemplate, DeviceCommands } from './types.js';
import { SYSTEM_REQUESTER } from '../../platform/requester.js';

export interface BootConfigurationDeps {
  templates: TemplatesService;
  configuration: ConfigurationService;
  variables: VariablesService;
  commands: DeviceCommands;
  bus: EventBus;
  clock: Clock;
  /** Resolves once the station's BootNotification answer is on its way (its own writes done). */
  settle: () => Promise<void>;
  onError: (err: unknown, stationId: string) => void;
}

type Phase = 'applying' | 'applied';

/** A refused or failed setting, as recorded; an offline station is not recorded but starts over at its next boot. */
function failed(err: unknown): string {
  if (isDomainError(err, 'StationOffline')) throw err;
  return `Failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** The stations module's boot event, as far as this module reads it. */
type StationBootedEvent = DomainEvent<'StationBooted', { stationId: string; status: string }>;
type StationDisconnectedEvent = DomainEvent<'StationDisconnected', { stationId: string }>;

/**
 * Desired configuration at boot (2.0.1 B02.FR.01, 1.6 §4.2 Pending): a station with a template
 * is answered Pending, sent its settings (SetVariables / ChangeConfiguration), then asked to boot
 * again with TriggerMessage(BootNotification); that boot is Accepted. Every later boot (a reset,
 * a power cycle) goes through the same, so the settings are re-applied after each reboot.
 */
export class BootConfiguration {
  private readonly phase = new Map<string, Phase>();
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: BootConfigurationDeps) {}

  /** The stations module's BootGate: Pending while the template is (to be) applied. */
  readonly gate = async (station: { tenantId: string; stationId: string }): Promise<'Pending' | undefined> => {
    const { tenantId, stationId } = station;
    const phase = this.phase.get(stationId);
    if (phase === 'applied') {
      this.phase.delete(stationId);
      return undefined;
    }
    if (phase === 'applying') return 'Pending';
    const template = await this.templateFor(tenantId, stationId);
    if (!template) return undefined;
    this.phase.set(stationId, 'applying');
    return 'Pending';
  };

  start(): void {
    const { bus } = this.deps;
    this.unsubscribe.push(
      bus.subscribe<StationBootedEvent>('StationBooted', (event) => {
        const { stationId, status } = event.payload;
        if (status !== 'Pending' || this.phase.get(stationId) !== 'applying') return;
        this.applyAfterAnswer(event.tenantId, stationId).catch((err: unknown) => {
          this.phase.delete(stationId);
          this.deps.onError(err, stationId);
        });
      }),
      // A station that goes away mid-way starts over at its next boot.
      bus.subscribe<StationDisconnectedEvent>('StationDisconnected', (event) => void this.phase.delete(event.payload.stationId)),
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private async applyAfterAnswer(tenantId: string, stationId: string): Promise<void> {
    // The BootNotification answer must reach the station before our first CALL does.
    await this.deps.settle();
    await new Promise((resolve) => setImmediate(resolve));
    const template = await this.templateFor(tenantId, stationId);
    if (template) {
      const outcome = await this.apply(tenantId, stationId, template);
      this.deps.templates.recordApplied(stationId, outcome);
      const event: StationConfigurationApplied = { type: 'StationConfigurationApplied', tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, ...outcome } };
      this.deps.bus.publish(event);
    }
    this.phase.set(stationId, 'applied');
    // Not waiting for the retry interval: F06 / 1.6 §5.17 TriggerMessage BootNotification.
    await this.deps.commands.send(tenantId, stationId, 'TriggerMessage', { requestedMessage: 'BootNotification' }, { requestedBy: SYSTEM_REQUESTER });
  }

  /**
   * Sends the settings; a setting the station refuses or fails is recorded, never a reason to hold
   * the station Pending forever (it would be refused again at every retry).
   */
  private async apply(tenantId: string, stationId: string, template: ConfigurationTemplate): Promise<ApplyOutcome> {
    const at = this.deps.clock.now().toISOString();
    const results: ApplyOutcome['results'] = [];
    if (template.ocppVersion === '1.6') {
      for (const setting of template.settings) {
        if (!isKeySetting(setting)) continue;
        const status = await this.deps.configuration.change(tenantId, stationId, setting.key, setting.value, SYSTEM_REQUESTER).then(
          (answer) => answer.status,
          (err: unknown) => failed(err),
        );
        results.push({ setting, status });
      }
    } else {
      const variableSettings = template.settings.filter(isVariableSetting);
      const statuses = await this.deps.variables
        .setVariables(
          tenantId,
          stationId,
          variableSettings.map((s) => ({ component: s.component, variable: s.variable, attributeType: s.attributeType, attributeValue: s.value })),
          SYSTEM_REQUESTER,
        )
        .then(
          (answer) => variableSettings.map((_, i) => answer.setVariableResult[i]?.attributeStatus ?? 'NoAnswer'),
          (err: unknown) => variableSettings.map(() => failed(err)),
        );
      variableSettings.forEach((setting, i) => results.push({ setting, status: statuses[i] ?? 'NoAnswer' }));
    }
    return { at, templateId: template.id, results };
  }

  /** The template for this station if it matches the version the station speaks now. */
  private async templateFor(tenantId: string, stationId: string): Promise<ConfigurationTemplate | undefined> {
    const version = this.deps.commands.versionOf(tenantId, stationId);
    if (version === undefined) return undefined;
    const template = await this.deps.templates.desiredFor(tenantId, stationId);
    if (!template || template.settings.length === 0) return undefined;
    const family = version === '1.6' ? '1.6' : '2.0.1';
    return template.ocppVersion === family ? template : undefined;
  }
}
