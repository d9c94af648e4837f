import type { Handler } from '../../handler.js';
import type { ReportData } from '../../../modules/device-model/index.js';

export interface NotifyReportRequest {
  requestId: number;
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  reportData?: (Omit<ReportData, 'variableAttribute'> & { variableAttribute: (Omit<ReportData['variableAttribute'][number], 'type'> & { type?: ReportData['variableAttribute'][number]['type'] })[] })[];
}

/** B07/B08: one part of a report; the device model module stores it and tracks completion. */
export const notifyReport: Handler<NotifyReportRequest, Record<string, never>> = async (ctx, req) => {
  await ctx.services.deviceModel.variables.notifyReport(ctx.link.tenantId, ctx.link.stationId, {
    requestId: req.requestId,
    seqNo: req.seqNo,
    tbc: req.tbc ?? false,
    // An attribute without type is Actual (2.0.1 VariableAttributeType.type default).
    reportData: (req.reportData ?? []).map((d) => ({ ...d, variableAttribute: d.variableAttribute.map((a) => ({ ...a, type: a.type ?? 'Actual' })) })),
  });
  return {};
};
