import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';

describe('2.0.1 FirmwareStatusNotification', () => {
  it('L01.FR.01 records each status against the UpdateFirmware requestId', async () => {
    const seen: RecordedStatus[] = [];
    expect(await firmwareStatusNotification(statusRecorder('ocpp2.0.1', seen), { status: 'Downloading', requestId: 7 })).toEqual({});
    expect(seen).toEqual([{ service: 'firmware', tenantId: 'tenant-1', stationId: 'CS-1', status: 'Downloading', requestId: 7 }]);
  });

  it('TC_F_18_CSMS a triggered Idle without requestId is still recorded', async () => {
    const seen: RecordedStatus[] = [];
    await firmwareStatusNotification(statusRecorder('ocpp2.0.1', seen), { status: 'Idle' });
    expect(seen[0]).toMatchObject({ status: 'Idle', requestId: undefined });
  });
});
