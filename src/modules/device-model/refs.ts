import type { ComponentRef, VariableRef } from './types.js';

/** The identity of a component/variable pair as one string: the device model's row key. */
export function variableRef(component: ComponentRef, variable: VariableRef): string {
  return [component.name, component.instance ?? '', component.evse?.id ?? '', component.evse?.connectorId ?? '', variable.name, variable.instance ?? ''].join('|');
}

/** A component without undefined fields, so stored JSON compares equal however it was built. */
export function cleanComponent(c: ComponentRef): ComponentRef {
  return {
    name: c.name,
    ...(c.instance !== undefined ? { instance: c.instance } : {}),
    ...(c.evse ? { evse: { id: c.evse.id, ...(c.evse.connectorId !== undefined ? { connectorId: c.evse.connectorId } : {}) } } : {}),
  };
}

export function cleanVariable(v: VariableRef): VariableRef {
  return { name: v.name, ...(v.instance !== undefined ? { instance: v.instance } : {}) };
}

export function describeRef(component: ComponentRef, variable: VariableRef): string {
  const evse = component.evse ? `@${component.evse.id}${component.evse.connectorId !== undefined ? `/${component.evse.connectorId}` : ''}` : '';
  return `${component.name}${component.instance ? `[${component.instance}]` : ''}${evse}.${variable.name}${variable.instance ? `[${variable.instance}]` : ''}`;
}
