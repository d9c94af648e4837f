import type { Handler } from '../../handler.js';

/** 2.0.1 N01 LogStatusNotification: the upload status of a GetLog by requestId. */
export const logStatusNotification: Handler<{ status: string; requestId?: number }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.diagnostics.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, request.requestId, false);
  return {};
};
