import type { Handler } from '../../handler.js';
import type { MonitoringData } from '../../../modules/device-model/index.js';

export interface NotifyMonitoringReportRequest {
  requestId: number;
  tbc?: boolean;
  seqNo: number;
  generatedAt: string;
  monitor?: MonitoringData[];
}

/** N02: one part of a monitoring report, stored as the station's monitors. */
export const notifyMonitoringReport: Handler<NotifyMonitoringReportRequest, Record<string, never>> = async (ctx, req) => {
  await ctx.services.deviceModel.monitoring.notifyMonitoringReport(ctx.link.tenantId, ctx.link.stationId, {
    requestId: req.requestId,
    seqNo: req.seqNo,
    tbc: req.tbc ?? false,
    monitor: req.monitor,
  });
  return {};
};
