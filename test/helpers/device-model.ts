import { expect } from 'vitest';
import type { RawStation } from '../support/raw-station.js';

type Item = { component: { name: string }; variable: { name: string; instance?: string }; attributeType?: string };

/**
 * Answers the CSMS's first GetVariables for DeviceDataCtrlr ItemsPerMessage/BytesPerMessage
 * (TC_B_08_CSMS: limits read before a split), or MonitoringCtrlr's for monitoring calls, with the
 * given limits; 0 means "not known".
 */
export async function answerLimitsProbe(station: RawStation, limits: { items: number; bytes: number }, controller = 'DeviceDataCtrlr'): Promise<void> {
  const call = await station.nextCall('GetVariables');
  const asked = (call[3] as { getVariableData: Item[] }).getVariableData;
  expect(asked.map((d) => d.component.name)).toEqual([controller, controller]);
  station.reply(call[1] as string, {
    getVariableResult: asked.map((d) => {
      const value = d.variable.name === 'ItemsPerMessage' ? limits.items : limits.bytes;
      return value > 0
        ? { attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: String(value), component: d.component, variable: d.variable }
        : { attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable };
    }),
  });
}

/**
 * Answers one GetVariables CALL: every item Accepted, with `values["Name[instance]"]` or else
 * `v:<variable name>`; returns how many items it held.
 */
export async function answerGetVariables(station: RawStation, values: Record<string, string> = {}): Promise<number> {
  const call = await station.nextCall('GetVariables');
  const asked = (call[3] as { getVariableData: Item[] }).getVariableData;
  station.reply(call[1] as string, {
    getVariableResult: asked.map((d) => ({
      attributeStatus: 'Accepted',
      attributeType: d.attributeType ?? 'Actual',
      attributeValue: values[`${d.variable.name}[${d.variable.instance ?? ''}]`] ?? `v:${d.variable.name}`,
      component: d.component,
      variable: d.variable,
    })),
  });
  return asked.length;
}

/** Answers one SetVariables CALL with the given status for every item; returns the items it held and the frame's size. */
export async function answerSetVariables(station: RawStation, status = 'Accepted'): Promise<{ items: Item[]; frameBytes: number }> {
  const call = await station.nextCall('SetVariables');
  const frameBytes = Buffer.byteLength(JSON.stringify(call), 'utf8');
  const asked = (call[3] as { setVariableData: Item[] }).setVariableData;
  station.reply(call[1] as string, {
    setVariableResult: asked.map((d) => ({ attributeStatus: status, attributeType: d.attributeType ?? 'Actual', component: d.component, variable: d.variable })),
  });
  return { items: asked, frameBytes };
}
