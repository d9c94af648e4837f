import type { Handler } from '../../handler.js';

/** 2.0.1 L01 FirmwareStatusNotification: requestId names the UpdateFirmware (absent only when triggered while idle). */
export const firmwareStatusNotification: Handler<{ status: string; requestId?: number }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.firmware.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, request.requestId);
  return {};
};
