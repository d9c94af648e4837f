import { describe, expect, it } from 'vitest';
import type { AuthorizationResult } from '../../../modules/authorization/index.js';
import { contextAnswering as contextFor, type AuthorizeQuestion } from '../../testing/authorize-context.js';
import { authorize } from './authorize.js';

const contextAnswering = (result: AuthorizationResult, seen: AuthorizeQuestion[]) => contextFor('ocpp1.6', 'CS-16', result, seen);

describe('1.6 Authorize', () => {
  it('§4.2 asks about the idTag (untyped) at this station and answers idTagInfo with parentIdTag and expiryDate', async () => {
    const seen: AuthorizeQuestion[] = [];
    const ctx = contextAnswering(
      { status: 'Accepted', masterPass: false, allowConcurrent: false, groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, expiresAt: new Date('2027-01-01T00:00:00Z') },
      seen,
    );
    expect(await authorize(ctx, { idTag: '04A1B2C3' })).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET-7', expiryDate: '2027-01-01T00:00:00.000Z' } });
    expect(seen).toEqual([{ tenantId: 'tenant-1', token: { idToken: '04A1B2C3' }, context: { stationId: 'CS-16' } }]);
  });

  it('an Unknown token is Invalid in 1.6', async () => {
    const ctx = contextAnswering({ status: 'Unknown', masterPass: false, allowConcurrent: false }, []);
    expect(await authorize(ctx, { idTag: 'NOBODY' })).toEqual({ idTagInfo: { status: 'Invalid' } });
  });
});
