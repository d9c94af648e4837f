import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';

describe('1.6 FirmwareStatusNotification', () => {
  it('§4.5 records the status without a requestId (the latest update) and answers an empty conf', async () => {
    const seen: RecordedStatus[] = [];
    expect(await firmwareStatusNotification(statusRecorder('ocpp1.6', seen), { status: 'Installed' })).toEqual({});
    expect(seen).toEqual([{ service: 'firmware', tenantId: 'tenant-1', stationId: 'CS-1', status: 'Installed', requestId: undefined }]);
  });
});
