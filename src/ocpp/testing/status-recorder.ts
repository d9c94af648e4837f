import { ManualClock } from '../../platform/clock.js';
import { silentLogger } from '../../platform/logger.js';
import type { HandlerContext, OcppServices } from '../handler.js';
import type { OcppVersion } from '../rpc/versions.js';

export interface RecordedStatus {
  service: 'firmware' | 'diagnostics';
  tenantId: string;
  stationId: string;
  status: string;
  requestId: number | undefined;
  viaDiagnostics?: boolean;
}

/** For the firmware and log status handler tests: a context whose services record what they were told. */
export function statusRecorder(version: OcppVersion, seen: RecordedStatus[]): HandlerContext {
  const firmware = {
    recordStatus: async (tenantId: string, stationId: string, status: string, requestId: number | undefined) => {
      seen.push({ service: 'firmware', tenantId, stationId, status, requestId });
    },
  };
  const diagnostics = {
    recordStatus: async (tenantId: string, stationId: string, status: string, requestId: number | undefined, viaDiagnostics: boolean) => {
      seen.push({ service: 'diagnostics', tenantId, stationId, status, requestId, viaDiagnostics });
    },
  };
  return {
    link: { tenantId: 'tenant-1', stationId: 'CS-1', version, setBootStatus: () => undefined },
    services: { firmware, diagnostics } as unknown as OcppServices,
    clock: new ManualClock(),
    logger: silentLogger,
  };
}
