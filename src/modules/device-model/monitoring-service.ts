import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import { requireFamily } from './station-version.js';
import { cleanComponent, cleanVariable } from './refs.js';
import { OpenReports } from './report-assembly.js';
import type { SplitSender } from './split-sender.js';
import type { DeviceModelStore, EventRow } from './store.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { DEVICE_EVENT_SORT } from './device-event-sort.js';
import type { DeviceEventReported, MonitoringReportCompleted } from './events.js';
import type { RequestIds } from './variables-service.js';
import type { ComponentRef, DeviceCommands, DeviceEventView, MonitorView, VariableRef } from './types.js';
import type { RequestedBy } from '../../platform/requester.js';

export interface MonitoringServiceDeps {
  store: DeviceModelStore;
  commands: DeviceCommands;
  split: SplitSender;
  bus: EventBus;
  clock: Clock;
  requestIds: RequestIds;
}

export interface SetMonitoringData {
  id?: number | undefined;
  transaction?: boolean | undefined;
  value: number;
  type: string;
  severity: number;
  component: ComponentRef;
  variable: VariableRef;
}

interface SetMonitoringResult {
  id?: number;
  status: string;
  type: string;
  severity: number;
  component: ComponentRef;
  variable: VariableRef;
  statusInfo?: unknown;
}

/** NotifyMonitoringReport MonitoringDataType. */
export interface MonitoringData {
  component: ComponentRef;
  variable: VariableRef;
  variableMonitoring: { id: number; transaction: boolean; value: number; type: string; severity: number }[];
}

/** NotifyEvent EventDataType. */
export interface EventData {
  eventId: number;
  timestamp: string;
  trigger: string;
  cause?: number;
  actualValue: string;
  techCode?: string;
  techInfo?: string;
  cleared?: boolean;
  transactionId?: string;
  variableMonitoringId?: number;
  eventNotificationType: string;
  component: ComponentRef;
  variable: VariableRef;
}

const REPORT_MAX_AGE_MS = 15 * 60_000;

/** 2.0.1 monitoring (N02–N07) and NotifyEvent (N07.FR): monitors and events stored per station. */
export class MonitoringService {
  private readonly reports = new OpenReports(REPORT_MAX_AGE_MS);

  constructor(private readonly deps: MonitoringServiceDeps) {}

