import type { Handler } from '../../handler.js';

/** 1.6 security whitepaper SignedFirmwareStatusNotification: the status of a SignedUpdateFirmware by requestId. */
export const signedFirmwareStatusNotification: Handler<{ status: string; requestId?: number }, Record<string, never>> = async (ctx, request) => {
  await ctx.services.firmware.recordStatus(ctx.link.tenantId, ctx.link.stationId, request.status, request.requestId);
  return {};
};
