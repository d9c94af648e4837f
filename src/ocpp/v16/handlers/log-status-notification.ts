import type { Handler } from '../../handler.js';

/** 1.6 security whitepaper LogStatusNotification: the upload status of a GetLog by requestId. */
export const logStatusNotification: Handler<{ status: string; requestId?: number }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.diagnostics.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, request.requestId, false);
  return {};
};
