import type { Clock } from '../../platform/clock.js';
import { cleanComponent, cleanVariable, variableRef } from './refs.js';
import type { DeviceModelStore, VariableRow } from './store.js';
import type { ComponentRef, DeviceVariable, VariableAttribute, VariableCharacteristics, VariableRef } from './types.js';

/** One piece of news about a variable: attributes (merged by type) and maybe its characteristics. */
export interface VariableUpdate {
  component: ComponentRef;
  variable: VariableRef;
  attributes: VariableAttribute[];
  characteristics?: VariableCharacteristics | undefined;
}

/**
 * Folds what stations tell about their variables (NotifyReport, GetVariables and accepted
 * SetVariables results) into the stored device model. Attributes merge by type: a GetVariables
 * answer updates Actual's value and keeps the mutability a report gave earlier.
 */
export class DeviceModelWriter {
  constructor(
    private readonly store: DeviceModelStore,
    private readonly clock: Clock,
  ) {}

  async apply(tenantId: string, stationId: string, updates: VariableUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const byRef = new Map<string, VariableUpdate>();
    for (const u of updates) {
      const ref = variableRef(u.component, u.variable);
      const earlier = byRef.get(ref);
      byRef.set(ref, earlier ? { ...u, attributes: mergeAttributes(earlier.attributes, u.attributes), characteristics: u.characteristics ?? earlier.characteristics } : u);
    }
    const existing = new Map((await this.store.variables(tenantId, stationId, { refs: [...byRef.keys()] })).map((r) => [r.ref, r]));
    const at = this.clock.now();
    await this.store.putVariables(
      [...byRef].map(([ref, u]) => {
        const row = existing.get(ref);
        const before = row ? (JSON.parse(row.attributes) as VariableAttribute[]) : [];
        const characteristics = u.characteristics ?? (row?.characteristics ? (JSON.parse(row.characteristics) as VariableCharacteristics) : null);
        return {
          tenant_id: tenantId,
          station_id: stationId,
          ref,
          component_name: u.component.name,
          variable_name: u.variable.name,
          component: JSON.stringify(cleanComponent(u.component)),
          variable: JSON.stringify(cleanVariable(u.variable)),
          attributes: JSON.stringify(mergeAttributes(before, u.attributes)),
          characteristics: characteristics ? JSON.stringify(characteristics) : null,
          updated_at: at,
        };
      }),
    );
  }
}

/** A GetVariables/SetVariables result as news: the value of one attribute (Actual when unnamed). */
export interface AttributeResult {
  component: ComponentRef;
  variable: VariableRef;
  attributeType?: VariableAttribute['type'] | undefined;
  attributeValue?: string | undefined;
}

export function resultUpdates(results: AttributeResult[]): VariableUpdate[] {
  return results.map((r) => ({ component: r.component, variable: r.variable, attributes: [{ type: r.attributeType ?? 'Actual', value: r.attributeValue ?? '' }] }));
}

const ATTRIBUTE_ORDER = ['Actual', 'Target', 'MinSet', 'MaxSet'];

export function mergeAttributes(before: VariableAttribute[], news: VariableAttribute[]): VariableAttribute[] {
  const merged = new Map(before.map((a) => [a.type, a]));
  for (const a of news) {
    const defined = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as VariableAttribute;
    merged.set(a.type, { ...merged.get(a.type), ...defined });
  }
  return [...merged.values()].sort((x, y) => ATTRIBUTE_ORDER.indexOf(x.type) - ATTRIBUTE_ORDER.indexOf(y.type));
}

export function toDeviceVariable(row: VariableRow): DeviceVariable {
  return {
    component: JSON.parse(row.component) as ComponentRef,
    variable: JSON.parse(row.variable) as VariableRef,
    attributes: JSON.parse(row.attributes) as VariableAttribute[],
    characteristics: row.characteristics ? (JSON.parse(row.characteristics) as VariableCharacteristics) : null,
    updatedAt: row.updated_at.toISOString(),
  };
}
