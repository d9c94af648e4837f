import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { answerNext, history, onlineStation, stationCommand } from './helpers/commands.js';
import type { Version } from './helpers/stations.js';

/**
 * Local authorization lists built from the tokens valid at a station, sent Full or Differential,
 * split to the station's limits, versions tracked (1.6 §5.15/§5.10, 2.0.1 D01/D02).
 * Every token here is restricted to its test's station, so tests do not see each other's tokens.
 */
describe('local authorization lists', () => {
  let server: TestServer;
  const open: RawStation[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const online = (version: Version) => onlineStation(server, 'CS-LL', version, open);

  async function token(stationId: string, uid: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await server.api('POST', '/api/v1/tokens', { uid, type: 'ISO14443', evseRestrictions: [{ stationId }], ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  function sync(id: string, body: Record<string, unknown>) {
    return stationCommand(server, id, 'local-list/sync', body);
  }

  type Entry = { idToken: { idToken: string }; idTokenInfo?: Record<string, unknown> };
  const byUid = (list: Entry[]) => [...list].sort((a, b) => a.idToken.idToken.localeCompare(b.idToken.idToken));

  it('TC_D_01_CSMS D01.FR.01 2.0.1 Full: every token valid here with status, expiry and group; version tracked', async () => {
    const { id, station } = await online('2.0.1');
    await token(id, 'LL-A');
    await token(id, 'LL-B', { status: 'Blocked', groupId: 'FLEET-1' });
    await token(id, 'LL-C', { expiresAt: '2000-01-01T00:00:00Z' });
    await server.api('POST', '/api/v1/tokens', { uid: 'LL-ELSEWHERE', type: 'ISO14443', evseRestrictions: [{ stationId: 'CS-OTHER' }] });
    const pending = sync(id, { mode: 'full', itemsPerMessage: 100 });
    const sent = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect(sent).toMatchObject({ versionNumber: 1, updateType: 'Full' });
    expect(byUid(sent['localAuthorizationList'] as Entry[])).toEqual([
      { idToken: { idToken: 'LL-A', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
      { idToken: { idToken: 'LL-B', type: 'ISO14443' }, idTokenInfo: { status: 'Blocked', groupIdToken: { idToken: 'FLEET-1', type: 'Central' } } },
      { idToken: { idToken: 'LL-C', type: 'ISO14443' }, idTokenInfo: { status: 'Expired', cacheExpiryDateTime: '2000-01-01T00:00:00.000Z' } },
    ]);
    const res = await pending;
    expect(res.body).toMatchObject({ status: 'Accepted', updateType: 'Full', versionNumber: 1, entries: 3, messages: [{ updateType: 'Full', versionNumber: 1, entries: 3, status: 'Accepted' }] });
    const state = await server.api('GET', `/api/v1/stations/${id}/local-list`);
    expect(state.body).toMatchObject({ sentVersion: 1, acceptedVersion: 1, lastStatus: 'Accepted', lastUpdateType: 'Full' });
    expect(state.body.entries.map((e: { uid: string }) => e.uid)).toEqual(['LL-A', 'LL-B', 'LL-C']);
    expect((await history(server, id))[0]).toMatchObject({ action: 'SendLocalList', outcome: 'Accepted' });
  });

  it('TC_D_02_CSMS / TC_D_03_CSMS differential: only the changes since the accepted list, removals without idTokenInfo', async () => {
    const { id, station } = await online('2.0.1');
    const a = await token(id, 'LL-D1');
    const b = await token(id, 'LL-D2');
    await token(id, 'LL-D3');
    const full = sync(id, { mode: 'full', itemsPerMessage: 100 });
    await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect((await full).body.versionNumber).toBe(1);

    await server.api('PATCH', `/api/v1/tokens/${a}`, { status: 'Blocked' });
    await server.api('DELETE', `/api/v1/tokens/${b}`);
    await token(id, 'LL-D4');
    const diff = sync(id, { mode: 'differential', itemsPerMessage: 100 });
    const sent = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect(sent).toMatchObject({ versionNumber: 2, updateType: 'Differential' });
    expect(byUid(sent['localAuthorizationList'] as Entry[])).toEqual([
      { idToken: { idToken: 'LL-D1', type: 'ISO14443' }, idTokenInfo: { status: 'Blocked' } },
      { idToken: { idToken: 'LL-D2', type: 'ISO14443' } },
      { idToken: { idToken: 'LL-D4', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
    ]);
    expect((await diff).body).toMatchObject({ status: 'Accepted', updateType: 'Differential', versionNumber: 2, fellBackToFull: false });
    const state = await server.api('GET', `/api/v1/stations/${id}/local-list`);
    expect(state.body.entries.map((e: { uid: string; status: string }) => `${e.uid}:${e.status}`)).toEqual(['LL-D1:Blocked', 'LL-D3:Accepted', 'LL-D4:Accepted']);

    // Nothing changed since: nothing is sent.
    const idle = await sync(id, { mode: 'differential', itemsPerMessage: 100 });
    expect(idle.body).toMatchObject({ status: 'Accepted', versionNumber: 2, messages: [] });
    expect((await history(server, id)).filter((r) => r['action'] === 'SendLocalList').length).toBe(2);
  });

  it('D01.FR.03 a differential answered VersionMismatch is followed by the full list', async () => {
    const { id, station } = await online('2.0.1');
    await token(id, 'LL-V1');
    const first = sync(id, { mode: 'full' });
    await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    await first;
    await token(id, 'LL-V2');
    const pending = sync(id, { mode: 'differential' });
    await answerNext(station, 'SendLocalList', { status: 'VersionMismatch' });
    const full = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect(full).toMatchObject({ updateType: 'Full', versionNumber: 3 });
    expect((full['localAuthorizationList'] as unknown[]).length).toBe(2);
    expect((await pending).body).toMatchObject({ status: 'Accepted', fellBackToFull: true, versionNumber: 3, messages: [{ status: 'VersionMismatch' }, { status: 'Accepted' }] });
  });

  it('a differential without an accepted list to compare with is sent Full', async () => {
    const { id, station } = await online('1.6');
    await token(id, 'LL-F1');
    const pending = sync(id, { mode: 'differential', itemsPerMessage: 10, maxEntries: 10 });
    expect(await answerNext(station, 'SendLocalList', { status: 'Accepted' })).toMatchObject({ updateType: 'Full', listVersion: 1 });
    expect((await pending).body).toMatchObject({ updateType: 'Full', fellBackToFull: true });
  });

  it('TC_D_04_CSMS D01.FR.04 a Full update of an empty list has no localAuthorizationList', async () => {
    const { id, station } = await online('2.0.1');
    const pending = sync(id, { mode: 'full', itemsPerMessage: 5 });
    expect(await answerNext(station, 'SendLocalList', { status: 'Accepted' })).toEqual({ versionNumber: 1, updateType: 'Full' });
    expect((await pending).body).toMatchObject({ status: 'Accepted', entries: 0 });
  });

  it('D01.FR.11 / D01.FR.15 a Full list larger than ItemsPerMessage (read from LocalAuthListCtrlr) goes as Full then Differentials', async () => {
    const { id, station } = await online('2.0.1');
    for (const n of [1, 2, 3, 4, 5]) await token(id, `LL-S${n}`);
    const pending = sync(id, { mode: 'full' });
    const asked = await answerNext(station, 'GetVariables', {
      getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '2', component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' } }],
    });
    expect(asked).toEqual({ getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' } }] });
    const parts = [];
    for (let i = 0; i < 3; i++) parts.push(await answerNext(station, 'SendLocalList', { status: 'Accepted' }));
    expect(parts.map((p) => [p['updateType'], p['versionNumber'], (p['localAuthorizationList'] as unknown[]).length])).toEqual([
      ['Full', 1, 2],
      ['Differential', 2, 2],
      ['Differential', 3, 1],
    ]);
    const res = await pending;
    expect(res.body).toMatchObject({ status: 'Accepted', versionNumber: 3, entries: 5, limits: { itemsPerMessage: 2 } });
    expect((await server.api('GET', `/api/v1/stations/${id}/local-list`)).body.entries.length).toBe(5);
  });

  it('1.6 §5.15 a list a part of which is refused: the state follows the parts the station accepted', async () => {
    const { id, station } = await online('1.6');
    for (const n of [1, 2, 3]) await token(id, `LL-P${n}`);
    const pending = sync(id, { mode: 'full', itemsPerMessage: 2 });
    await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    await answerNext(station, 'SendLocalList', { status: 'Failed' });
    expect((await pending).body).toMatchObject({ status: 'Failed', versionNumber: null });
    const state = (await server.api('GET', `/api/v1/stations/${id}/local-list`)).body;
    expect(state).toMatchObject({ sentVersion: 2, acceptedVersion: 1, lastStatus: 'Failed' });
    expect(state.entries.length).toBe(2);
  });

  it('1.6 §5.15 limits from SendLocalListMaxLength/LocalAuthListMaxLength: too many entries is 409 and no list is sent', async () => {
    const { id, station } = await online('1.6');
    for (const n of [1, 2, 3]) await token(id, `LL-M${n}`);
    const pending = sync(id, { mode: 'full' });
    expect(await answerNext(station, 'GetConfiguration', {
      configurationKey: [
        { key: 'SendLocalListMaxLength', readonly: true, value: '2' },
        { key: 'LocalAuthListMaxLength', readonly: true, value: '2' },
      ],
    })).toEqual({ key: ['SendLocalListMaxLength', 'LocalAuthListMaxLength'] });
    const res = await pending;
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ title: 'Conflict', entries: 3, maxEntries: 2 });
    expect((await history(server, id)).map((r) => r['action'])).toEqual(['GetConfiguration']);
  });

  it('1.6 §5.15 idTag entries: parentIdTag, expiryDate; a uid longer than 20 is skipped and reported', async () => {
    const { id, station } = await online('1.6');
    await token(id, 'LL-16A', { groupId: 'G16', expiresAt: '2099-01-01T00:00:00Z' });
    await token(id, 'LL-16-A-VERY-LONG-UID-OVER-20');
    const pending = sync(id, { mode: 'full', itemsPerMessage: 10 });
    const sent = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect(sent).toEqual({
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [{ idTag: 'LL-16A', idTagInfo: { status: 'Accepted', expiryDate: '2099-01-01T00:00:00.000Z', parentIdTag: 'G16' } }],
    });
    expect((await pending).body).toMatchObject({ status: 'Accepted', skipped: ['LL-16-A-VERY-LONG-UID-OVER-20'] });
  });

  it('1.6 §5.15 NotSupported: nothing is marked accepted', async () => {
    const { id, station } = await online('1.6');
    const pending = sync(id, { mode: 'full', itemsPerMessage: 10 });
    await answerNext(station, 'SendLocalList', { status: 'NotSupported' });
    expect((await pending).body).toMatchObject({ status: 'NotSupported', versionNumber: null });
    expect((await server.api('GET', `/api/v1/stations/${id}/local-list`)).body).toMatchObject({ acceptedVersion: null, lastStatus: 'NotSupported' });
  });

  it.each([
    ['1.6', { listVersion: 7 }, '1.6 §5.10'],
    ['2.0.1', { versionNumber: 7 }, 'TC_D_08_CSMS'],
  ] as const)('%s GetLocalListVersion: the station’s version is stored beside ours (%s)', async (version, reply, _ref) => {
    const { id, station } = await online(version);
    const pending = server.api('GET', `/api/v1/stations/${id}/local-list?refresh=true`);
    expect(await answerNext(station, 'GetLocalListVersion', reply)).toEqual({});
    expect((await pending).body).toMatchObject({ reportedVersion: 7, acceptedVersion: null });
    // The next list is numbered above what the station reported.
    const next = sync(id, { mode: 'full', itemsPerMessage: 10 });
    const sent = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect(sent[version === '1.6' ? 'listVersion' : 'versionNumber']).toBe(8);
    await next;
  });

  it('D01.FR.01 two syncs at once for one station are sent one after the other with increasing versions', async () => {
    const { id, station } = await online('2.0.1');
    await token(id, 'LL-CC1');
    const both = Promise.all([sync(id, { mode: 'full', itemsPerMessage: 10 }), sync(id, { mode: 'full', itemsPerMessage: 10 })]);
    const first = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    const second = await answerNext(station, 'SendLocalList', { status: 'Accepted' });
    expect([first['versionNumber'], second['versionNumber']]).toEqual([1, 2]);
    // Which HTTP request the server takes first is not ordered; what went on the wire is.
    expect((await both).map((r) => r.body.versionNumber as number).sort()).toEqual([1, 2]);
  });

  it('bad input: unknown mode is 400 naming it; a station of another tenant or unknown is 404', async () => {
    const { id } = await online('2.0.1');
    const res = await sync(id, { mode: 'sideways' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('mode');
    expect((await sync('CS-NOBODY', { mode: 'full' })).status).toBe(404);
  });
});
