import type { Handler } from '../../handler.js';

export interface BootNotificationRequest {
  reason: string;
  chargingStation: {
    model: string;
    vendorName: string;
    serialNumber?: string;
    firmwareVersion?: string;
    modem?: { iccid?: string; imsi?: string };
  };
}

export interface BootNotificationResponse {
  status: 'Accepted' | 'Pending' | 'Rejected';
  currentTime: string;
  interval: number;
}

export const bootNotification: Handler<BootNotificationRequest, BootNotificationResponse> = async (ctx, req) => {
  const station = req.chargingStation;
  const decision = await ctx.services.stations.boot(ctx.link.tenantId, ctx.link.stationId, {
    vendor: station.vendorName,
    model: station.model,
    serialNumber: station.serialNumber,
    firmware: station.firmwareVersion,
    iccid: station.modem?.iccid,
    imsi: station.modem?.imsi,
    reason: req.reason,
  });
  ctx.link.setBootStatus(decision.status);
  return { status: decision.status, currentTime: ctx.clock.now().toISOString(), interval: decision.intervalS };
};
