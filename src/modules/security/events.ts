import type { DomainEvent } from '../../platform/bus.js';
import type { SigningUse } from './types.js';

export type StationCertificateIssued = DomainEvent<
  'StationCertificateIssued',
  { stationId: string; use: SigningUse; serialNumber: string; stationStatus: string }
>;
export type StationCertificateRefused = DomainEvent<'StationCertificateRefused', { stationId: string; use: SigningUse; reason: string }>;
export type StationPasswordRotated = DomainEvent<'StationPasswordRotated', { stationId: string; accepted: boolean }>;
export type StationSecurityProfileUpgraded = DomainEvent<'StationSecurityProfileUpgraded', { stationId: string; from: number; to: number }>;

export type SecurityEvent = StationCertificateIssued | StationCertificateRefused | StationPasswordRotated | StationSecurityProfileUpgraded;
