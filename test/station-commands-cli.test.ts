import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, onlineStation } from './helpers/commands.js';
import { runStationRemoteCommand } from '../src/cli/station-commands.js';
import { StartupError } from '../src/platform/errors.js';

/** `ampline station <remote command>` against a running server, with a real station answering. */
describe('ampline station remote commands', () => {
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  async function cli(args: string[]): Promise<unknown> {
    let out = '';
    const code = await runStationRemoteCommand([...args, '--url', server.app.baseUrl, '--token', ADMIN_TOKEN], (t) => (out += t));
    expect(code).toBe(0);
    return JSON.parse(out);
  }

  it('station reset / availability / trigger print the station’s answer; station commands prints the history', async () => {
    const { id, station } = await onlineStation(server, 'CS-CLI', '2.0.1', open);
    let pending = cli(['reset', id, '--type', 'Immediate', '--evse', '1']);
    expect(await answerNext(station, 'Reset', { status: 'Accepted' })).toEqual({ type: 'Immediate', evseId: 1 });
    expect(await pending).toMatchObject({ action: 'Reset', status: 'Accepted' });
    pending = cli(['availability', id, 'inoperative', '--evse', '1', '--connector', '1']);
    expect(await answerNext(station, 'ChangeAvailability', { status: 'Scheduled' })).toEqual({ operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } });
    expect(await pending).toMatchObject({ status: 'Scheduled', scheduled: true });
    pending = cli(['trigger', id, 'Heartbeat']);
    await answerNext(station, 'TriggerMessage', { status: 'Accepted' });
    await pending;
    const historyOut = (await cli(['commands', id, '--limit', '2'])) as { items: { action: string }[] };
    expect(historyOut.items.map((r) => r.action)).toEqual(['TriggerMessage', 'ChangeAvailability']);
  });

  it('station local-list-sync --full and local-list show the versions', async () => {
    const { id, station } = await onlineStation(server, 'CS-CLI', '1.6', open);
    const pending = cli(['local-list-sync', id, '--full']);
    await answerNext(station, 'GetConfiguration', { configurationKey: [] });
    expect(await answerNext(station, 'SendLocalList', { status: 'Accepted' })).toMatchObject({ updateType: 'Full', listVersion: 1 });
    expect(await pending).toMatchObject({ status: 'Accepted', versionNumber: 1 });
    expect(await cli(['local-list', id])).toMatchObject({ acceptedVersion: 1 });
  });

  it('bad arguments are one line naming the problem; other subcommands are left to `station`', async () => {
    await expect(runStationRemoteCommand(['unlock', 'X', '--url', server.app.baseUrl, '--token', ADMIN_TOKEN])).rejects.toThrow(/--evse/);
    await expect(runStationRemoteCommand(['reset', 'X', '--evse', 'two', '--url', server.app.baseUrl, '--token', ADMIN_TOKEN])).rejects.toThrow(StartupError);
    await expect(runStationRemoteCommand(['reset', 'CS-NOBODY', '--url', server.app.baseUrl, '--token', ADMIN_TOKEN])).rejects.toThrow(/404/);
    await expect(runStationRemoteCommand(['reset', 'X'])).rejects.toThrow(/--url/);
    expect(await runStationRemoteCommand(['list'])).toBeUndefined();
  });
});
