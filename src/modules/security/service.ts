import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import { DomainError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { hashPassword, type ScryptCost } from '../../platform/passwords.js';
import type { StationsService } from '../stations/index.js';
import type { CertificateAuthority } from './authority.js';
import type { SecurityEvent } from './events.js';
import { generateStationPassword } from './station-password.js';
import { noContractCertificates, type ContractCertificateAnswer, type ContractCertificateProvider, type ContractCertificateRequest } from './contract-certificates.js';
import { httpOcspFetch, OcspStatusCache, type CertificateStatusResult, type OcspFetch } from './ocsp.js';
import { x509 } from './x509.js';
import type {
  CertificateHashData,
  InstallableCertificateType,
  ListableCertificateType,
  ProfileUpgradeAnswer,
  ProfileUpgradeRequest,
  SecurityCommands,
  SignRequestOutcome,
  SigningUse,
  StationAnswer,
  StationCredentials,
} from './types.js';
import type { RequestedBy } from '../../platform/requester.js';

/** Upper bound on how long an OCSP answer is reused, whatever its nextUpdate. */
const OCSP_MAX_AGE_MS = 60 * 60_000;

/** How long an unanswered rotation keeps the new password valid beside the old one. */
const PENDING_PASSWORD_GRACE_MS = 10 * 60_000;

export interface SecurityServiceDeps {
  stations: Pick<StationsService, 'get' | 'update' | 'setPasswordHash'>;
  commands: SecurityCommands;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** The built-in CA; without one SignCertificate is answered Rejected (A02.FR.12). */
  authority: CertificateAuthority | undefined;
  passwordCost?: ScryptCost | undefined;
  /** How OCSP responders are reached (tests: a local responder over real HTTP all the same). */
  ocspFetch?: OcspFetch | undefined;
  /** Drops the gateway's remembered password digest for a station. */
  forgetPassword(stationId: string): void;
}

/**
 * Station security beyond the handshake: signing station certificates with the built-in CA,
 * password rotation (A01), security profile upgrades (A05) and certificate management (M).
 */
export class SecurityService {
  /**
   * A01: rotated passwords sent and not yet confirmed, as hashes (never the password itself).
   * Kept for a grace period when the answer never came (the station may have applied the
   * password and reconnected before answering); a login with it then confirms it.
   */
  private readonly pendingPasswords = new Map<string, { tenantId: string; hash: string; expiresAtMs: number; adopted: boolean }>();
  private readonly rotating = new Set<string>();
  /** A05: upgrades requested; the station record changes when it comes back on the new profile. */
  private readonly pendingProfiles = new Map<string, 2 | 3>();

  private contractCertificates: ContractCertificateProvider = noContractCertificates;
  private readonly ocsp: OcspStatusCache;

  constructor(private readonly deps: SecurityServiceDeps) {
    this.ocsp = new OcspStatusCache({ fetch: deps.ocspFetch ?? httpOcspFetch, clock: deps.clock, maxAgeMs: OCSP_MAX_AGE_MS });
  }

  /** Plugs in who issues ISO 15118 contract certificates (a mobility operator or PKI hub). */
  useContractCertificateProvider(provider: ContractCertificateProvider): void {
    this.contractCertificates = provider;
  }

  /** M01/M02 Get15118EVCertificate: forwarded; a provider failure is a Failed answer, not an error. */
  async contractCertificate(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
    try {
      return await this.contractCertificates.contractCertificate(request);
    } catch (err) {
      this.deps.logger.error({ err, stationId: request.stationId }, 'contract certificate provider failed');
      return { status: 'Failed', reason: 'contract certificate provider failed' };
    }
  }

  /** M06 GetCertificateStatus through OCSP, cached until nextUpdate. */
  async certificateStatus(stationId: string, request: CertificateHashData & { responderURL: string }): Promise<CertificateStatusResult> {
    const result = await this.ocsp.status(request);
    if (result.status === 'Failed') this.deps.logger.warn({ stationId, responderURL: request.responderURL, reason: result.reason }, 'OCSP status unavailable');
    return result;
  }

  /** The gateway's credentials, widened with what a rotation or an upgrade in flight also admits. */
  withPending(credentials: StationCredentials | undefined): StationCredentials | undefined {
    if (!credentials) return credentials;
    const pending = this.pendingPasswords.get(credentials.id);
    if (pending && pending.expiresAtMs <= this.deps.clock.nowMs()) this.pendingPasswords.delete(credentials.id);
    const pendingPasswordHash = pending && pending.expiresAtMs > this.deps.clock.nowMs() ? pending.hash : undefined;
    const pendingSecurityProfile = this.pendingProfiles.get(credentials.id);
    if (!pendingPasswordHash && !pendingSecurityProfile) return credentials;
    return { ...credentials, ...(pendingPasswordHash ? { pendingPasswordHash } : {}), ...(pendingSecurityProfile ? { pendingSecurityProfile } : {}) };
  }

  /**
   * SignCertificate (A02/A03, 1.6 security §3.2): answers at once and, when Accepted, signs and
   * sends CertificateSigned after the answer went out. Refused: no CA, a V2G request (ISO 15118
   * certificates come from a V2G PKI, not from the operator CA), or a CSR that is not the
   * station's (A00.FR.405).
   */
  async signCertificate(tenantId: string, stationId: string, csrPem: string, use: SigningUse): Promise<SignRequestOutcome> {
    const refuse = (reason: string): SignRequestOutcome => {
      this.publish({ type: 'StationCertificateRefused', tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, use, reason } });
      this.deps.logger.warn({ stationId, use, reason }, 'SignCertificate rejected');
      return { status: 'Rejected', reason };
    };
    const authority = this.deps.authority;
    if (!authority) return refuse('no certificate authority configured (ampline ca init)');
    if (use !== 'ChargingStationCertificate') return refuse(`${use} signing is not offered by the operator CA`);
    let chain: string;
    try {
      chain = await authority.signStationRequest(csrPem, stationId);
    } catch (err) {
      if (err instanceof DomainError) return refuse(err.message);
      throw err;
    }
    // The answer must reach the station before CertificateSigned does (A02 sequence).
    setImmediate(() => void this.deliver(tenantId, stationId, chain, use));
    return { status: 'Accepted' };
  }

  private async deliver(tenantId: string, stationId: string, chain: string, use: SigningUse): Promise<void> {
    const [leafPem] = x509.PemConverter.decode(chain);
    const serialNumber = leafPem ? new x509.X509Certificate(leafPem).serialNumber : '';
    try {
      const answer = await this.deps.commands.certificateSigned(tenantId, stationId, chain, use);
      const stationStatus = String(answer['status'] ?? 'Unknown');
      this.publish({ type: 'StationCertificateIssued', tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, use, serialNumber, stationStatus } });
    } catch (err) {
      this.deps.logger.error({ err, stationId, serialNumber }, 'CertificateSigned could not be delivered');
    }
  }

  /**
   * A01 / TC_A_09_CSMS, TC_A_10_CSMS: a new random password is sent to the station and becomes the
   * stored one only when the station accepted it. While the answer is awaited the station may
   * already reconnect with the new password; the old one keeps working until it accepted.
   */
  async rotatePassword(tenantId: string, stationId: string, requestedBy: RequestedBy): Promise<{ accepted: boolean; response: StationAnswer }> {
    const station = await this.deps.stations.get(tenantId, stationId);
    if (station.securityProfile === 0 || station.securityProfile === 3) {
      throw new DomainError('Conflict', `station ${stationId} is on security profile ${station.securityProfile}, which uses no password`);
    }
    const flavour = this.deps.commands.passwordFlavour(tenantId, stationId);
    if (!flavour) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    if (this.rotating.has(stationId)) throw new DomainError('Conflict', `a password rotation for ${stationId} is waiting for the station's answer`);
    this.rotating.add(stationId);
    try {
      return await this.rotate(tenantId, stationId, flavour, requestedBy);
    } finally {
      this.rotating.delete(stationId);
    }
  }

  private async rotate(tenantId: string, stationId: string, flavour: '1.6' | '2.x', requestedBy: RequestedBy): Promise<{ accepted: boolean; response: StationAnswer }> {
    const password = generateStationPassword(flavour);
    const hash = await hashPassword(password, this.deps.passwordCost);
    const entry = { tenantId, hash, expiresAtMs: this.deps.clock.nowMs() + PENDING_PASSWORD_GRACE_MS, adopted: false };
    this.pendingPasswords.set(stationId, entry);
    // No answer (offline, timeout): whether the station switched is unknown, so the pending entry
    // stays for the grace period and the first login with the new password confirms it.
    let result: { accepted: boolean; response: StationAnswer };
    try {
      result = await this.deps.commands.setBasicAuthPassword(tenantId, stationId, password, requestedBy);
    } catch (err) {
      // The station may have switched and reconnected before answering: that login confirmed it.
      if (entry.adopted) return { accepted: true, response: {} };
      throw err;
    }
    if (entry.adopted) return { accepted: true, response: result.response };
    if (this.pendingPasswords.get(stationId) === entry) this.pendingPasswords.delete(stationId);
    // A01.FR.03: accepted, from now on only the new password. A01.FR.04: otherwise only the old one.
    if (result.accepted) await this.adoptPassword(tenantId, stationId, hash);
    this.publish({ type: 'StationPasswordRotated', tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, accepted: result.accepted } });
    return result;
  }

  /** The gateway let a station in with its pending password: it has switched, so adopt it. */
  async pendingPasswordUsed(stationId: string): Promise<void> {
    const entry = this.pendingPasswords.get(stationId);
    if (!entry) return;
    this.pendingPasswords.delete(stationId);
    entry.adopted = true;
    await this.adoptPassword(entry.tenantId, stationId, entry.hash);
    this.publish({ type: 'StationPasswordRotated', tenantId: entry.tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, accepted: true } });
  }

  private async adoptPassword(tenantId: string, stationId: string, hash: string): Promise<void> {
    await this.deps.stations.setPasswordHash(tenantId, stationId, hash);
    this.deps.forgetPassword(stationId);
  }

  /** A05 / 1.6 security §2.1: never to a lower or equal profile (A00.FR.005, A05.FR.07). */
  async upgradeSecurityProfile(tenantId: string, stationId: string, request: ProfileUpgradeRequest, requestedBy: RequestedBy): Promise<ProfileUpgradeAnswer> {
    const station = await this.deps.stations.get(tenantId, stationId);
    if (request.securityProfile <= station.securityProfile) {
      throw new DomainError('Conflict', `station ${stationId} is on security profile ${station.securityProfile}; a profile can only be raised (A00.FR.005)`, {
        field: 'securityProfile',
      });
    }
    this.pendingProfiles.set(stationId, request.securityProfile);
    try {
      const answer = await this.deps.commands.upgradeSecurityProfile(tenantId, stationId, request, requestedBy);
      if (!answer.accepted) this.pendingProfiles.delete(stationId);
      return answer;
    } catch (err) {
      this.pendingProfiles.delete(stationId);
      throw err;
    }
  }

  /** Called by the gateway when a station with an upgrade in flight connected on the new profile. */
  async upgradeCompleted(tenantId: string, stationId: string, from: number, to: 2 | 3): Promise<void> {
    if (this.pendingProfiles.get(stationId) !== to) return;
    await this.deps.stations.update(tenantId, stationId, { securityProfile: to });
    this.pendingProfiles.delete(stationId);
    this.publish({ type: 'StationSecurityProfileUpgraded', tenantId, occurredAt: this.deps.clock.now(), payload: { stationId, from, to } });
  }

  async installCertificate(tenantId: string, stationId: string, type: InstallableCertificateType, certificatePem: string, requestedBy: RequestedBy): Promise<StationAnswer> {
    await this.deps.stations.get(tenantId, stationId);
    try {
      new x509.X509Certificate(certificatePem.trim());
    } catch {
      throw new DomainError('InvalidInput', 'certificate is not a PEM X.509 certificate', { field: 'certificate' });
    }
    return this.deps.commands.installCertificate(tenantId, stationId, type, certificatePem, requestedBy);
  }

  async deleteCertificate(tenantId: string, stationId: string, hash: CertificateHashData, requestedBy: RequestedBy): Promise<StationAnswer> {
    await this.deps.stations.get(tenantId, stationId);
    return this.deps.commands.deleteCertificate(tenantId, stationId, hash, requestedBy);
  }

  async getInstalledCertificateIds(tenantId: string, stationId: string, types: ListableCertificateType[], requestedBy: RequestedBy): Promise<StationAnswer> {
    await this.deps.stations.get(tenantId, stationId);
    return this.deps.commands.getInstalledCertificateIds(tenantId, stationId, types, requestedBy);
  }

  private publish(event: SecurityEvent): void {
    this.deps.bus.publish(event);
  }
}
