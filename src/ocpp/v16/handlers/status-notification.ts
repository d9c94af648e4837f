import type { Handler } from '../../handler.js';

export interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  status: string;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

/**
 * 1.6 connectors map to EVSEs one to one (EVSE n has connector 1); connector 0 is the whole
 * charge point and is kept as EVSE 0.
 */
export const statusNotification: Handler<StatusNotificationReq, Record<string, never>> = async (ctx, req) => {
  await ctx.services.stations.connectorStatus(ctx.link.tenantId, ctx.link.stationId, {
    evseId: req.connectorId,
    connectorId: req.connectorId === 0 ? 0 : 1,
    status: req.status,
    errorCode: req.errorCode,
    info: req.info,
    vendorErrorCode: req.vendorErrorCode,
    timestamp: req.timestamp ? new Date(req.timestamp) : ctx.clock.now(),
  });
  return {};
};
