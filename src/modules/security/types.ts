import type { SecurityProfile, StationCredentials } from '../stations/index.js';
import type { RequestedBy } from '../../platform/requester.js';

/** 2.0.1 CertificateSigningUseEnumType; 1.6 security only knows the station certificate. */
export type SigningUse = 'ChargingStationCertificate' | 'V2GCertificate';

export type SignRequestOutcome = { status: 'Accepted' } | { status: 'Rejected'; reason: string };

/** The station's answer to a CSMS-initiated call, as validated by the gateway. */
export type StationAnswer = Record<string, unknown>;

/** 2.0.1 names; the 1.6 adapter maps CSMSRootCertificate to CentralSystemRootCertificate. */
export const INSTALLABLE_CERTIFICATE_TYPES = ['CSMSRootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate', 'MORootCertificate'] as const;
export type InstallableCertificateType = (typeof INSTALLABLE_CERTIFICATE_TYPES)[number];

export const LISTABLE_CERTIFICATE_TYPES = [...INSTALLABLE_CERTIFICATE_TYPES, 'V2GCertificateChain'] as const;
export type ListableCertificateType = (typeof LISTABLE_CERTIFICATE_TYPES)[number];

export interface CertificateHashData {
  hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export interface ProfileUpgradeRequest {
  securityProfile: 2 | 3;
  /** 2.0.1: the wss:// URL of the TLS listener, sent in SetNetworkProfile. */
  csmsUrl?: string | undefined;
  /** 2.0.1: the NetworkConnectionProfile slot to write (default 1). */
  configurationSlot?: number | undefined;
}

export interface ProfileUpgradeAnswer {
  accepted: boolean;
  /** Each call the upgrade made, in order, with the station's answer. */
  steps: { action: string; response: StationAnswer }[];
}

/**
 * The security messages the CSMS sends, free of OCPP version: the ocpp adapter maps each to
 * the station's version (1.6 security whitepaper or 2.0.1 blocks A and M).
 */
export interface SecurityCommands {
  /** Answers the station's own SignCertificate: asked by the system. */
  certificateSigned(tenantId: string, stationId: string, chainPem: string, use: SigningUse): Promise<StationAnswer>;
  /** A01 / 1.6 AuthorizationKey; resolves with whether the station accepted the new password. */
  setBasicAuthPassword(tenantId: string, stationId: string, password: string, requestedBy: RequestedBy): Promise<{ accepted: boolean; response: StationAnswer }>;
  upgradeSecurityProfile(tenantId: string, stationId: string, request: ProfileUpgradeRequest, requestedBy: RequestedBy): Promise<ProfileUpgradeAnswer>;
  installCertificate(tenantId: string, stationId: string, type: InstallableCertificateType, certificatePem: string, requestedBy: RequestedBy): Promise<StationAnswer>;
  deleteCertificate(tenantId: string, stationId: string, hash: CertificateHashData, requestedBy: RequestedBy): Promise<StationAnswer>;
  getInstalledCertificateIds(tenantId: string, stationId: string, types: ListableCertificateType[], requestedBy: RequestedBy): Promise<StationAnswer>;
  /** '1.6' for stations on the 1.6 security extension, else the 2.x label; undefined when offline. */
  passwordFlavour(tenantId: string, stationId: string): '1.6' | '2.x' | undefined;
}

export type { SecurityProfile, StationCredentials };
