import { describe, expect, it } from 'vitest';
import { statusRecorder, type RecordedStatus } from '../../testing/status-recorder.js';
import { diagnosticsStatusNotification } from './diagnostics-status-notification.js';

describe('1.6 DiagnosticsStatusNotification', () => {
  it('§4.4 records the upload status against the latest GetDiagnostics', async () => {
    const seen: RecordedStatus[] = [];
    expect(await diagnosticsStatusNotification(statusRecorder('ocpp1.6', seen), { status: 'Uploaded' })).toEqual({});
    expect(seen).toEqual([{ service: 'diagnostics', tenantId: 'tenant-1', stationId: 'CS-1', status: 'Uploaded', requestId: undefined, viaDiagnostics: true }]);
  });
});
