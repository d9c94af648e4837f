import type { Handler } from '../../handler.js';

/** 1.6 §4.4 DiagnosticsStatusNotification: no requestId, so it belongs to the latest GetDiagnostics. */
export const diagnosticsStatusNotification: Handler<{ status: string }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.diagnostics.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, undefined, true);
  return {};
};
