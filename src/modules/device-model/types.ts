import type { CallOptions } from '../../platform/requester.js';

/** OCPP 2.0.1 component identity (ComponentType): name, optional instance and EVSE/connector. */
export interface ComponentRef {
  name: string;
  instance?: string | undefined;
  evse?: { id: number; connectorId?: number | undefined } | undefined;
}

/** OCPP 2.0.1 VariableType. */
export interface VariableRef {
  name: string;
  instance?: string | undefined;
}

export type AttributeType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
export type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

export interface VariableAttribute {
  type: AttributeType;
  value?: string | undefined;
  mutability?: Mutability | undefined;
  persistent?: boolean | undefined;
  constant?: boolean | undefined;
}

export interface VariableCharacteristics {
  dataType: string;
  supportsMonitoring: boolean;
  unit?: string | undefined;
  minLimit?: number | undefined;
  maxLimit?: number | undefined;
  valuesList?: string | undefined;
}

/** One component/variable of a station's stored device model. */
export interface DeviceVariable {
  component: ComponentRef;
  variable: VariableRef;
  attributes: VariableAttribute[];
  characteristics: VariableCharacteristics | null;
  updatedAt: string;
}

/** NotifyReport ReportDataType as the station sends it. */
export interface ReportData {
  component: ComponentRef;
  variable: VariableRef;
  variableAttribute: VariableAttribute[];
  variableCharacteristics?: VariableCharacteristics | undefined;
}

export interface GetVariableData {
  component: ComponentRef;
  variable: VariableRef;
  attributeType?: AttributeType | undefined;
}

export interface GetVariableResult extends GetVariableData {
  attributeStatus: string;
  attributeValue?: string | undefined;
  attributeStatusInfo?: { reasonCode: string; additionalInfo?: string } | undefined;
}

export interface SetVariableData extends GetVariableData {
  attributeValue: string;
}

export interface SetVariableResult extends GetVariableData {
  attributeStatus: string;
  attributeStatusInfo?: { reasonCode: string; additionalInfo?: string } | undefined;
}

/** One 1.6 configuration key as the station reported it (or as accepted by ChangeConfiguration). */
export interface ConfigurationEntry {
  key: string;
  value: string | null;
  readonly: boolean;
  /** Accepted with RebootRequired and not yet confirmed by a GetConfiguration after a reboot. */
  rebootRequired: boolean;
  updatedAt: string;
}

export interface MonitorView {
  id: number;
  component: ComponentRef;
  variable: VariableRef;
  type: string;
  value: number;
  severity: number;
  transaction: boolean;
  updatedAt: string;
}

export interface DeviceEventView {
  id: number;
  eventId: number;
  timestamp: string;
  trigger: string;
  eventNotificationType: string;
  component: ComponentRef;
  variable: VariableRef;
  actualValue: string;
  cleared: boolean;
  techCode: string | null;
  techInfo: string | null;
  cause: number | null;
  transactionId: string | null;
  variableMonitoringId: number | null;
  receivedAt: string;
}

/** A desired setting in a configuration template: 1.6 key/value or 2.0.1 component/variable/value. */
export type DesiredSetting =
  | { key: string; value: string }
  | { component: ComponentRef; variable: VariableRef; attributeType?: AttributeType | undefined; value: string };

export type TemplateVersion = '1.6' | '2.0.1';

export interface ConfigurationTemplate {
  id: string;
  name: string;
  ocppVersion: TemplateVersion;
  settings: DesiredSetting[];
  stationIds: string[];
  siteIds: string[];
  createdAt: string;
}

export interface DriftItem {
  setting: DesiredSetting;
  reported: string | null;
  /** in-sync: reported equals desired; drift: reported differs; unknown: never reported. */
  state: 'in-sync' | 'drift' | 'unknown';
}

export interface ApplyOutcome {
  at: string;
  templateId: string;
  results: { setting: DesiredSetting; status: string }[];
}

/**
 * CSMS-initiated OCPP calls, implemented by the gateway; versionOf says which version a connected
 * station speaks ('1.6' | '2.0.1' | '2.1'), undefined when it is offline.
 */
export interface DeviceCommands {
  send(tenantId: string, stationId: string, action: string, payload: Record<string, unknown>, call: CallOptions): Promise<Record<string, unknown>>;
  versionOf(tenantId: string, stationId: string): '1.6' | '2.0.1' | '2.1' | undefined;
}

/** The stations module, as far as this one needs it: does the station exist, which site is it on. */
export interface StationLookup {
  /** Throws DomainError NotFound for a station the tenant does not have. */
  find(tenantId: string, stationId: string): Promise<{ siteId: string | null }>;
}
