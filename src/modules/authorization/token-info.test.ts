import { describe, expect, it } from 'vitest';
import { toIdTagInfo16, toIdTokenInfo201 } from './token-info.js';
import type { AuthorizationResult, AuthorizationStatus } from './types.js';

const base = { masterPass: false, allowConcurrent: false };
const expiresAt = new Date('2027-03-01T12:00:00Z');

describe('idTagInfo (1.6) and idTokenInfo (2.0.1)', () => {
  it('1.6 §7.14: the statuses 1.6 lacks (Unknown, NotAtThisLocation, ...) become Invalid', () => {
    const cases: [AuthorizationStatus, string][] = [
      ['Accepted', 'Accepted'],
      ['Blocked', 'Blocked'],
      ['Expired', 'Expired'],
      ['Invalid', 'Invalid'],
      ['ConcurrentTx', 'ConcurrentTx'],
      ['Unknown', 'Invalid'],
      ['NotAtThisLocation', 'Invalid'],
      ['NotAllowedTypeEVSE', 'Invalid'],
      ['NotAtThisTime', 'Invalid'],
      ['NoCredit', 'Invalid'],
    ];
    for (const [status, wire] of cases) expect(toIdTagInfo16({ ...base, status }).status, status).toBe(wire);
  });

  it('1.6: expiryDate and parentIdTag from the expiry and group; a group longer than CiString20 is left out', () => {
    const result: AuthorizationResult = { ...base, status: 'Accepted', expiresAt, groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, evseIds: [1] };
    expect(toIdTagInfo16(result)).toEqual({ status: 'Accepted', expiryDate: '2027-03-01T12:00:00.000Z', parentIdTag: 'FLEET-7' });
    expect(toIdTagInfo16({ ...result, groupIdToken: { idToken: 'G'.repeat(21), type: 'Central' } })).not.toHaveProperty('parentIdTag');
    expect(toIdTagInfo16({ ...base, status: 'Unknown' })).toEqual({ status: 'Invalid' });
  });

  it('C01.FR.06 / C01.FR.19-20 2.0.1: groupIdToken, cacheExpiryDateTime, and evseId only when limited', () => {
    expect(toIdTokenInfo201({ ...base, status: 'Accepted', expiresAt, groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, evseIds: [1, 2] })).toEqual({
      status: 'Accepted',
      cacheExpiryDateTime: '2027-03-01T12:00:00.000Z',
      groupIdToken: { idToken: 'FLEET-7', type: 'Central' },
      evseId: [1, 2],
    });
    expect(toIdTokenInfo201({ ...base, status: 'Accepted', evseIds: [] })).toEqual({ status: 'Accepted' });
    expect(toIdTokenInfo201({ ...base, status: 'Unknown' })).toEqual({ status: 'Unknown' });
  });
});
