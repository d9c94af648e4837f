import type { Handler } from '../../handler.js';

/** 1.6 §4.5 FirmwareStatusNotification: no requestId, so it belongs to the station's latest update. */
export const firmwareStatusNotification: Handler<{ status: string }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.firmware.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, undefined);
  return {};
};
