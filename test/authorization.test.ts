import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, ADMIN_TOKEN, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { bootStation, registerStation } from './helpers/stations.js';
import { DEFAULT_TENANT_ID } from '../src/modules/accounts/index.js';

/** Id tokens managed over REST, answered to real stations over real sockets in both versions. */
describe('id tokens and authorization', () => {
  let server: TestServer;
  let v16: RawStation;
  let v201: RawStation;
  const VIEWER_TOKEN = 'viewer-token-0123456789abcdef0123';
  const past = '2025-06-30T00:00:00Z';
  const future = '2099-12-31T23:59:59Z';

  type Response = { status: number; body: any; headers: Headers };

  function expectProblem(res: Response, status: number, field?: string): void {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    if (field !== undefined) expect(res.body.field).toBe(field);
  }

  async function addToken(body: Record<string, unknown>): Promise<any> {
    const res = await server.api('POST', '/api/v1/tokens', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function postCsv(text: string, token = ADMIN_TOKEN, contentType = 'text/csv; charset=utf-8'): Promise<Response> {
    const response = await fetch(`${server.app.baseUrl}/api/v1/tokens/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: text,
    });
    const raw = await response.text();
    return { status: response.status, body: raw ? JSON.parse(raw) : undefined, headers: response.headers };
  }

  async function authorize16(idTag: string): Promise<any> {
    const reply = await v16.call('Authorize', { idTag });
    expect(reply[0], JSON.stringify(reply)).toBe(3);
    return reply[2];
  }

  async function authorize201(idToken: string, type = 'ISO14443'): Promise<any> {
    const reply = await v201.call('Authorize', { idToken: { idToken, type } });
    expect(reply[0], JSON.stringify(reply)).toBe(3);
    return reply[2];
  }

  beforeAll(async () => {
    server = await startTestServer();
    await server.app.accounts.createToken(DEFAULT_TENANT_ID, 'read only', 'viewer', VIEWER_TOKEN);
    await registerStation(server, 'CS-AUTH-16');
    await registerStation(server, 'CS-AUTH-201');
    v16 = await bootStation(server, 'CS-AUTH-16', '1.6');
    v201 = await bootStation(server, 'CS-AUTH-201', '2.0.1');
    await addToken({ uid: '04A1B2C3', type: 'ISO14443', groupId: 'FLEET-7', expiresAt: future, driverId: 'driver-1' });
    await addToken({ uid: '04BLOCKED', type: 'ISO14443', status: 'Blocked' });
    await addToken({ uid: '04EXPIRED', type: 'ISO14443', expiresAt: past });
    await addToken({ uid: '04FLEET8', type: 'ISO14443', groupId: 'FLEET-7' });
  });
  afterAll(async () => {
    await v16?.close();
    await v201?.close();
    await server?.close();
  });

  describe('1.6 Authorize', () => {
    it('§4.2 an Accepted idTag gets idTagInfo Accepted with its parentIdTag (group) and expiryDate', async () => {
      expect(await authorize16('04A1B2C3')).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET-7', expiryDate: '2099-12-31T23:59:59.000Z' } });
    });

    it('idTags are case-insensitive (CiString20Type)', async () => {
      expect((await authorize16('04a1b2c3')).idTagInfo.status).toBe('Accepted');
    });

    it('an unknown idTag is Invalid (1.6 has no Unknown)', async () => {
      expect(await authorize16('NOT-A-CARD')).toEqual({ idTagInfo: { status: 'Invalid' } });
    });

    it('a Blocked idTag is Blocked; one past its expiry date is Expired', async () => {
      expect((await authorize16('04BLOCKED')).idTagInfo.status).toBe('Blocked');
      expect(await authorize16('04EXPIRED')).toEqual({ idTagInfo: { status: 'Expired', expiryDate: '2025-06-30T00:00:00.000Z' } });
    });

    it('an idTag registered under another type (an app token) still matches: 1.6 idTags carry no type', async () => {
      await addToken({ uid: 'APP-TOKEN-16', type: 'Central' });
      expect((await authorize16('APP-TOKEN-16')).idTagInfo.status).toBe('Accepted');
    });
  });

  describe('2.0.1 Authorize', () => {
    it('C01.FR.06 TC_C_39_CSMS an Accepted token gets its groupIdToken and cacheExpiryDateTime', async () => {
      expect(await authorize201('04A1B2C3')).toEqual({
        idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, cacheExpiryDateTime: '2099-12-31T23:59:59.000Z' },
      });
      // C09.FR.02: the other member of the group carries the same group.
      expect((await authorize201('04FLEET8')).idTokenInfo.groupIdToken).toEqual({ idToken: 'FLEET-7', type: 'Central' });
    });

    it('TC_C_02_CSMS an unknown idToken is Unknown', async () => {
      expect(await authorize201('NOT-A-CARD')).toEqual({ idTokenInfo: { status: 'Unknown' } });
      // Known uid, other type: a different token.
      expect((await authorize201('04A1B2C3', 'ISO15693')).idTokenInfo.status).toBe('Unknown');
    });

    it('TC_C_06_CSMS a Blocked idToken is Blocked', async () => {
      expect(await authorize201('04BLOCKED')).toEqual({ idTokenInfo: { status: 'Blocked' } });
    });

    it('TC_C_07_CSMS an idToken past its expiry date is Expired', async () => {
      expect((await authorize201('04EXPIRED')).idTokenInfo.status).toBe('Expired');
    });

    it('NoAuthorization is Accepted without any token row', async () => {
      expect(await authorize201('', 'NoAuthorization')).toEqual({ idTokenInfo: { status: 'Accepted' } });
    });

    it('C01.FR.20 / C01.FR.22 EVSE limits: the allowed EVSEs of this station, or NotAtThisLocation', async () => {
      await addToken({ uid: 'EVSE-LIMITED', type: 'ISO14443', evseRestrictions: [{ stationId: 'CS-AUTH-201', evseId: 2 }] });
      await addToken({ uid: 'ELSEWHERE', type: 'ISO14443', evseRestrictions: [{ stationId: 'CS-SOMEWHERE-ELSE' }] });
      expect(await authorize201('EVSE-LIMITED')).toEqual({ idTokenInfo: { status: 'Accepted', evseId: [2] } });
      expect(await authorize201('ELSEWHERE')).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
      expect((await authorize16('ELSEWHERE')).idTagInfo.status).toBe('Invalid');
    });

    it('blocking a token over REST takes effect at the next Authorize', async () => {
      const token = await addToken({ uid: 'SOON-BLOCKED', type: 'KeyCode' });
      expect((await authorize201('SOON-BLOCKED', 'KeyCode')).idTokenInfo.status).toBe('Accepted');
      expect((await server.api('PATCH', `/api/v1/tokens/${token.id}`, { status: 'Blocked' })).status).toBe(200);
      expect((await authorize201('SOON-BLOCKED', 'KeyCode')).idTokenInfo.status).toBe('Blocked');
    });
  });

  describe('concurrent transactions', () => {
    it('a token already charging is ConcurrentTx in both versions, unless it allows concurrent transactions', async () => {
      await addToken({ uid: 'BUSY-CARD', type: 'ISO14443' });
      await addToken({ uid: 'BUSY-FLEET', type: 'ISO14443', allowConcurrent: true });
      server.app.authorization.setActiveTransactions({ hasActiveTransaction: async (_tenantId, idToken) => idToken.toUpperCase().startsWith('BUSY-') });
      try {
        expect((await authorize16('BUSY-CARD')).idTagInfo.status).toBe('ConcurrentTx');
        expect((await authorize201('BUSY-CARD')).idTokenInfo.status).toBe('ConcurrentTx');
        expect((await authorize16('BUSY-FLEET')).idTagInfo.status).toBe('Accepted');
        expect((await authorize201('BUSY-FLEET')).idTokenInfo.status).toBe('Accepted');
        // Only a token that would otherwise be Accepted is ConcurrentTx.
        expect((await authorize201('04BLOCKED')).idTokenInfo.status).toBe('Blocked');
      } finally {
        server.app.authorization.setActiveTransactions({ hasActiveTransaction: async () => false });
      }
      expect((await authorize16('BUSY-CARD')).idTagInfo.status).toBe('Accepted');
    });
  });

  describe('REST', () => {
    it('401 without a bearer token or with a wrong one; a viewer may read but not write (403)', async () => {
      const none = await fetch(`${server.app.baseUrl}/api/v1/tokens`);
      expect(none.status).toBe(401);
      expectProblem(await server.api('GET', '/api/v1/tokens', undefined, 'wrong-token'), 401);
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'NOPE', type: 'ISO14443' }, 'wrong-token'), 401);
      expectProblem(await postCsv('uid,type\nNOPE,ISO14443\n', 'wrong-token'), 401);
      expect((await server.api('GET', '/api/v1/tokens', undefined, VIEWER_TOKEN)).status).toBe(200);
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'NOPE', type: 'ISO14443' }, VIEWER_TOKEN), 403);
      expectProblem(await postCsv('uid,type\nNOPE,ISO14443\n', VIEWER_TOKEN), 403);
      expect((await server.api('GET', '/api/v1/tokens?uid=NOPE')).body.items).toEqual([]);
    });

    it('POST 201 with Location and every field; the same uid and type again (any case) is 409', async () => {
      const created = await server.api('POST', '/api/v1/tokens', {
        uid: 'REST-1',
        type: 'eMAID',
        status: 'Blocked',
        groupId: 'FLEET-9',
        expiresAt: '2030-01-01T00:00:00+01:00',
        driverId: 'Jane Doe',
        masterPass: true,
        allowConcurrent: true,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.headers.get('location')).toBe(`/api/v1/tokens/${created.body.id}`);
      expect(created.body).toMatchObject({
        uid: 'REST-1',
        type: 'eMAID',
        status: 'Blocked',
        groupId: 'FLEET-9',
        expiresAt: '2029-12-31T23:00:00.000Z',
        driverId: 'Jane Doe',
        masterPass: true,
        allowConcurrent: true,
        evseRestrictions: null,
      });
      const defaults = await addToken({ uid: 'REST-2', type: 'ISO14443' });
      expect(defaults).toMatchObject({ status: 'Accepted', groupId: null, expiresAt: null, driverId: null, masterPass: false, allowConcurrent: false });
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'REST-1', type: 'eMAID' }), 409, 'uid');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'rest-1', type: 'eMAID' }), 409, 'uid');
      expect((await server.api('POST', '/api/v1/tokens', { uid: 'REST-1', type: 'ISO14443' })).status).toBe(201);
    });

    it('400 naming the field: missing type, unknown type, unknown field, uid too long or with spaces, a bad date', async () => {
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'BAD-1' }), 400, 'type');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'BAD-1', type: 'Barcode' }), 400, 'type');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'BAD-1', type: 'ISO14443', colour: 'red' }), 400, 'colour');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'X'.repeat(37), type: 'ISO14443' }), 400, 'uid');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'HAS SPACE', type: 'ISO14443' }), 400, 'uid');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'BAD-1', type: 'ISO14443', expiresAt: '31/12/2027' }), 400, 'expiresAt');
      expectProblem(await server.api('POST', '/api/v1/tokens', { uid: 'BAD-1', type: 'ISO14443', status: 'Maybe' }), 400, 'status');
      expect((await server.api('GET', '/api/v1/tokens?uid=BAD-1')).body.items).toEqual([]);
    });

    it('GET, PATCH and DELETE one token; 404 for one that is gone or an id that is no token id', async () => {
      const token = await addToken({ uid: 'CRUD-1', type: 'MacAddress', groupId: 'G-1', driverId: 'd-1' });
      const fetched = await server.api('GET', `/api/v1/tokens/${token.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(token);
      const patched = await server.api('PATCH', `/api/v1/tokens/${token.id}`, { groupId: null, expiresAt: future, evseRestrictions: [{ stationId: 'CS-AUTH-201' }] });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body).toMatchObject({ uid: 'CRUD-1', groupId: null, driverId: 'd-1', expiresAt: '2099-12-31T23:59:59.000Z', evseRestrictions: [{ stationId: 'CS-AUTH-201' }] });
      expectProblem(await server.api('PATCH', `/api/v1/tokens/${token.id}`, {}), 400);
      expectProblem(await server.api('PATCH', `/api/v1/tokens/${token.id}`, { uid: 'RENAMED' }), 400, 'uid');
      expect((await server.api('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(204);
      expectProblem(await server.api('GET', `/api/v1/tokens/${token.id}`), 404);
      expectProblem(await server.api('PATCH', `/api/v1/tokens/${token.id}`, { status: 'Blocked' }), 404);
      expectProblem(await server.api('DELETE', `/api/v1/tokens/${token.id}`), 404);
      expectProblem(await server.api('GET', '/api/v1/tokens/not-a-token-id'), 404);
    });

    it('list filters by uid (any case), status, groupId and driverId, and pages with limit and nextCursor', async () => {
      for (let i = 0; i < 5; i++) await addToken({ uid: `PAGE-${i}`, type: 'ISO14443', groupId: 'PAGED', driverId: i % 2 === 0 ? 'even' : 'odd', status: i === 4 ? 'Blocked' : 'Accepted' });
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: Response = await server.api('GET', `/api/v1/tokens?groupId=paged&limit=2${after ? `&after=${after}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((t: { uid: string }) => t.uid));
        after = page.body.nextCursor;
      } while (after);
      expect(seen.sort()).toEqual(['PAGE-0', 'PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4']);
      expect((await server.api('GET', '/api/v1/tokens?uid=page-3')).body.items.map((t: { uid: string }) => t.uid)).toEqual(['PAGE-3']);
      expect((await server.api('GET', '/api/v1/tokens?groupId=PAGED&status=Blocked')).body.items.map((t: { uid: string }) => t.uid)).toEqual(['PAGE-4']);
      expect((await server.api('GET', '/api/v1/tokens?groupId=PAGED&driverId=odd')).body.items.map((t: { uid: string }) => t.uid).sort()).toEqual(['PAGE-1', 'PAGE-3']);
      expectProblem(await server.api('GET', '/api/v1/tokens?status=Sleeping'), 400, 'status');
      expectProblem(await server.api('GET', '/api/v1/tokens?after=not-a-cursor'), 400, 'after');
    });

    it('CSV import: all rows or none; a bad row is 400 naming its line, an existing token 409', async () => {
      const good = 'uid,type,status,groupId,expiresAt,driverId\r\nCSV-A,ISO14443,,FLEET-CSV,,\r\nCSV-B,ISO15693,Blocked,,2030-01-01T00:00:00Z,"Doe, John"\r\n';
      const imported = await postCsv(good);
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body).toEqual({ imported: 2 });
      expect((await server.api('GET', '/api/v1/tokens?uid=CSV-B')).body.items[0]).toMatchObject({ type: 'ISO15693', status: 'Blocked', driverId: 'Doe, John' });
      expect((await authorize201('CSV-A')).idTokenInfo).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'FLEET-CSV', type: 'Central' } });

      const badRow = await postCsv('uid,type,status,groupId,expiresAt,driverId\nCSV-C,ISO14443,,,,\nCSV-D,ISO14443,,,tomorrow,\n');
      expectProblem(badRow, 400, 'expiresAt');
      expect(badRow.body.line).toBe(3);
      expect(badRow.body.detail).toMatch(/^line 3: /);
      const existing = await postCsv('uid,type\nCSV-E,ISO14443\ncsv-a,ISO14443\n');
      expectProblem(existing, 409, 'uid');
      expect(existing.body.line).toBe(3);
      expect((await server.api('GET', '/api/v1/tokens?uid=CSV-C')).body.items).toEqual([]);
      expect((await server.api('GET', '/api/v1/tokens?uid=CSV-E')).body.items).toEqual([]);

      expectProblem(await postCsv('uid,colour\nX,red\n'), 400);
      const json = await server.api('POST', '/api/v1/tokens/import', { uid: 'X', type: 'ISO14443' });
      expectProblem(json, 400);
      expect((await postCsv('uid,type\nX,ISO14443\n', ADMIN_TOKEN, 'application/xml')).status).toBe(415);
      expect((await server.api('GET', '/api/v1/tokens?uid=X')).body.items).toEqual([]);
    });
  });
});
