import { resultUpdates, toDeviceVariable, type DeviceModelWriter } from './device-model-writer.js';
import { splitIntoCalls, type MessageLimits } from './message-split.js';
import { variableRef } from './refs.js';
import type { DeviceModelStore } from './store.js';
import type { DeviceCommands, GetVariableData, GetVariableResult } from './types.js';
import type { RequestedBy } from '../../platform/requester.js';

/** The CSMS-initiated calls whose size a station limits, and the controller that holds the limits. */
export type SplitAction = 'GetVariables' | 'SetVariables' | 'SetVariableMonitoring' | 'ClearVariableMonitoring';

const LIMITS_COMPONENT: Record<SplitAction, string> = {
  GetVariables: 'DeviceDataCtrlr',
  SetVariables: 'DeviceDataCtrlr',
  SetVariableMonitoring: 'MonitoringCtrlr',
  ClearVariableMonitoring: 'MonitoringCtrlr',
};

export interface SplitSenderDeps {
  store: DeviceModelStore;
  writer: DeviceModelWriter;
  commands: DeviceCommands;
}

/**
 * Sends a list-carrying CALL as several CALLs within the station's ItemsPerMessage/BytesPerMessage
 * for that action (B06.FR.05, B05.FR.11, N06.FR.04; TC_B_08_CSMS, TC_N_18_CSMS), one at a time,
 * and returns the answers in order. Limits come from the stored device model; when it does not
 * know them, the station is asked once (GetVariables on the controller) and the answer stored.
 */
export class SplitSender {
  /** Per station and action: the limits were asked for in this process (the answer may be "unknown"). */
  private readonly probed = new Map<string, Promise<void>>();

  constructor(private readonly deps: SplitSenderDeps) {}

  async send<T, R>(tenantId: string, stationId: string, action: SplitAction, field: string, items: T[], requestedBy: RequestedBy): Promise<{ answers: { chunk: T[]; answer: R }[] }> {
    const limits = await this.limits(tenantId, stationId, action, requestedBy);
    const answers: { chunk: T[]; answer: R }[] = [];
    for (const chunk of splitIntoCalls(action, field, items, limits)) {
      answers.push({ chunk, answer: (await this.deps.commands.send(tenantId, stationId, action, { [field]: chunk }, { requestedBy })) as R });
    }
    return { answers };
  }

  /** The station's per-message limits for an action, read from it first when unknown (a CALL on behalf of `requestedBy`). */
  async limits(tenantId: string, stationId: string, action: SplitAction, requestedBy: RequestedBy): Promise<MessageLimits> {
    const wanted = limitRefs(action).map((w) => variableRef(w.component, w.variable));
    let known = await this.deps.store.variables(tenantId, stationId, { refs: wanted });
    const key = `${stationId}\u0000${action}`;
    if (known.length < wanted.length) {
      let probe = this.probed.get(key);
      if (!probe) {
        probe = this.probe(tenantId, stationId, action, requestedBy);
        this.probed.set(key, probe);
        probe.catch(() => this.probed.delete(key));
      }
      await probe;
      known = await this.deps.store.variables(tenantId, stationId, { refs: wanted });
    }
    const valueOf = (name: string): number | undefined => {
      const row = known.find((r) => r.variable_name === name);
      const actual = row ? toDeviceVariable(row).attributes.find((a) => a.type === 'Actual')?.value : undefined;
      const n = actual === undefined ? NaN : Number(actual);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    };
    return { items: valueOf('ItemsPerMessage'), bytes: valueOf('BytesPerMessage') };
  }

  private async probe(tenantId: string, stationId: string, action: SplitAction, requestedBy: RequestedBy): Promise<void> {
    const answer = (await this.deps.commands.send(tenantId, stationId, 'GetVariables', { getVariableData: limitRefs(action) }, { requestedBy })) as {
      getVariableResult: GetVariableResult[];
    };
    await this.deps.writer.apply(tenantId, stationId, resultUpdates(answer.getVariableResult.filter((r) => r.attributeStatus === 'Accepted')));
  }
}

function limitRefs(action: SplitAction): GetVariableData[] {
  const component = { name: LIMITS_COMPONENT[action] };
  return [
    { component, variable: { name: 'ItemsPerMessage', instance: action } },
    { component, variable: { name: 'BytesPerMessage', instance: action } },
  ];
}
