import { toIdTokenInfo201, type IdTokenInfo201 } from '../../../modules/authorization/index.js';
import type { Handler } from '../../handler.js';

export interface AuthorizeRequest {
  idToken: { idToken: string; type: string };
  certificate?: string;
  iso15118CertificateHashData?: unknown[];
}

export interface AuthorizeResponse {
  idTokenInfo: IdTokenInfo201;
}

/**
 * C01: the answer for (idToken, type) with its group and EVSE limits. ISO 15118 contract
 * certificates (certificate, iso15118CertificateHashData; C07) are not checked yet, so no
 * certificateStatus is returned.
 */
export const authorize: Handler<AuthorizeRequest, AuthorizeResponse> = async (ctx, req) => {
  const result = await ctx.services.authorization.authorize(
    ctx.link.tenantId,
    { idToken: req.idToken.idToken, type: req.idToken.type },
    { stationId: ctx.link.stationId },
  );
  return { idTokenInfo: toIdTokenInfo201(result) };
};
