import type { Handler } from '../../handler.js';
import type { CertificateHashData } from '../../../modules/security/index.js';

/** M06: the OCSP answer for a certificate the station names, from the responder it names (cached). */
export const getCertificateStatus: Handler<
  { ocspRequestData: CertificateHashData & { responderURL: string } },
  { status: 'Accepted' | 'Failed'; ocspResult?: string; statusInfo?: { reasonCode: string; additionalInfo?: string } }
> = async (ctx, request) => {
  const { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber, responderURL } = request.ocspRequestData;
  const result = await ctx.services.security.certificateStatus(ctx.link.stationId, { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber, responderURL });
  return result.status === 'Accepted'
    ? { status: 'Accepted', ocspResult: result.ocspResult }
    : { status: 'Failed', statusInfo: { reasonCode: 'OcspUnavailable', additionalInfo: result.reason.slice(0, 512) } };
};
