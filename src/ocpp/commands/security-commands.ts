import { DomainError } from '../../platform/errors.js';
import type {
  CertificateHashData,
  InstallableCertificateType,
  ListableCertificateType,
  ProfileUpgradeAnswer,
  ProfileUpgradeRequest,
  SecurityCommands,
  SigningUse,
  StationAnswer,
} from '../../modules/security/index.js';
import type { OcppGateway } from '../gateway/gateway.js';
import type { Payload } from '../rpc/frames.js';
import type { OcppVersion } from '../rpc/versions.js';
import { SYSTEM_REQUESTER, type RequestedBy } from '../../platform/requester.js';

type Gateway = Pick<OcppGateway, 'send' | 'versionOf'>;

/** 1.6 security whitepaper names the CSMS root CentralSystemRootCertificate. */
const V16_CERTIFICATE_TYPE: Partial<Record<ListableCertificateType, string>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};

function firstStatus(answer: Payload, listKey: string): string | undefined {
  const list = answer[listKey];
  const first = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  return typeof first?.['attributeStatus'] === 'string' ? first['attributeStatus'] : undefined;
}

/** Maps the version-free security commands onto OCPP 1.6 (security extension) and 2.0.1/2.1. */
export class SecurityCommandMapper implements SecurityCommands {
  constructor(private readonly gateway: Gateway) {}

  private version(tenantId: string, stationId: string): OcppVersion {
    const version = this.gateway.versionOf(tenantId, stationId);
    if (!version) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
    return version;
  }

  passwordFlavour(tenantId: string, stationId: string): '1.6' | '2.x' | undefined {
    const version = this.gateway.versionOf(tenantId, stationId);
    return version === undefined ? undefined : version === 'ocpp1.6' ? '1.6' : '2.x';
  }

  certificateSigned(tenantId: string, stationId: string, chainPem: string, use: SigningUse): Promise<StationAnswer> {
    const v16 = this.version(tenantId, stationId) === 'ocpp1.6';
    // A02.FR.14: echo the type the station asked for.
    const payload = v16 ? { certificateChain: chainPem } : { certificateChain: chainPem, certificateType: use };
    return this.gateway.send(tenantId, stationId, 'CertificateSigned', payload, { requestedBy: SYSTEM_REQUESTER });
  }

  async setBasicAuthPassword(tenantId: string, stationId: string, password: string, requestedBy: RequestedBy): Promise<{ accepted: boolean; response: StationAnswer }> {
    if (this.version(tenantId, stationId) === 'ocpp1.6') {
      const response = await this.gateway.send(tenantId, stationId, 'ChangeConfiguration', { key: 'AuthorizationKey', value: password }, { requestedBy });
      return { accepted: response['status'] === 'Accepted', response };
    }
    const response = await this.gateway.send(tenantId, stationId, 'SetVariables', {
      setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: password }],
    }, { requestedBy });
    return { accepted: firstStatus(response, 'setVariableResult') === 'Accepted', response };
  }

  /**
   * 1.6 (security §2.1): ChangeConfiguration SecurityProfile. 2.0.1 (A05): SetNetworkProfile
   * into a slot, NetworkConfigurationPriority with that slot first, then Reset OnIdle.
   */
  async upgradeSecurityProfile(tenantId: string, stationId: string, request: ProfileUpgradeRequest, requestedBy: RequestedBy): Promise<ProfileUpgradeAnswer> {
    const version = this.version(tenantId, stationId);
    const steps: ProfileUpgradeAnswer['steps'] = [];
    const call = async (action: string, payload: Payload): Promise<Payload> => {
      const response = await this.gateway.send(tenantId, stationId, action, payload, { requestedBy });
      steps.push({ action, response });
      return response;
    };
    if (version === 'ocpp1.6') {
      const answer = await call('ChangeConfiguration', { key: 'SecurityProfile', value: String(request.securityProfile) });
      return { accepted: answer['status'] === 'Accepted' || answer['status'] === 'RebootRequired', steps };
    }
    if (!request.csmsUrl) throw new DomainError('InvalidInput', 'csmsUrl (the wss:// URL of the TLS listener) is required for OCPP 2.x', { field: 'csmsUrl' });
    const slot = request.configurationSlot ?? 1;
    const network = await call('SetNetworkProfile', {
      configurationSlot: slot,
      connectionData: {
        ocppVersion: 'OCPP20',
        ocppTransport: 'JSON',
        ocppCsmsUrl: request.csmsUrl,
        messageTimeout: 30,
        securityProfile: request.securityProfile,
        ocppInterface: 'Wired0',
      },
    });
    if (network['status'] !== 'Accepted') return { accepted: false, steps };
    const priority = await call('SetVariables', {
      setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: String(slot) }],
    });
    const status = firstStatus(priority, 'setVariableResult');
    if (status !== 'Accepted' && status !== 'RebootRequired') return { accepted: false, steps };
    const reset = await call('Reset', { type: 'OnIdle' });
    return { accepted: reset['status'] === 'Accepted' || reset['status'] === 'Scheduled', steps };
  }

  installCertificate(tenantId: string, stationId: string, type: InstallableCertificateType, certificatePem: string, requestedBy: RequestedBy): Promise<StationAnswer> {
    const certificateType = this.typeFor(tenantId, stationId, type);
    return this.gateway.send(tenantId, stationId, 'InstallCertificate', { certificateType, certificate: certificatePem }, { requestedBy });
  }

  deleteCertificate(tenantId: string, stationId: string, hash: CertificateHashData, requestedBy: RequestedBy): Promise<StationAnswer> {
    this.version(tenantId, stationId);
    return this.gateway.send(tenantId, stationId, 'DeleteCertificate', { certificateHashData: hash }, { requestedBy });
  }

  getInstalledCertificateIds(tenantId: string, stationId: string, types: ListableCertificateType[], requestedBy: RequestedBy): Promise<StationAnswer> {
    if (this.version(tenantId, stationId) === 'ocpp1.6') {
      // 1.6 asks for exactly one type per call.
      if (types.length !== 1) throw new DomainError('InvalidInput', 'OCPP 1.6 stations are asked for exactly one certificateType', { field: 'certificateType' });
      return this.gateway.send(tenantId, stationId, 'GetInstalledCertificateIds', { certificateType: this.typeFor(tenantId, stationId, types[0]!) }, { requestedBy });
    }
    return this.gateway.send(tenantId, stationId, 'GetInstalledCertificateIds', types.length ? { certificateType: types } : {}, { requestedBy });
  }

  private typeFor(tenantId: string, stationId: string, type: ListableCertificateType): string {
    if (this.version(tenantId, stationId) !== 'ocpp1.6') return type;
    const mapped = V16_CERTIFICATE_TYPE[type];
    if (!mapped) throw new DomainError('InvalidInput', `${type} does not exist in OCPP 1.6 security`, { field: 'certificateType' });
    return mapped;
  }
}
