import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { logStatusNotification } from './log-status-notification.js';

describe('2.0.1 LogStatusNotification', () => {
  it('N01.FR.07 records the status against the GetLog requestId', async () => {
    const seen: RecordedStatus[] = [];
    expect(await logStatusNotification(statusRecorder('ocpp2.0.1', seen), { status: 'Uploaded', requestId: 9 })).toEqual({});
    expect(seen).toEqual([{ service: 'diagnostics', tenantId: 'tenant-1', stationId: 'CS-1', status: 'Uploaded', requestId: 9, viaDiagnostics: false }]);
  });
});