  /** N04: split by ItemsPerMessage/BytesPerMessage[SetVariableMonitoring]; accepted monitors stored under the id answered. */
  async setVariableMonitoring(tenantId: string, stationId: string, setMonitoringData: SetMonitoringData[], requestedBy: RequestedBy) {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'OCPP 1.6 has no variable monitoring');
    const { answers } = await this.deps.split.send<SetMonitoringData, { setMonitoringResult: SetMonitoringResult[] }>(
      tenantId,
      stationId,
      'SetVariableMonitoring',
      'setMonitoringData',
      setMonitoringData,
      requestedBy,
    );
    const setMonitoringResult = answers.flatMap(({ answer }) => answer.setMonitoringResult);
    const at = this.deps.clock.now();
    const accepted = setMonitoringResult.flatMap((r, i) => {
      const sent = setMonitoringData[i];
      if (r.status !== 'Accepted' || r.id === undefined || !sent) return [];
      return [{ id: r.id, component: r.component, variable: r.variable, type: r.type, value: sent.value, severity: r.severity, transaction: sent.transaction ?? false }];
    });
    await this.deps.store.putMonitors(accepted.map((m) => this.monitorRow(tenantId, stationId, m, at)));
    return { setMonitoringResult, calls: answers.length };
  }

  /** N06: split by ItemsPerMessage[ClearVariableMonitoring] (N06.FR.04, TC_N_18_CSMS); cleared monitors removed. */
  async clearVariableMonitoring(tenantId: string, stationId: string, ids: number[], requestedBy: RequestedBy) {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'OCPP 1.6 has no variable monitoring');
    const { answers } = await this.deps.split.send<number, { clearMonitoringResult: { id: number; status: string }[] }>(
      tenantId,
      stationId,
      'ClearVariableMonitoring',
      'id',
      ids,
      requestedBy,
    );
    const clearMonitoringResult = answers.flatMap(({ answer }) => answer.clearMonitoringResult);
    await this.deps.store.deleteMonitors(
      tenantId,
      stationId,
      clearMonitoringResult.filter((r) => r.status === 'Accepted' || r.status === 'NotFound').map((r) => r.id),
    );
    return { clearMonitoringResult, calls: answers.length };
  }

  async setMonitoringBase(tenantId: string, stationId: string, monitoringBase: string, requestedBy: RequestedBy) {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'OCPP 1.6 has no variable monitoring');
    return this.deps.commands.send(tenantId, stationId, 'SetMonitoringBase', { monitoringBase }, { requestedBy });
  }

  async setMonitoringLevel(tenantId: string, stationId: string, severity: number, requestedBy: RequestedBy) {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'OCPP 1.6 has no variable monitoring');
    return this.deps.commands.send(tenantId, stationId, 'SetMonitoringLevel', { severity }, { requestedBy });
  }

  /** N02: the monitors arrive as NotifyMonitoringReport parts under the returned requestId. */
  async getMonitoringReport(
    tenantId: string,
    stationId: string,
    input: { monitoringCriteria?: string[] | undefined; componentVariable?: unknown[] | undefined },
    requestedBy: RequestedBy,
  ) {
    requireFamily(this.deps.commands, tenantId, stationId, '2.x', 'OCPP 1.6 has no variable monitoring');
    const requestId = this.deps.requestIds.take();
    const payload: Record<string, unknown> = { requestId };
    if (input.monitoringCriteria?.length) payload['monitoringCriteria'] = input.monitoringCriteria;
    if (input.componentVariable?.length) payload['componentVariable'] = input.componentVariable;
    const answer = (await this.deps.commands.send(tenantId, stationId, 'GetMonitoringReport', payload, { requestedBy })) as { status: string };
    return { requestId, status: answer.status };
  }

  async notifyMonitoringReport(tenantId: string, stationId: string, part: { requestId: number; seqNo: number; tbc: boolean; monitor?: MonitoringData[] | undefined }): Promise<void> {
    const at = this.deps.clock.now();
    const rows = (part.monitor ?? []).flatMap((m) =>
      m.variableMonitoring.map((v) => this.monitorRow(tenantId, stationId, { ...v, component: m.component, variable: m.variable }, at)),
    );
    await this.deps.store.putMonitors(rows);
    const parts = this.reports.add(stationId, part.requestId, part.seqNo, part.tbc, this.deps.clock.nowMs());
    if (parts !== undefined) {
      const event: MonitoringReportCompleted = { type: 'MonitoringReportCompleted', tenantId, occurredAt: at, payload: { stationId, requestId: part.requestId, parts } };
      this.deps.bus.publish(event);
    }
  }

  async monitors(tenantId: string, stationId: string): Promise<MonitorView[]> {
    return (await this.deps.store.monitors(tenantId, stationId)).map((r) => ({
      id: r.monitor_id,
      component: JSON.parse(r.component) as ComponentRef,
      variable: JSON.parse(r.variable) as VariableRef,
      type: r.type,
      value: r.value,
      severity: r.severity,
      transaction: r.transaction,
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  /** N07/N08: every EventData stored and published as DeviceEventReported. Parts need no assembly to be useful. */
  async notifyEvent(tenantId: string, stationId: string, eventData: EventData[]): Promise<void> {
    const receivedAt = this.deps.clock.now();
    const stored = await this.deps.store.addEvents(
      eventData.map((e) => ({
        tenant_id: tenantId,
        station_id: stationId,
        event_id: e.eventId,
        event_at: new Date(e.timestamp),
        trigger: e.trigger,
        notification_type: e.eventNotificationType,
        component: JSON.stringify(cleanComponent(e.component)),
        variable: JSON.stringify(cleanVariable(e.variable)),
        actual_value: e.actualValue,
        cleared: e.cleared ?? false,
        tech_code: e.techCode ?? null,
        tech_info: e.techInfo ?? null,
        cause: e.cause ?? null,
        transaction_id: e.transactionId ?? null,
        monitoring_id: e.variableMonitoringId ?? null,
        received_at: receivedAt,
      })),
    );
    for (const row of stored) {
      const view = toEventView(row);
      const event: DeviceEventReported = {
        type: 'DeviceEventReported',
        tenantId,
        occurredAt: receivedAt,
        payload: {
          stationId,
          id: view.id,
          eventId: view.eventId,
          trigger: view.trigger,
          eventNotificationType: view.eventNotificationType,
          component: view.component,
          variable: view.variable,
          actualValue: view.actualValue,
          cleared: view.cleared,
          at: view.timestamp,
        },
      };
      this.deps.bus.publish(event);
    }
  }

  /** One page of a station's NotifyEvent log in `sort` order (ADR 025); `before` is the older name of `cursor`. */
  async events(tenantId: string, stationId: string, query: ListWindowQuery): Promise<Page<DeviceEventView>> {
    const window = DEVICE_EVENT_SORT.window(query);
    return mapPage(window.page(await this.deps.store.events(tenantId, stationId, window)), toEventView);
  }

  private monitorRow(
    tenantId: string,
    stationId: string,
    m: { id: number; component: ComponentRef; variable: VariableRef; type: string; value: number; severity: number; transaction: boolean },
    at: Date,
  ) {
    return {
      tenant_id: tenantId,
      station_id: stationId,
      monitor_id: m.id,
      component: JSON.stringify(cleanComponent(m.component)),
      variable: JSON.stringify(cleanVariable(m.variable)),
      type: m.type,
      value: m.value,
      severity: m.severity,
      transaction: m.transaction,
      updated_at: at,
    };
  }

}

function toEventView(r: EventRow): DeviceEventView {
  return {
    id: Number(r.id),
    eventId: r.event_id,
    timestamp: r.event_at.toISOString(),
    trigger: r.trigger,
    eventNotificationType: r.notification_type,
    component: JSON.parse(r.component) as ComponentRef,
    variable: JSON.parse(r.variable) as VariableRef,
    actualValue: r.actual_value,
    cleared: r.cleared,
    techCode: r.tech_code,
    techInfo: r.tech_info,
    cause: r.cause,
    transactionId: r.transaction_id,
    variableMonitoringId: r.monitoring_id,
    receivedAt: r.received_at.toISOString(),
  };
}
