import type { Handler } from '../../handler.js';

export interface StatusNotificationRequest {
  timestamp: string;
  connectorStatus: string;
  evseId: number;
  connectorId: number;
}

export const statusNotification: Handler<StatusNotificationRequest, Record<string, never>> = async (ctx, req) => {
  await ctx.services.stations.connectorStatus(ctx.link.tenantId, ctx.link.stationId, {
    evseId: req.evseId,
    connectorId: req.connectorId,
    status: req.connectorStatus,
    timestamp: new Date(req.timestamp),
  });
  return {};
};
