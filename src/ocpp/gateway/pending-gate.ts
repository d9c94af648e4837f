import { RpcError } from '../rpc/error-codes.js';
import type { Payload } from '../rpc/frames.js';
import type { StationLink } from './station-link.js';

/**
 * B02.FR.09 / B03.FR.07 (TC_B_30_CSMS): until a station is Accepted it may only send
 * BootNotification and what the CSMS asked for with TriggerMessage, GetBaseReport or GetReport.
 */
export function checkAllowedBeforeAcceptance(link: StationLink, action: string): void {
  if (link.bootStatus === 'Accepted' || action === 'BootNotification' || link.triggered.has(action)) return;
  const state = link.bootStatus === 'NotBooted' ? 'has not booted' : `is ${link.bootStatus}`;
  throw new RpcError('SecurityError', `station ${state}: only BootNotification or requested messages are allowed (B02.FR.09)`);
}

const TRIGGER_TO_ACTION: Record<string, string> = {
  SignChargingStationCertificate: 'SignCertificate',
  SignV2GCertificate: 'SignCertificate',
  SignCombinedCertificate: 'SignCertificate',
};

/** The inbound actions an outbound command licenses while the station is not yet Accepted. */
export function actionsRequestedBy(action: string, payload: Payload): string[] {
  switch (action) {
    case 'TriggerMessage':
    case 'ExtendedTriggerMessage': {
      const requested = String(payload['requestedMessage'] ?? '');
      const mapped = TRIGGER_TO_ACTION[requested] ?? requested;
      return [mapped];
    }
    case 'GetBaseReport':
    case 'GetReport':
      return ['NotifyReport'];
    case 'GetMonitoringReport':
      return ['NotifyMonitoringReport'];
    default:
      return [];
  }
}
