import type { Handler } from '../../handler.js';

export interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface BootNotificationConf {
  status: 'Accepted' | 'Pending' | 'Rejected';
  currentTime: string;
  interval: number;
}

export const bootNotification: Handler<BootNotificationReq, BootNotificationConf> = async (ctx, req) => {
  const decision = await ctx.services.stations.boot(ctx.link.tenantId, ctx.link.stationId, {
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber ?? req.chargeBoxSerialNumber,
    firmware: req.firmwareVersion,
    iccid: req.iccid,
    imsi: req.imsi,
  });
  ctx.link.setBootStatus(decision.status);
  return { status: decision.status, currentTime: ctx.clock.now().toISOString(), interval: decision.intervalS };
};
