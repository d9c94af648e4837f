import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { runFirmwareCommand } from '../src/cli/firmware.js';

/** `ampline firmware …` in-process against a running server over real HTTP. */
describe('ampline firmware', () => {
  let server: TestServer;
  let station: RawStation;
  const dir = mkdtempSync(join(tmpdir(), 'ampline-fw-cli-'));

  beforeAll(async () => {
    server = await startTestServer();
    await registerStation(server, 'CLI-FW-1');
    station = await bootStation(server, 'CLI-FW-1', '2.0.1');
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  async function ampline(...argv: string[]): Promise<any> {
    let text = '';
    const code = await runFirmwareCommand([...argv, '--url', server.app.baseUrl, '--token', ADMIN_TOKEN], { out: (t) => (text += t) });
    expect(code).toBe(0);
    return JSON.parse(text);
  }

  it('uploads a file, lists it, updates a station (L01) and shows its status', async () => {
    const file = join(dir, 'charger-3.1.bin');
    const bytes = Buffer.from('cli firmware bytes');
    writeFileSync(file, bytes);
    const image = await ampline('upload', file, '--version', '3.1');
    expect(image).toMatchObject({ name: 'charger-3.1.bin', version: '3.1', sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await ampline('list')).items.map((i: { id: string }) => i.id)).toContain(image.id);

    const updating = ampline('update', 'CLI-FW-1', image.id);
    const call = await station.nextCall('UpdateFirmware');
    station.reply(call[1] as string, { status: 'Accepted' });
    expect(await updating).toMatchObject({ status: 'Accepted', progress: 'sent' });
    expect((await ampline('status', 'CLI-FW-1')).current).toMatchObject({ imageId: image.id });

    const campaign = await ampline('campaign', 'create', image.id, '--stations', 'CLI-FW-1', '--canary', '0', '--batch', '5', '--threshold', '20');
    expect(campaign).toMatchObject({ status: 'running', failureThresholdPercent: 20, batchSize: 5 });
    const next = await station.nextCall('UpdateFirmware');
    station.reply(next[1] as string, { status: 'Accepted' });
    await server.app.firmwareCampaigns.idle();
    expect(await ampline('campaign', 'pause', campaign.id)).toMatchObject({ status: 'paused' });
  });

  it('requests a log (N01) and lists the request', async () => {
    const requesting = ampline('logs', 'request', 'CLI-FW-1', '--type', 'SecurityLog');
    const call = await station.nextCall('GetLog');
    station.reply(call[1] as string, { status: 'Accepted', filename: 'sec.log' });
    expect(await requesting).toMatchObject({ logType: 'SecurityLog', status: 'Accepted' });
    expect((await ampline('logs', 'list', 'CLI-FW-1')).items[0]).toMatchObject({ fileName: 'sec.log' });
  });

  it('a missing file, a bad number and an unknown subcommand fail with one line', async () => {
    const run = (...argv: string[]) => runFirmwareCommand([...argv, '--url', server.app.baseUrl, '--token', ADMIN_TOKEN], { out: () => undefined });
    await expect(run('upload', join(dir, 'missing.bin'))).rejects.toThrow(/cannot read/);
    await expect(run('campaign', 'create', 'x', '--stations', 'A', '--batch', 'many')).rejects.toThrow(/--batch must be a whole number/);
    await expect(run('flash')).rejects.toThrow(/unknown firmware command "flash"/);
  });
});
