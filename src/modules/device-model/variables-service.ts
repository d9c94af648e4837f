import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import { requireFamily } from './station-version.js';
import { resultUpdates, toDeviceVariable, type AttributeResult, type DeviceModelWriter } from './device-model-writer.js';
import type { SplitSender } from './split-sender.js';
import { OpenReports } from './report-assembly.js';
import type { DeviceModelStore } from './store.js';
import type { DeviceReportCompleted } from './events.js';
import type { DeviceCommands, DeviceVariable, GetVariableData, GetVariableResult, ReportData, SetVariableData, SetVariableResult } from './types.js';
import { variableRef } from './refs.js';
import type { RequestedBy } from '../../platform/requester.js';

export interface VariablesServiceDeps {
  store: DeviceModelStore;
  writer: DeviceModelWriter;
  commands: DeviceCommands;
  split: SplitSender;
  bus: EventBus;
  clock: Clock;
  requestIds: RequestIds;
}

/** requestId for GetBaseReport/GetReport/GetMonitoringReport: integers unique enough per station. */
export class RequestIds {
  private next: number;
  constructor(nowMs: number) {
    // Seconds since epoch modulo 2^30: a restarted CSMS does not reuse a recent id.
    this.next = Math.floor(nowMs / 1000) % 2 ** 30;
  }
  take(): number {
    this.next = (this.next + 1) % 2 ** 31;
    return this.next;
  }
}

const REPORT_MAX_AGE_MS = 15 * 60_000;

export interface GetReportInput {
  componentVariable?: { component: GetVariableData['component']; variable?: GetVariableData['variable'] }[] | undefined;
  componentCriteria?: string[] | undefined;
}

/** 2.0.1 device model: Get/SetVariables (B05/B06), base and custom reports (B07/B08). */
export class VariablesService {
  private readonly reports = new OpenReports(REPORT_MAX_AGE_MS);

  constructor(private readonly deps: VariablesServiceDeps) {}

  /** B06: split by ItemsPerMessage/BytesPerMessage[GetVariables] (B06.FR.05, TC_B_08_CSMS); answers merged in order. */
  async getVariables(tenantId: string, stationId: string, data: GetVariableData[], requestedBy: RequestedBy): Promise<{ getVariableResult: GetVariableResult[]; calls: number }> {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'use get-configuration / change-configuration');
    const { answers } = await this.deps.split.send<GetVariableData, { getVariableResult: GetVariableResult[] }>(tenantId, stationId, 'GetVariables', 'getVariableData', data, requestedBy);
    const results = answers.flatMap(({ answer }) => answer.getVariableResult);
    await this.remember(tenantId, stationId, results.filter((r) => r.attributeStatus === 'Accepted'));
    return { getVariableResult: results, calls: answers.length };
  }

  /** B05: split by ItemsPerMessage/BytesPerMessage[SetVariables] (B05.FR.11); accepted values stored. */
  async setVariables(
    tenantId: string,
    stationId: string,
    data: SetVariableData[],
    requestedBy: RequestedBy,
  ): Promise<{ setVariableResult: SetVariableResult[]; calls: number; rebootRequired: boolean }> {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'use get-configuration / change-configuration');
    const { answers } = await this.deps.split.send<SetVariableData, { setVariableResult: SetVariableResult[] }>(tenantId, stationId, 'SetVariables', 'setVariableData', data, requestedBy);
    const results: SetVariableResult[] = [];
    for (const { chunk, answer } of answers) {
      results.push(...answer.setVariableResult);
      const accepted = answer.setVariableResult
        .filter((r) => r.attributeStatus === 'Accepted' || r.attributeStatus === 'RebootRequired')
        .map((r) => {
          const sent = chunk.find((d) => variableRef(d.component, d.variable) === variableRef(r.component, r.variable) && (d.attributeType ?? 'Actual') === (r.attributeType ?? 'Actual'));
          return sent ? { ...r, attributeValue: sent.attributeValue } : undefined;
        })
        .filter((r): r is SetVariableResult & { attributeValue: string } => r !== undefined);
      await this.remember(tenantId, stationId, accepted);
    }
    return { setVariableResult: results, calls: answers.length, rebootRequired: results.some((r) => r.attributeStatus === 'RebootRequired') };
  }

  /** B07: the report arrives as NotifyReport parts under the returned requestId. */
  async getBaseReport(tenantId: string, stationId: string, reportBase: string, requestedBy: RequestedBy): Promise<{ requestId: number; status: string }> {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'use get-configuration / change-configuration');
    const requestId = this.deps.requestIds.take();
    const answer = (await this.deps.commands.send(tenantId, stationId, 'GetBaseReport', { requestId, reportBase }, { requestedBy })) as { status: string };
    return { requestId, status: answer.status };
  }

  /** B08: a custom report by criteria and/or component/variables. */
  async getReport(tenantId: string, stationId: string, input: GetReportInput, requestedBy: RequestedBy): Promise<{ requestId: number; status: string }> {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'use get-configuration / change-configuration');
    const requestId = this.deps.requestIds.take();
    const payload: Record<string, unknown> = { requestId };
    if (input.componentVariable?.length) payload['componentVariable'] = input.componentVariable;
    if (input.componentCriteria?.length) payload['componentCriteria'] = input.componentCriteria;
    const answer = (await this.deps.commands.send(tenantId, stationId, 'GetReport', payload, { requestedBy })) as { status: string };
    return { requestId, status: answer.status };
  }

  /** One NotifyReport part: stored at once (parts are independent), completion announced once. */
  async notifyReport(tenantId: string, stationId: string, part: { requestId: number; seqNo: number; tbc: boolean; reportData: ReportData[] }): Promise<void> {
    await this.deps.writer.apply(
      tenantId,
      stationId,
      part.reportData.map((d) => ({ component: d.component, variable: d.variable, attributes: d.variableAttribute, characteristics: d.variableCharacteristics })),
    );
    const parts = this.reports.add(stationId, part.requestId, part.seqNo, part.tbc, this.deps.clock.nowMs());
    if (parts !== undefined) {
      const event: DeviceReportCompleted = {
        type: 'DeviceReportCompleted',
        tenantId,
        occurredAt: this.deps.clock.now(),
        payload: { stationId, requestId: part.requestId, parts },
      };
      this.deps.bus.publish(event);
    }
  }

  async deviceModel(tenantId: string, stationId: string, filter: { component?: string | undefined; variable?: string | undefined }): Promise<DeviceVariable[]> {
    return (await this.deps.store.variables(tenantId, stationId, filter)).map(toDeviceVariable);
  }


  private remember(tenantId: string, stationId: string, results: AttributeResult[]): Promise<void> {
    return this.deps.writer.apply(tenantId, stationId, resultUpdates(results));
  }


}
