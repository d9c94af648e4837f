import type { Handler } from '../../handler.js';

export const heartbeat: Handler<Record<string, never>, { currentTime: string }> = async (ctx) => {
  const at = await ctx.services.stations.heartbeat(ctx.link.tenantId, ctx.link.stationId);
  return { currentTime: at.toISOString() };
};
