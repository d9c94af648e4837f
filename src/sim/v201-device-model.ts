// The small device model a simulated 2.0.1 station reports: the variables of the controllers
// the sim exercises (OCPP 2.0.1 part 2 appendices, "Referenced Components and Variables").
import { getRecord, getString, type Payload } from './frames.js';
import type { StationContext } from './types.js';

type Mutability = 'ReadOnly' | 'ReadWrite';
type DataType = 'string' | 'integer' | 'boolean' | 'MemberList' | 'OptionList';

export interface DeviceVariable {
  component: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  variableInstance?: string;
  mutability: Mutability;
  dataType: DataType;
  unit?: string;
  value(ctx: StationContext): string;
}

const fixed = (value: string) => (): string => value;

function rw(component: string, variable: string, dataType: DataType, value: string, unit?: string): DeviceVariable {
  return { component, variable, mutability: 'ReadWrite', dataType, value: fixed(value), ...(unit ? { unit } : {}) };
}

function ro(component: string, variable: string, dataType: DataType, value: string): DeviceVariable {
  return { component, variable, mutability: 'ReadOnly', dataType, value: fixed(value) };
}

const STATION_VARIABLES: readonly DeviceVariable[] = [
  {
    component: 'ChargingStation',
    variable: 'AvailabilityState',
    mutability: 'ReadOnly',
    dataType: 'OptionList',
    value: (ctx) => (ctx.connectors.some((c) => c.operative) ? 'Available' : 'Unavailable'),
  },
  {
    component: 'OCPPCommCtrlr',
    variable: 'HeartbeatInterval',
    mutability: 'ReadWrite',
    dataType: 'integer',
    unit: 's',
    value: (ctx) => String(ctx.heartbeatIntervalS),
  },
  { ...ro('OCPPCommCtrlr', 'MessageTimeout', 'integer', '30'), variableInstance: 'Default', unit: 's' },
  { ...rw('OCPPCommCtrlr', 'MessageAttempts', 'integer', '3'), variableInstance: 'TransactionEvent' },
  { ...rw('OCPPCommCtrlr', 'MessageAttemptInterval', 'integer', '60'), variableInstance: 'TransactionEvent' },
  ro('OCPPCommCtrlr', 'FileTransferProtocols', 'MemberList', 'HTTPS'),
  rw('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'string', '0'),
  rw('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', 'integer', '3'),
  rw('OCPPCommCtrlr', 'OfflineThreshold', 'integer', '60', 's'),
  rw('OCPPCommCtrlr', 'ResetRetries', 'integer', '1'),
  ro('OCPPCommCtrlr', 'UnlockOnEVSideDisconnect', 'boolean', 'true'),
  rw('AuthCtrlr', 'AuthorizeRemoteStart', 'boolean', 'false'),
  rw('AuthCtrlr', 'LocalAuthorizeOffline', 'boolean', 'true'),
  rw('AuthCtrlr', 'LocalPreAuthorize', 'boolean', 'false'),
  {
    component: 'SampledDataCtrlr',
    variable: 'TxUpdatedInterval',
    mutability: 'ReadWrite',
    dataType: 'integer',
    unit: 's',
    value: (ctx) => String(ctx.meterIntervalS),
  },
  rw('SampledDataCtrlr', 'TxUpdatedMeasurands', 'MemberList', 'Energy.Active.Import.Register,Power.Active.Import'),
  rw('SampledDataCtrlr', 'TxStartedMeasurands', 'MemberList', 'Energy.Active.Import.Register'),
  rw('SampledDataCtrlr', 'TxEndedMeasurands', 'MemberList', 'Energy.Active.Import.Register'),
  rw('SampledDataCtrlr', 'TxEndedInterval', 'integer', '0', 's'),
  {
    component: 'SecurityCtrlr',
    variable: 'Identity',
    mutability: 'ReadOnly',
    dataType: 'string',
    value: (ctx) => ctx.stationId,
  },
  ro('SecurityCtrlr', 'SecurityProfile', 'integer', '1'),
  ro('SecurityCtrlr', 'CertificateEntries', 'integer', '0'),
  rw('SecurityCtrlr', 'OrganizationName', 'string', 'Ampline Simulator'),
  rw('TxCtrlr', 'EVConnectionTimeOut', 'integer', '120', 's'),
  rw('TxCtrlr', 'StopTxOnEVSideDisconnect', 'boolean', 'true'),
  rw('TxCtrlr', 'StopTxOnInvalidId', 'boolean', 'true'),
  rw('TxCtrlr', 'TxStartPoint', 'MemberList', 'Authorized'),
  rw('TxCtrlr', 'TxStopPoint', 'MemberList', 'Authorized'),
];

/** Every variable of the station, the per-EVSE and per-connector availability included. */
export function deviceVariables(ctx: StationContext): DeviceVariable[] {
  const all = [...STATION_VARIABLES];
  for (const connector of ctx.connectors) {
    const state = (): string => (connector.operative ? (connector.session ? 'Occupied' : 'Available') : 'Unavailable');
    all.push({
      component: 'EVSE',
      evseId: connector.id,
      variable: 'AvailabilityState',
      mutability: 'ReadOnly',
      dataType: 'OptionList',
      value: state,
    });
    all.push({
      component: 'Connector',
      evseId: connector.id,
      connectorId: 1,
      variable: 'AvailabilityState',
      mutability: 'ReadOnly',
      dataType: 'OptionList',
      value: state,
    });
  }
  return all;
}

export function settingKey(v: DeviceVariable): string {
  return `${v.component}/${v.componentInstance ?? ''}/${v.evseId ?? ''}/${v.variable}/${v.variableInstance ?? ''}`;
}

export function variableValue(ctx: StationContext, v: DeviceVariable): string {
  return ctx.setting(settingKey(v)) ?? v.value(ctx);
}

/** Current value of a station-level variable, or undefined when the model has none. */
export function readVariable(ctx: StationContext, component: string, variable: string): string | undefined {
  const found = STATION_VARIABLES.find((v) => v.component === component && v.variable === variable);
  return found ? variableValue(ctx, found) : undefined;
}

export type LookupResult =
  | { status: 'Accepted'; variable: DeviceVariable }
  | { status: 'UnknownComponent' | 'UnknownVariable' };

/** Finds the variable a GetVariables/SetVariables item names (ComponentType + VariableType). */
export function lookupVariable(ctx: StationContext, component: Payload, variable: Payload): LookupResult {
  const evse = getRecord(component, 'evse');
  const matchesComponent = (v: DeviceVariable): boolean =>
    v.component === component.name &&
    (v.componentInstance ?? undefined) === component.instance &&
    v.evseId === evse?.id &&
    (evse?.connectorId === undefined || v.connectorId === evse.connectorId);
  const candidates = deviceVariables(ctx).filter(matchesComponent);
  if (candidates.length === 0) return { status: 'UnknownComponent' };
  const found = candidates.find(
    (v) => v.variable === variable.name && (v.variableInstance ?? undefined) === variable.instance,
  );
  return found ? { status: 'Accepted', variable: found } : { status: 'UnknownVariable' };
}

/**
 * Resolves one GetVariableData / SetVariableData item: the echoed component, variable and
 * attributeType, plus either the variable or the failed attributeStatus.
 */
export function resolveVariable(
  ctx: StationContext,
  item: Payload,
): { result: Payload; variable: DeviceVariable | null } {
  const component = getRecord(item, 'component') ?? {};
  const variable = getRecord(item, 'variable') ?? {};
  const attributeType = getString(item, 'attributeType');
  const result: Payload = { component, variable };
  if (attributeType !== undefined) result.attributeType = attributeType;
  if (attributeType !== undefined && attributeType !== 'Actual') {
    return { result: { ...result, attributeStatus: 'NotSupportedAttributeType' }, variable: null };
  }
  const found = lookupVariable(ctx, component, variable);
  if (found.status !== 'Accepted') return { result: { ...result, attributeStatus: found.status }, variable: null };
  return { result, variable: found.variable };
}

export function acceptsValue(v: DeviceVariable, value: string): boolean {
  switch (v.dataType) {
    case 'integer':
      return /^-?\d{1,9}$/.test(value);
    case 'boolean':
      return value === 'true' || value === 'false';
    default:
      return value.length <= 1000;
  }
}

/** ComponentType / VariableType objects of a variable, as they appear on the wire. */
export function wireNames(v: DeviceVariable): { component: Payload; variable: Payload } {
  const component: Payload = { name: v.component };
  if (v.componentInstance) component.instance = v.componentInstance;
  if (v.evseId !== undefined) {
    component.evse = v.connectorId !== undefined ? { id: v.evseId, connectorId: v.connectorId } : { id: v.evseId };
  }
  const variable: Payload = { name: v.variable };
  if (v.variableInstance) variable.instance = v.variableInstance;
  return { component, variable };
}

/** One ReportDataType entry of NotifyReport. */
export function reportData(ctx: StationContext, v: DeviceVariable): Payload {
  const characteristics: Payload = { dataType: v.dataType, supportsMonitoring: false };
  if (v.unit) characteristics.unit = v.unit;
  return {
    ...wireNames(v),
    variableAttribute: [{ type: 'Actual', value: variableValue(ctx, v), mutability: v.mutability }],
    variableCharacteristics: characteristics,
  };
}
