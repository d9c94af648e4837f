import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { signedFirmwareStatusNotification } from './signed-firmware-status-notification.js';

describe('1.6 security SignedFirmwareStatusNotification', () => {
  it('records the status against the SignedUpdateFirmware requestId', async () => {
    const seen: RecordedStatus[] = [];
    expect(await signedFirmwareStatusNotification(statusRecorder('ocpp1.6', seen), { status: 'InvalidSignature', requestId: 12 })).toEqual({});
    expect(seen).toEqual([{ service: 'firmware', tenantId: 'tenant-1', stationId: 'CS-1', status: 'InvalidSignature', requestId: 12 }]);
  });
});
