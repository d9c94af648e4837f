import { describe, expect, it } from 'vitest';
import type { AuthorizationResult } from '../../../modules/authorization/index.js';
import { contextAnswering as contextFor, type AuthorizeQuestion } from '../../testing/authorize-context.js';
import { authorize } from './authorize.js';

const contextAnswering = (result: AuthorizationResult, seen: AuthorizeQuestion[]) => contextFor('ocpp2.0.1', 'CS-201', result, seen);

describe('2.0.1 Authorize', () => {
  it('C01.FR.06 / C01.FR.20 asks about (idToken, type) at this station and answers idTokenInfo with groupIdToken and evseId', async () => {
    const seen: AuthorizeQuestion[] = [];
    const ctx = contextAnswering(
      { status: 'Accepted', masterPass: false, allowConcurrent: false, groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, evseIds: [2], expiresAt: new Date('2027-01-01T00:00:00Z') },
      seen,
    );
    expect(await authorize(ctx, { idToken: { idToken: '04A1B2C3', type: 'ISO14443' } })).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, evseId: [2], cacheExpiryDateTime: '2027-01-01T00:00:00.000Z' },
    });
    expect(seen).toEqual([{ tenantId: 'tenant-1', token: { idToken: '04A1B2C3', type: 'ISO14443' }, context: { stationId: 'CS-201' } }]);
  });

  it('TC_C_02_CSMS an unknown token is answered Unknown', async () => {
    const ctx = contextAnswering({ status: 'Unknown', masterPass: false, allowConcurrent: false }, []);
    expect(await authorize(ctx, { idToken: { idToken: 'NOBODY', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Unknown' } });
  });
});
