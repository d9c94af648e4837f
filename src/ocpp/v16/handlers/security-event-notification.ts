import type { Handler } from '../../handler.js';

/** 1.6 security whitepaper §4 (A04): stored and raised as a StationSecurityEvent domain event. */
export const securityEventNotification: Handler<{ type: string; timestamp: string; techInfo?: string }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.stations.securityEvent(ctx.link.tenantId, ctx.link.stationId, request.type, request.techInfo ?? null);
  return {};
};
