import type { Handler } from '../../handler.js';
import type { EventData } from '../../../modules/device-model/index.js';

export interface NotifyEventRequest {
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  eventData: EventData[];
}

/** N07/N08: every reported event is stored and published (DeviceEventReported). */
export const notifyEvent: Handler<NotifyEventRequest, Record<string, never>> = async (ctx, req) => {
  await ctx.services.deviceModel.monitoring.notifyEvent(ctx.link.tenantId, ctx.link.stationId, req.eventData);
  return {};
};
