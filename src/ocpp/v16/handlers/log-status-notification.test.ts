import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { logStatusNotification } from './log-status-notification.js';

describe('1.6 security LogStatusNotification', () => {
  it('records the upload status against the GetLog requestId', async () => {
    const seen: RecordedStatus[] = [];
    expect(await logStatusNotification(statusRecorder('ocpp1.6', seen), { status: 'Uploading', requestId: 3 })).toEqual({});
    expect(seen).toEqual([{ service: 'diagnostics', tenantId: 'tenant-1', stationId: 'CS-1', status: 'Uploading', requestId: 3, viaDiagnostics: false }]);
  });
});
