import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { answerGetVariables, answerLimitsProbe } from './helpers/device-model.js';

/** The built CLI (npm run build first; `npm test` does). */
function ampline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['bin/ampline.js', ...args], { timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
}

describe('ampline station config / variables against a running server', () => {
  let server: TestServer;
  let s16: RawStation;
  let s201: RawStation;
  const remote = () => ['--url', server.app.baseUrl, '--token', ADMIN_TOKEN];

  beforeAll(async () => {
    if (!existsSync('dist/cli/station-config.js')) throw new Error('dist/cli/station-config.js is missing: run npm run build first');
    server = await startTestServer();
    await registerStation(server, 'CLI-CFG-16');
    await registerStation(server, 'CLI-CFG-201');
    s16 = await bootStation(server, 'CLI-CFG-16', '1.6');
    s201 = await bootStation(server, 'CLI-CFG-201', '2.0.1');
  });
  afterAll(async () => {
    await s16?.close();
    await s201?.close();
    await server?.close();
  });

  it('1.6 §5.4 station config set prints the station’s answer and says when a reboot is required; config show lists it', async () => {
    const run = ampline(['station', 'config', 'set', 'CLI-CFG-16', 'WebSocketPingInterval', '60', ...remote()]);
    const call = await s16.nextCall('ChangeConfiguration');
    expect(call[3]).toEqual({ key: 'WebSocketPingInterval', value: '60' });
    s16.reply(call[1] as string, { status: 'RebootRequired' });
    const done = await run;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe('RebootRequired: the station applies it after a reboot');
    const shown = await ampline(['station', 'config', 'show', 'CLI-CFG-16', ...remote()]);
    expect(shown.stdout.trim()).toBe('WebSocketPingInterval\t60\trw\treboot-required');
  });

  it('1.6 §5.8 station config get prints key, value and access; unknown keys go to stderr', async () => {
    const run = ampline(['station', 'config', 'get', 'CLI-CFG-16', 'HeartbeatInterval', 'Nope', ...remote()]);
    const call = await s16.nextCall('GetConfiguration');
    s16.reply(call[1] as string, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['Nope'] });
    const done = await run;
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe('HeartbeatInterval\t300\trw');
    expect(done.stderr.trim()).toBe('unknown key: Nope');
  });

  it('B06 station variables get parses REFs, and the answers print one per line', async () => {
    const run = ampline(['station', 'variables', 'get', 'CLI-CFG-201', 'OCPPCommCtrlr.OfflineThreshold', 'EVSE@1.AvailabilityState', ...remote()]);
    await answerLimitsProbe(s201, { items: 10, bytes: 0 });
    await answerGetVariables(s201, { 'OfflineThreshold[]': '123' });
    const done = await run;
    expect(done.stderr).toBe('');
    expect(done.stdout.trim().split('\n')).toEqual(['OCPPCommCtrlr.OfflineThreshold\tAccepted\t123', 'EVSE@1.AvailabilityState\tAccepted\tv:AvailabilityState']);
    const shown = await ampline(['station', 'variables', 'show', 'CLI-CFG-201', '--component', 'OCPPCommCtrlr', ...remote()]);
    expect(shown.stdout.trim()).toBe('OCPPCommCtrlr.OfflineThreshold\tActual=123');
  });

  it('a bad REF or a missing --url is one line on stderr and a non-zero exit', async () => {
    const bad = await ampline(['station', 'variables', 'get', 'CLI-CFG-201', 'NoVariable', ...remote()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"NoVariable" is not');
    const local = await ampline(['station', 'config', 'show', 'CLI-CFG-16']);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('--url');
  });
});
