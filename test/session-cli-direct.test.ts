import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase } from './support/fresh-database.js';
import { adminApi, startServerOn, type DataTarget } from './support/persistent-server.js';
import { BOOT_16, RawStation } from './support/raw-station.js';

const PASSWORD = 'station-password-cli-direct';

/**
 * `ampline session list|show|export` without --url reads the database itself: the PGlite
 * directory of --data, or DATABASE_URL (as `station` and `token` do). A server writes the
 * sessions and stops (a PGlite directory has one user at a time); the CLI then reads them.
 */
describe('ampline session against the database directly (--data / DATABASE_URL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ampline-session-cli-'));
  const target: DataTarget = { dataDir: join(dir, 'data'), databaseUrl: undefined };
  let dropDatabase: (() => Promise<void>) | undefined;
  let transactionId = 0;
  let sessionId = '';
  let apiCsv = '';

  /** The built CLI on the same data the server used. */
  const ampline = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const env = { ...process.env };
    delete env['DATABASE_URL'];
    if (target.databaseUrl) env['DATABASE_URL'] = target.databaseUrl;
    const dataArgs = target.databaseUrl ? [] : ['--data', target.dataDir];
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/ampline.js', ...args, ...dataArgs], { timeout: 90_000, env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };

  beforeAll(async () => {
    if (!existsSync('dist/cli/session.js')) throw new Error('dist/cli/session.js is missing: run npm run build first');
    const adminUrl = process.env['DATABASE_URL'];
    if (adminUrl) {
      const fresh = await createFreshDatabase(adminUrl, 'ampline_session_cli');
      target.databaseUrl = fresh.url;
      dropDatabase = fresh.drop;
    }
    const app = await startServerOn(target);
    try {
      expect((await adminApi(app, 'POST', '/api/v1/tokens', { uid: 'DIRECT-TAG', type: 'ISO14443' })).status).toBe(201);
      expect((await adminApi(app, 'POST', '/api/v1/stations', { id: 'DIRECT-ST', password: PASSWORD })).status).toBe(201);
      const station = await RawStation.connect({ baseUrl: app.ocppUrl, id: 'DIRECT-ST', password: PASSWORD, protocols: ['ocpp1.6'] });
      expect((await station.call('BootNotification', BOOT_16))[2]).toMatchObject({ status: 'Accepted' });
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const start = await station.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 1_000, timestamp: at(20) });
      transactionId = (start[2] as { transactionId: number }).transactionId;
      await station.call('MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [{ timestamp: at(10), sampledValue: [{ value: '1800', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
      });
      await station.call('StopTransaction', { transactionId, idTag: 'DIRECT-TAG', meterStop: 2_500, timestamp: at(5), reason: 'Local' });
      await station.close();
      sessionId = (await adminApi(app, 'GET', '/api/v1/sessions?stationId=DIRECT-ST')).body.items[0].id;
      apiCsv = await (await fetch(`${app.baseUrl}/api/v1/sessions.csv?stationId=DIRECT-ST`, { headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } })).text();
    } finally {
      await app.close();
    }
    // A fresh PGlite directory runs initdb, slow while other suites load both cores.
  }, 180_000);
  afterAll(async () => {
    await dropDatabase?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session list, show and export read the stored session without a server: same lines, same JSON, same CSV as the API', async () => {
    const listed = await ampline(['session', 'list', '--station', 'DIRECT-ST']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const [header, row, ...rest] = listed.stdout.trim().split('\n');
    expect(header).toBe('id\tstation\tevse\tidToken\tstatus\tstartedAt\tstoppedAt\tenergyWh');
    expect(rest).toEqual([]);
    expect(row?.split('\t')).toEqual([sessionId, 'DIRECT-ST', '1', 'DIRECT-TAG', 'finished (Local)', expect.any(String), expect.any(String), '1500']);

    const shown = await ampline(['session', 'show', sessionId]);
    expect(shown.code).toBe(0);
    const detail = JSON.parse(shown.stdout) as { id: string; transactionId: string; energyWh: number; timeline: { energy: { energyWh: number }[] } };
    expect(detail).toMatchObject({ id: sessionId, transactionId: String(transactionId), energyWh: 1500 });
    expect(detail.timeline.energy.map((p) => p.energyWh)).toEqual([0, 800, 1500]);

    const exported = await ampline(['session', 'export', '--station', 'DIRECT-ST']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(apiCsv);
    expect(exported.stdout.trim().split('\r\n')).toHaveLength(2);
    // Three CLI processes, each opening PGlite: slow while other suites load both cores.
  }, 180_000);

  it('an unknown session id fails with one line naming it', async () => {
    const missing = await ampline(['session', 'show', 'no-such-session']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ampline: session no-such-session not found/);
  });
});
