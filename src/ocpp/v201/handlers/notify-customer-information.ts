import type { Handler } from '../../handler.js';

type NotifyCustomerInformationRequest = { requestId: number; seqNo: number; data: string; tbc?: boolean; generatedAt: string };

/** N09.FR.*: a part of a customer information report, stored once the last part arrives. */
export const notifyCustomerInformation: Handler<NotifyCustomerInformationRequest, Record<string, never>> = async (ctx, request) => {
  await ctx.services.commands?.customerInformation.deliver(ctx.link.tenantId, ctx.link.stationId, {
    requestId: request.requestId,
    seqNo: request.seqNo,
    data: request.data,
    tbc: request.tbc === true,
    generatedAt: request.generatedAt,
  });
  return {};
};
