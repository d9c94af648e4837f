import type { HandlerContext } from '../handler.js';

/**
 * Inbound DataTransfer, shared by both versions' handlers: dispatched to the vendor registry,
 * UnknownVendorId/UnknownMessageId when nothing is registered (1.6 §4.3, P02.FR.06/07). A handler
 * that fails is logged and answered Rejected rather than with a CALLERROR.
 */
export async function handleDataTransfer(ctx: HandlerContext, request: { vendorId: string; messageId?: string; data?: unknown }): Promise<{ status: string; data?: unknown }> {
  const registry = ctx.services.commands?.vendorData;
  if (!registry) return { status: 'UnknownVendorId' };
  try {
    const answer = await registry.handle({ tenantId: ctx.link.tenantId, stationId: ctx.link.stationId, vendorId: request.vendorId, messageId: request.messageId, data: request.data });
    return answer.data === undefined ? { status: answer.status } : { status: answer.status, data: answer.data };
  } catch (err) {
    ctx.logger.error({ err, stationId: ctx.link.stationId, vendorId: request.vendorId, messageId: request.messageId }, 'vendor DataTransfer handler failed');
    return { status: 'Rejected' };
  }
}
