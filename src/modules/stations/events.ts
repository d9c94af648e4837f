import type { DomainEvent } from '../../platform/bus.js';
import type { BootStatus, OcppVersionLabel } from './types.js';

export type StationConnected = DomainEvent<'StationConnected', { stationId: string; ocppVersion: OcppVersionLabel; remoteAddress: string | undefined }>;
export type StationDisconnected = DomainEvent<'StationDisconnected', { stationId: string; reason: string }>;
export type StationBooted = DomainEvent<
  'StationBooted',
  { stationId: string; status: BootStatus; vendor: string; model: string; firmware: string | undefined; reason: string | undefined }
>;
export type ConnectorStatusChanged = DomainEvent<
  'ConnectorStatusChanged',
  { stationId: string; evseId: number; connectorId: number; status: string; previousStatus: string | null; errorCode: string | null; at: string }
>;
export type StationSecurityEvent = DomainEvent<'StationSecurityEvent', { stationId: string; type: string; techInfo: string | null }>;

export type StationsEvent = StationConnected | StationDisconnected | StationBooted | ConnectorStatusChanged | StationSecurityEvent;
