/**
 * ISO 15118 Plug & Charge (2.0.1 M01/M02, Get15118EVCertificate): the EV's
 * CertificateInstallationReq/UpdateReq (EXI, base64) goes to whoever issues contract
 * certificates (a mobility operator's or a PKI hub's contract certificate pool); Ampline does not
 * decode EXI. Operators plug a provider in; the local one serves labs and tests.
 */
export interface ContractCertificateRequest {
  tenantId: string;
  stationId: string;
  iso15118SchemaVersion: string;
  action: 'Install' | 'Update';
  exiRequest: string;
}

export type ContractCertificateAnswer = { status: 'Accepted'; exiResponse: string } | { status: 'Failed'; reason: string };

export interface ContractCertificateProvider {
  contractCertificate(request: ContractCertificateRequest): Promise<ContractCertificateAnswer>;
}

/** No provider configured: every request fails (the EV falls back to another payment). */
export const noContractCertificates: ContractCertificateProvider = {
  contractCertificate: async () => ({ status: 'Failed', reason: 'no contract certificate provider configured' }),
};

/** A provider answering from a table keyed by exiRequest: for labs and tests. */
export class LocalContractCertificateProvider implements ContractCertificateProvider {
  readonly received: ContractCertificateRequest[] = [];

  constructor(private readonly responses: Map<string, string> = new Map()) {}

  answer(exiRequest: string, exiResponse: string): void {
    this.responses.set(exiRequest, exiResponse);
  }

  async contractCertificate(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
    this.received.push(request);
    const exiResponse = this.responses.get(request.exiRequest);
    return exiResponse ? { status: 'Accepted', exiResponse } : { status: 'Failed', reason: 'no contract certificate for this request' };
  }
}
