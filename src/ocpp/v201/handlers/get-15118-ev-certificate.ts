import type { Handler } from '../../handler.js';

interface Get15118EVCertificateRequest {
  iso15118SchemaVersion: string;
  action: 'Install' | 'Update';
  exiRequest: string;
}

/** M01/M02: the EV's EXI request goes to the contract certificate provider, its EXI answer back. */
export const get15118EVCertificate: Handler<
  Get15118EVCertificateRequest,
  { status: 'Accepted' | 'Failed'; exiResponse: string; statusInfo?: { reasonCode: string; additionalInfo?: string } }
> = async (ctx, request) => {
  const answer = await ctx.services.security.contractCertificate({ tenantId: ctx.link.tenantId, stationId: ctx.link.stationId, ...request });
  // exiResponse is required even on failure; an empty string says there is none.
  return answer.status === 'Accepted'
    ? { status: 'Accepted', exiResponse: answer.exiResponse }
    : { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoContract', additionalInfo: answer.reason.slice(0, 512) } };
};
