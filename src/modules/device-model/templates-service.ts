import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import { variableRef } from './refs.js';
import { toDeviceVariable } from './device-model-writer.js';
import type { DeviceModelStore } from './store.js';
import type { TemplateStore } from './template-store.js';
import type { ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { TEMPLATE_SORT } from './template-sort.js';
import type { ApplyOutcome, ConfigurationTemplate, DesiredSetting, DriftItem, StationLookup, TemplateVersion } from './types.js';

export interface TemplatesServiceDeps {
  templates: TemplateStore;
  store: DeviceModelStore;
  stations: StationLookup;
  clock: Clock;
  ids: IdSource;
}

export interface CreateTemplateInput {
  name: string;
  ocppVersion: TemplateVersion;
  settings: DesiredSetting[];
}

export interface ConfigurationDrift {
  stationId: string;
  template: { id: string; name: string; ocppVersion: TemplateVersion } | null;
  items: DriftItem[];
  inSync: boolean;
  lastApplied: ApplyOutcome | null;
}

export function isKeySetting(s: DesiredSetting): s is { key: string; value: string } {
  return 'key' in s;
}

export type VariableSetting = Exclude<DesiredSetting, { key: string }>;

export function isVariableSetting(s: DesiredSetting): s is VariableSetting {
  return !isKeySetting(s);
}

/** Desired configuration per station group: templates, their assignments, and drift against what stations report. */
export class TemplatesService {
  /** The last boot-time application per station (this process); shown with the drift. */
  private readonly applied = new Map<string, ApplyOutcome>();
  /**
   * Per tenant: does any template assignment exist? Keeps a boot (and a reconnect storm) free of
   * queries where templates are not used. One node's memory: assignments go through this service.
   */
  private readonly inUse = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: TemplatesServiceDeps) {}

  async create(tenantId: string, input: CreateTemplateInput): Promise<ConfigurationTemplate> {
    checkSettings(input.ocppVersion, input.settings);
    const id = this.deps.ids.uuid();
    await this.deps.templates.insert({
      id,
      tenant_id: tenantId,
      name: input.name,
      ocpp_version: input.ocppVersion,
      settings: JSON.stringify(input.settings),
      created_at: this.deps.clock.now(),
    });
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<ConfigurationTemplate> {
    const row = await this.deps.templates.find(tenantId, id);
    if (!row) throw new DomainError('NotFound', `configuration template ${id} not found`);
    const assignments = await this.deps.templates.assignments(tenantId, id);
    return {
      id: row.id,
      name: row.name,
      ocppVersion: row.ocpp_version as TemplateVersion,
      settings: JSON.parse(row.settings) as DesiredSetting[],
      stationIds: assignments.filter((a) => a.scope === 'station').map((a) => a.target_id),
      siteIds: assignments.filter((a) => a.scope === 'site').map((a) => a.target_id),
      createdAt: row.created_at.toISOString(),
    };
  }

  async list(tenantId: string, query: ListWindowQuery): Promise<Page<ConfigurationTemplate>> {
    const window = TEMPLATE_SORT.window(query);
    const page = window.page(await this.deps.templates.list(tenantId, window));
    return { items: await Promise.all(page.items.map((r) => this.get(tenantId, r.id))), nextCursor: page.nextCursor };
  }

  async updateSettings(tenantId: string, id: string, settings: DesiredSetting[]): Promise<ConfigurationTemplate> {
    const current = await this.get(tenantId, id);
    checkSettings(current.ocppVersion, settings);
    await this.deps.templates.updateSettings(tenantId, id, JSON.stringify(settings));
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.deps.templates.remove(tenantId, id))) throw new DomainError('NotFound', `configuration template ${id} not found`);
    this.inUse.delete(tenantId);
  }

  /** Assigns stations (by id) and sites (every station on them); a station's own assignment beats its site's. */
  async assign(tenantId: string, id: string, targets: { stationIds?: string[] | undefined; siteIds?: string[] | undefined }): Promise<ConfigurationTemplate> {
    await this.get(tenantId, id);
    await this.deps.templates.assign(tenantId, id, 'station', targets.stationIds ?? []);
    await this.deps.templates.assign(tenantId, id, 'site', targets.siteIds ?? []);
    this.inUse.delete(tenantId);
    return this.get(tenantId, id);
  }

  /** The template that applies to a station, if any. */
  async desiredFor(tenantId: string, stationId: string): Promise<ConfigurationTemplate | undefined> {
    let inUse = this.inUse.get(tenantId);
    if (!inUse) {
      inUse = this.deps.templates.anyAssignment(tenantId);
      this.inUse.set(tenantId, inUse);
      inUse.catch(() => this.inUse.delete(tenantId));
    }
    if (!(await inUse)) return undefined;
    const { siteId } = await this.deps.stations.find(tenantId, stationId);
    const templateId = await this.deps.templates.templateIdFor(tenantId, stationId, siteId);
    return templateId ? this.get(tenantId, templateId) : undefined;
  }

  recordApplied(stationId: string, outcome: ApplyOutcome): void {
    this.applied.set(stationId, outcome);
  }

  /** Desired against reported: 1.6 stored keys, 2.0.1 the device model attribute the setting names. */
  async drift(tenantId: string, stationId: string): Promise<ConfigurationDrift> {
    const template = await this.desiredFor(tenantId, stationId);
    const lastApplied = this.applied.get(stationId) ?? null;
    if (!template) return { stationId, template: null, items: [], inSync: true, lastApplied };
    const reported = await this.reportedValues(tenantId, stationId, template.settings);
    const items: DriftItem[] = template.settings.map((setting, i) => {
      const value = reported[i] ?? null;
      const state = value === null ? 'unknown' : sameValue(value, setting.value) ? 'in-sync' : 'drift';
      return { setting, reported: value, state };
    });
    return {
      stationId,
      template: { id: template.id, name: template.name, ocppVersion: template.ocppVersion },
      items,
      inSync: items.every((i) => i.state === 'in-sync'),
      lastApplied,
    };
  }

  private async reportedValues(tenantId: string, stationId: string, settings: DesiredSetting[]): Promise<(string | null)[]> {
    const keyed = new Map((await this.deps.store.configuration(tenantId, stationId)).map((r) => [r.key, r.value]));
    const refs = settings.filter(isVariableSetting).map((s) => variableRef(s.component, s.variable));
    const variables = new Map((await this.deps.store.variables(tenantId, stationId, { refs })).map((r) => [r.ref, toDeviceVariable(r)]));
    return settings.map((s) => {
      if (isKeySetting(s)) return keyed.get(s.key) ?? null;
      const attribute = variables.get(variableRef(s.component, s.variable))?.attributes.find((a) => a.type === (s.attributeType ?? 'Actual'));
      return attribute?.value ?? null;
    });
  }
}

/** Booleans compare without case ("True" from one vendor, "true" from another); anything else exactly. */
function sameValue(reported: string, desired: string): boolean {
  const a = reported.trim();
  const b = desired.trim();
  return /^(true|false)$/i.test(a) && /^(true|false)$/i.test(b) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function checkSettings(version: TemplateVersion, settings: DesiredSetting[]): void {
  settings.forEach((s, i) => {
    if (version === '1.6' && !isKeySetting(s)) {
      throw new DomainError('InvalidInput', `settings[${i}]: a 1.6 template holds { key, value } settings`, { field: `settings[${i}]` });
    }
    if (version === '2.0.1' && isKeySetting(s)) {
      throw new DomainError('InvalidInput', `settings[${i}]: a 2.0.1 template holds { component, variable, value } settings`, { field: `settings[${i}]` });
    }
  });
}
