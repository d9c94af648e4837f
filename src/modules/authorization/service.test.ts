import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/test-server.js';
import { ManualClock } from '../../platform/clock.js';
import { isDomainError } from '../../platform/errors.js';
import { DEFAULT_TENANT_ID } from '../accounts/index.js';
import type { AuthorizationService } from './service.js';
import type { ActiveTransactions, AuthorizationResult, IdTokenRef } from './types.js';

/** The service on a real database (PGlite, or PostgreSQL with DATABASE_URL), time on a manual clock. */
describe('AuthorizationService', () => {
  const T = DEFAULT_TENANT_ID;
  const here = { stationId: 'CS-AUTH-1' };
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let server: TestServer;
  let auth: AuthorizationService;

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    auth = server.app.authorization;
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('the local tokens', () => {
    it('C01.FR.07 an Accepted token is Accepted, with its token id and driver', async () => {
      const token = await auth.create(T, { uid: 'A-ACC-1', type: 'ISO14443', driverId: 'driver-7' });
      const result = await auth.authorize(T, { idToken: 'A-ACC-1', type: 'ISO14443' }, here);
      expect(result).toMatchObject({ status: 'Accepted', tokenId: token.id, driverId: 'driver-7', masterPass: false, allowConcurrent: false });
      expect(result.groupIdToken).toBeUndefined();
      expect(result.evseIds).toBeUndefined();
    });

    it('TC_C_02_CSMS a token nobody knows is Unknown', async () => {
      expect((await auth.authorize(T, { idToken: 'NOBODY', type: 'ISO14443' }, here)).status).toBe('Unknown');
      expect((await auth.authorize(T, { idToken: 'NOBODY' }, here)).status).toBe('Unknown');
    });

    it('TC_C_06_CSMS / TC_C_07_CSMS stored Blocked, Expired and Invalid statuses are answered as such', async () => {
      await auth.create(T, { uid: 'A-BLK-1', type: 'ISO14443', status: 'Blocked' });
      await auth.create(T, { uid: 'A-EXP-1', type: 'ISO14443', status: 'Expired' });
      await auth.create(T, { uid: 'A-INV-1', type: 'ISO14443', status: 'Invalid' });
      expect((await auth.authorize(T, { idToken: 'A-BLK-1', type: 'ISO14443' }, here)).status).toBe('Blocked');
      expect((await auth.authorize(T, { idToken: 'A-EXP-1', type: 'ISO14443' }, here)).status).toBe('Expired');
      expect((await auth.authorize(T, { idToken: 'A-INV-1', type: 'ISO14443' }, here)).status).toBe('Invalid');
    });

    it('an Accepted token past its expiry date is Expired, and carries its expiry', async () => {
      const expiresAt = new Date(clock.nowMs() + 3_600_000);
      await auth.create(T, { uid: 'A-DATE-1', type: 'ISO14443', expiresAt: expiresAt.toISOString() });
      const before = await auth.authorize(T, { idToken: 'A-DATE-1', type: 'ISO14443' }, here);
      expect(before).toMatchObject({ status: 'Accepted', expiresAt });
      clock.advance(3_600_000);
      expect((await auth.authorize(T, { idToken: 'A-DATE-1', type: 'ISO14443' }, here)).status).toBe('Expired');
    });

    it('idTokens are case-insensitive (1.6 CiString20, 2.0.1 IdTokenType); a 2.0.1 token must match its type', async () => {
      await auth.create(T, { uid: 'a-case-1', type: 'ISO14443' });
      expect((await auth.authorize(T, { idToken: 'A-CASE-1', type: 'ISO14443' }, here)).status).toBe('Accepted');
      expect((await auth.authorize(T, { idToken: 'A-CASE-1', type: 'ISO15693' }, here)).status).toBe('Unknown');
      await expect(auth.create(T, { uid: 'A-CASE-1', type: 'ISO14443' })).rejects.toSatisfy((err) => isDomainError(err, 'AlreadyExists'));
      expect((await auth.create(T, { uid: 'A-CASE-1', type: 'ISO15693' })).uid).toBe('A-CASE-1');
    });

    it('a 1.6 idTag (no type) matches a token of any type, ISO14443 first', async () => {
      await auth.create(T, { uid: 'A-16-ANY', type: 'Central', status: 'Blocked' });
      expect((await auth.authorize(T, { idToken: 'a-16-any' }, here)).status).toBe('Blocked');
      await auth.create(T, { uid: 'A-16-ANY', type: 'ISO14443' });
      expect((await auth.authorize(T, { idToken: 'A-16-ANY' }, here)).status).toBe('Accepted');
      expect((await auth.authorize(T, { idToken: 'A-16-ANY', type: '' }, here)).status).toBe('Accepted');
    });

    it('NoAuthorization is Accepted without a token row', async () => {
      expect(await auth.authorize(T, { idToken: '', type: 'NoAuthorization' }, here)).toMatchObject({ status: 'Accepted' });
    });

    it('C01.FR.06 / C09.FR.02 a token in a group carries the groupIdToken', async () => {
      await auth.create(T, { uid: 'A-GRP-1', type: 'ISO14443', groupId: 'FLEET-A' });
      const result = await auth.authorize(T, { idToken: 'A-GRP-1', type: 'ISO14443' }, here);
      expect(result.groupIdToken).toEqual({ idToken: 'FLEET-A', type: 'Central' });
    });
  });

  describe('EVSE and location limits', () => {
    it('C01.FR.22 a token limited to other stations is NotAtThisLocation here', async () => {
      await auth.create(T, { uid: 'A-LOC-1', type: 'ISO14443', evseRestrictions: [{ stationId: 'CS-ELSEWHERE' }] });
      const result = await auth.authorize(T, { idToken: 'A-LOC-1', type: 'ISO14443' }, here);
      expect(result.status).toBe('NotAtThisLocation');
      expect(result.evseIds).toBeUndefined();
      expect((await auth.authorize(T, { idToken: 'A-LOC-1', type: 'ISO14443' }, { stationId: 'CS-ELSEWHERE' })).status).toBe('Accepted');
    });

    it('C01.FR.20 a token limited to some EVSEs is Accepted with that list; a start on another EVSE is NotAllowedTypeEVSE', async () => {
      await auth.create(T, {
        uid: 'A-EVSE-1',
        type: 'ISO14443',
        evseRestrictions: [
          { stationId: here.stationId, evseId: 3 },
          { stationId: here.stationId, evseId: 2 },
          { stationId: 'CS-OTHER', evseId: 1 },
        ],
      });
      expect(await auth.authorize(T, { idToken: 'A-EVSE-1', type: 'ISO14443' }, here)).toMatchObject({ status: 'Accepted', evseIds: [2, 3] });
      expect((await auth.authorize(T, { idToken: 'A-EVSE-1', type: 'ISO14443' }, { ...here, evseId: 2 })).status).toBe('Accepted');
      expect((await auth.authorize(T, { idToken: 'A-EVSE-1', type: 'ISO14443' }, { ...here, evseId: 1 })).status).toBe('NotAllowedTypeEVSE');
    });
  });

  describe('concurrent transactions', () => {
    const calls: { idToken: string; except: string | undefined }[] = [];
    const charging: ActiveTransactions = {
      hasActiveTransaction: async (tenantId, idToken, except) => {
        calls.push({ idToken, except });
        return tenantId === T && idToken.toUpperCase().startsWith('A-CONC') && except === undefined;
      },
    };

    it('1.6 ConcurrentTx: a token already charging is ConcurrentTx unless it allows concurrent transactions', async () => {
      auth.setActiveTransactions(charging);
      try {
        await auth.create(T, { uid: 'A-CONC-1', type: 'ISO14443', groupId: 'FLEET-C' });
        await auth.create(T, { uid: 'A-CONC-2', type: 'ISO14443', allowConcurrent: true });
        const busy = await auth.authorize(T, { idToken: 'A-CONC-1', type: 'ISO14443' }, here);
        expect(busy).toMatchObject({ status: 'ConcurrentTx', groupIdToken: { idToken: 'FLEET-C', type: 'Central' } });
        expect((await auth.authorize(T, { idToken: 'A-CONC-2', type: 'ISO14443' }, here)).status).toBe('Accepted');
        // The transaction the request is about is not "another" one; stopping is never concurrent.
        expect((await auth.authorize(T, { idToken: 'A-CONC-1', type: 'ISO14443' }, { ...here, transactionId: 'tx-1' })).status).toBe('Accepted');
        expect(calls).toContainEqual({ idToken: 'A-CONC-1', except: 'tx-1' });
        expect((await auth.authorize(T, { idToken: 'A-CONC-1', type: 'ISO14443' }, { ...here, purpose: 'stop' })).status).toBe('Accepted');
        // Only an Accepted answer is checked.
        calls.length = 0;
        await auth.authorize(T, { idToken: 'A-BLK-1', type: 'ISO14443' }, here);
        expect(calls).toEqual([]);
      } finally {
        auth.setActiveTransactions({ hasActiveTransaction: async () => false });
      }
    });
  });

  describe('the authorizer chain', () => {
    it('later authorizers are asked only for tokens the earlier ones do not know; nobody knowing is Unknown', async () => {
      const asked: string[] = [];
      const remote = async (_tenantId: string, token: IdTokenRef): Promise<AuthorizationResult | undefined> => {
        asked.push(token.idToken);
        if (token.idToken === 'NL-EMSP-C00000001-X') return { status: 'Accepted', masterPass: false, allowConcurrent: false, groupIdToken: { idToken: 'EMSP', type: 'Central' } };
        return undefined;
      };
      auth.addAuthorizer(remote);
      expect(await auth.authorize(T, { idToken: 'NL-EMSP-C00000001-X', type: 'eMAID' }, here)).toMatchObject({ status: 'Accepted', groupIdToken: { idToken: 'EMSP' } });
      expect((await auth.authorize(T, { idToken: 'A-BLK-1', type: 'ISO14443' }, here)).status).toBe('Blocked');
      expect((await auth.authorize(T, { idToken: 'NL-EMSP-UNKNOWN', type: 'eMAID' }, here)).status).toBe('Unknown');
      expect(asked).toEqual(['NL-EMSP-C00000001-X', 'NL-EMSP-UNKNOWN']);
    });
  });

  // Stopping with another token of the group, or a master pass, is the station's decision (C09.FR.07, C16.FR.02) from the groupIdToken returned here.
  describe('group and master-pass tokens', () => {
    beforeAll(async () => {
      await auth.create(T, { uid: 'S-GRP-1', type: 'ISO14443', groupId: 'FAMILY-1' });
      await auth.create(T, { uid: 'S-GRP-2', type: 'ISO14443', groupId: 'family-1' });
      await auth.create(T, { uid: 'S-GRP-BLK', type: 'ISO14443', groupId: 'FAMILY-1', status: 'Blocked' });
      await auth.create(T, { uid: 'S-OTHER', type: 'ISO14443', groupId: 'FAMILY-2' });
      await auth.create(T, { uid: 'S-LONE', type: 'ISO14443' });
      await auth.create(T, { uid: 'S-MASTER', type: 'ISO14443', groupId: 'MASTERPASS', masterPass: true });
      await auth.create(T, { uid: 'S-MASTER-OLD', type: 'ISO14443', groupId: 'MASTERPASS', masterPass: true, status: 'Blocked' });
      await auth.create(T, { uid: 'S-LIMITED', type: 'ISO14443', groupId: 'FAMILY-1', evseRestrictions: [{ stationId: 'CS-NOT-HERE' }] });
    });

    const card = (uid: string): IdTokenRef => ({ idToken: uid, type: 'ISO14443' });

    it('TC_C_48_CSMS a master pass is answered with its group (MasterPassGroupId) so the station recognises it', async () => {
      expect((await auth.authorize(T, card('S-MASTER'), here)).groupIdToken).toEqual({ idToken: 'MASTERPASS', type: 'Central' });
    });
  });

  describe('token management', () => {
    it('update changes only what is given and stamps updatedAt; remove deletes', async () => {
      const created = await auth.create(T, { uid: 'M-UPD-1', type: 'KeyCode', groupId: 'G1', driverId: 'd1' });
      clock.advance(1000);
      const updated = await auth.update(T, created.id, { status: 'Blocked', groupId: null });
      expect(updated).toMatchObject({ uid: 'M-UPD-1', type: 'KeyCode', status: 'Blocked', groupId: null, driverId: 'd1', createdAt: created.createdAt });
      expect(Date.parse(updated.updatedAt)).toBe(Date.parse(created.updatedAt) + 1000);
      await auth.remove(T, created.id);
      await expect(auth.get(T, created.id)).rejects.toSatisfy((err) => isDomainError(err, 'NotFound'));
      await expect(auth.remove(T, created.id)).rejects.toSatisfy((err) => isDomainError(err, 'NotFound'));
      await expect(auth.get(T, 'not-a-uuid')).rejects.toSatisfy((err) => isDomainError(err, 'NotFound'));
    });

    it('rules hold whichever way a token arrives', async () => {
      await expect(auth.create(T, { uid: 'HAS SPACE', type: 'ISO14443' })).rejects.toSatisfy((err) => isDomainError(err, 'InvalidInput'));
      await expect(auth.create(T, { uid: 'X'.repeat(37), type: 'ISO14443' })).rejects.toSatisfy((err) => isDomainError(err, 'InvalidInput'));
      await expect(auth.create(T, { uid: 'M-BAD-DATE', type: 'ISO14443', expiresAt: 'next tuesday' })).rejects.toSatisfy(
        (err) => isDomainError(err, 'InvalidInput') && err.details?.['field'] === 'expiresAt',
      );
    });

    it('CSV import writes every row or none, naming the bad line', async () => {
      const good = 'uid,type,status,groupId,expiresAt,driverId\nCSV-1,ISO14443,,FLEET-9,,\r\nCSV-2,eMAID,Blocked,,2027-01-01T00:00:00Z,"Doe, Jane"\n\n';
      expect(await auth.importCsv(T, good)).toEqual({ imported: 2 });
      const [csv2] = await auth.list(T, { uid: 'csv-2', limit: 10 });
      expect(csv2).toMatchObject({ uid: 'CSV-2', type: 'eMAID', status: 'Blocked', driverId: 'Doe, Jane', expiresAt: '2027-01-01T00:00:00.000Z' });

      const badType = 'uid,type\nCSV-3,ISO14443\nCSV-4,Magic\n';
      await expect(auth.importCsv(T, badType)).rejects.toSatisfy((err) => isDomainError(err, 'InvalidInput') && err.details?.['line'] === 3 && /^line 3: type/.test(err.message));
      const existing = 'uid,type\nCSV-5,ISO14443\ncsv-1,ISO14443\n';
      await expect(auth.importCsv(T, existing)).rejects.toSatisfy((err) => isDomainError(err, 'AlreadyExists') && err.details?.['line'] === 3);
      const twice = 'uid,type\nCSV-6,ISO14443\nCSV-6,ISO14443\n';
      await expect(auth.importCsv(T, twice)).rejects.toSatisfy((err) => isDomainError(err, 'InvalidInput') && /line 3: .*line 2/.test(err.message));
      for (const uid of ['CSV-3', 'CSV-5', 'CSV-6']) expect(await auth.list(T, { uid, limit: 10 })).toEqual([]);
    });

    it('a CSV import larger than one INSERT chunk that conflicts on its last row writes nothing', async () => {
      await auth.create(T, { uid: 'BULK-LAST', type: 'ISO14443' });
      const lines = ['uid,type'];
      for (let i = 0; i < 1500; i++) lines.push(`BULK-${i},ISO14443`);
      lines.push('BULK-LAST,ISO14443');
      await expect(auth.importCsv(T, lines.join('\n'))).rejects.toSatisfy((err) => isDomainError(err, 'AlreadyExists') && err.details?.['line'] === 1502);
      expect(await auth.list(T, { uid: 'BULK-0', limit: 10 })).toEqual([]);
      lines.pop();
      expect(await auth.importCsv(T, lines.join('\n'))).toEqual({ imported: 1500 });
    });
  });
});
