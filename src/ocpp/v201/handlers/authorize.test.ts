import { describe, expect, it } from 'vitest';
import type { AuthorizationContext, AuthorizationResult, AuthorizationService, IdTokenRef } from '../../../modules/authorization/index.js';
import { ManualClock } from '../../../platform/clock.js';
import { silentLogger } from '../../../platform/logger.js';
import type { HandlerContext, OcppServices } from '../../handler.js';
import { authorize } from './authorize.js';

function contextAnswering(result: AuthorizationResult, seen: { tenantId: string; token: IdTokenRef; context: AuthorizationContext }[]): HandlerContext {
  const authorization: Pick<AuthorizationService, 'authorize'> = {
    authorize: async (tenantId, token, context) => {
      seen.push({ tenantId, token, context });
      return result;
    },
  };
  return {
    link: { tenantId: 'tenant-1', stationId: 'CS-201', version: 'ocpp2.0.1', setBootStatus: () => undefined },
    services: { authorization } as unknown as OcppServices,
    clock: new ManualClock(),
    logger: silentLogger,
  };
}

describe('2.0.1 Authorize', () => {
  it('C01.FR.06 / C01.FR.20 asks about (idToken, type) at this station and answers idTokenInfo with groupIdToken and evseId', async () => {
    const seen: { tenantId: string; token: IdTokenRef; context: AuthorizationContext }[] = [];
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
