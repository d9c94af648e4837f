import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, RawStation } from './support/raw-station.js';

const PASSWORD = 'station-password-cli1';
type Frame = unknown[];

/** The built CLI (npm run build first; `npm test` does). */
async function ampline(args: string[], options: { withoutDatabaseUrl?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  if (options.withoutDatabaseUrl) delete env['DATABASE_URL'];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/ampline.js', ...args], { timeout: 30_000, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ampline session (list, show, export) against a running server', () => {
  let server: TestServer;
  let station: RawStation;
  let transactionId: number;
  const remote = () => ['--url', server.app.baseUrl, '--token', ADMIN_TOKEN];

  beforeAll(async () => {
    if (!existsSync('dist/cli/session.js')) throw new Error('dist/cli/session.js is missing: run npm run build first');
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'CLI-TAG', type: 'ISO14443' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/stations', { id: 'CLI-ST-1', password: PASSWORD })).status).toBe(201);
    station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'CLI-ST-1', password: PASSWORD, protocols: ['ocpp1.6'] });
    expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const start = (await station.call('StartTransaction', { connectorId: 1, idTag: 'CLI-TAG', meterStart: 1_000, timestamp: at(20) })) as Frame;
    transactionId = (start[2] as { transactionId: number }).transactionId;
    await station.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: at(10), sampledValue: [{ value: '1800', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    await station.call('StopTransaction', { transactionId, idTag: 'CLI-TAG', meterStop: 2_500, timestamp: at(5), reason: 'Local' });
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it('session list prints a header and one line per session: station, EVSE, token, status with reason, energy', async () => {
    const listed = await ampline(['session', 'list', '--station', 'CLI-ST-1', ...remote()]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const [header, row, ...rest] = listed.stdout.trim().split('\n');
    expect(header).toBe('id\tstation\tevse\tidToken\tstatus\tstartedAt\tstoppedAt\tenergyWh');
    expect(rest).toEqual([]);
    expect(row?.split('\t')).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), 'CLI-ST-1', '1', 'CLI-TAG', 'finished (Local)', expect.any(String), expect.any(String), '1500']);
    const none = await ampline(['session', 'list', '--station', 'CLI-ST-1', '--status', 'charging', ...remote()]);
    expect(none.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('session show prints the session with its meter timeline; export writes the CSV the API serves', async () => {
    const id = (await server.api('GET', '/api/v1/sessions?stationId=CLI-ST-1')).body.items[0].id as string;
    const shown = await ampline(['session', 'show', id, ...remote()]);
    expect(shown.code).toBe(0);
    const detail = JSON.parse(shown.stdout) as { id: string; transactionId: string; energyWh: number; timeline: { energy: { energyWh: number }[] } };
    expect(detail).toMatchObject({ id, transactionId: String(transactionId), energyWh: 1500 });
    expect(detail.timeline.energy.map((p) => p.energyWh)).toEqual([0, 800, 1500]);

    const exported = await ampline(['session', 'export', '--station', 'CLI-ST-1', ...remote()]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('id,stationId,evseId,connectorId,transactionId,idToken,status,stopReason,startedAt,stoppedAt,energyWh');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${id},CLI-ST-1,1,1,${transactionId},CLI-TAG,finished,Local,`);
  });

  it('an unknown session, a bad status and a missing --url each fail with one line', async () => {
    const missing = await ampline(['session', 'show', 'no-such-session', ...remote()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ampline: GET \/api\/v1\/sessions\/no-such-session failed \(404\)/);
    const bad = await ampline(['session', 'list', '--status', 'running', ...remote()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--status must be one of pending, charging/);
    // Without --url it opens the database (session-cli-direct.test.ts); an unusable --data is one line.
    const noDatabase = await ampline(['session', 'list', '--data', '/proc/ampline-no-such-dir'], { withoutDatabaseUrl: true });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toMatch(/^ampline: data directory \/proc\/ampline-no-such-dir is not usable/);
  });
});
