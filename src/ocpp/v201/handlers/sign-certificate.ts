import type { Handler } from '../../handler.js';

interface SignCertificateRequest {
  csr: string;
  certificateType?: 'ChargingStationCertificate' | 'V2GCertificate';
}

/** A02/A03: answered at once; CertificateSigned follows from the security module when Accepted. */
export const signCertificate: Handler<SignCertificateRequest, { status: 'Accepted' | 'Rejected'; statusInfo?: { reasonCode: string } }> = async (
  ctx,
  request,
) => {
  // A02.FR.13: without certificateType the request is for the station certificate.
  const use = request.certificateType ?? 'ChargingStationCertificate';
  const outcome = await ctx.services.security.signCertificate(ctx.link.tenantId, ctx.link.stationId, request.csr, use);
  return outcome.status === 'Accepted' ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } };
};
