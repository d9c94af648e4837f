import type { DomainEvent } from '../../platform/bus.js';
import type { ApplyOutcome, ComponentRef, VariableRef } from './types.js';

/** Every part of a NotifyReport for one requestId has arrived and is stored in the device model. */
export type DeviceReportCompleted = DomainEvent<'DeviceReportCompleted', { stationId: string; requestId: number; parts: number }>;

/** Every part of a NotifyMonitoringReport for one requestId has arrived. */
export type MonitoringReportCompleted = DomainEvent<'MonitoringReportCompleted', { stationId: string; requestId: number; parts: number }>;

/** A 2.0.1 NotifyEvent entry, stored (one per EventData). */
export type DeviceEventReported = DomainEvent<
  'DeviceEventReported',
  {
    stationId: string;
    id: number;
    eventId: number;
    trigger: string;
    eventNotificationType: string;
    component: ComponentRef;
    variable: VariableRef;
    actualValue: string;
    cleared: boolean;
    at: string;
  }
>;

/** A station's desired configuration (its template) was sent to it at boot. */
export type StationConfigurationApplied = DomainEvent<'StationConfigurationApplied', { stationId: string } & ApplyOutcome>;

export type DeviceModelEvent = DeviceReportCompleted | MonitoringReportCompleted | DeviceEventReported | StationConfigurationApplied;
