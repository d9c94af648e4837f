import type { Handler } from '../../handler.js';

/** 1.6 security whitepaper §3.2 (Use case A02): only the station certificate is signed here. */
export const signCertificate: Handler<{ csr: string }, { status: 'Accepted' | 'Rejected' }> = async (ctx, request) => {
  const outcome = await ctx.services.security.signCertificate(ctx.link.tenantId, ctx.link.stationId, request.csr, 'ChargingStationCertificate');
  return { status: outcome.status };
};
