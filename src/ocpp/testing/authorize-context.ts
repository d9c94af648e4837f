import type { AuthorizationContext, AuthorizationResult, AuthorizationService, IdTokenRef } from '../../modules/authorization/index.js';
import { ManualClock } from '../../platform/clock.js';
import { silentLogger } from '../../platform/logger.js';
import type { HandlerContext, OcppServices } from '../handler.js';
import type { OcppVersion } from '../rpc/versions.js';

export interface AuthorizeQuestion {
  tenantId: string;
  token: IdTokenRef;
  context: AuthorizationContext;
}

/** For the Authorize handler tests of each version: a context whose authorizer answers `result` and records what it was asked. */
export function contextAnswering(version: OcppVersion, stationId: string, result: AuthorizationResult, seen: AuthorizeQuestion[]): HandlerContext {
  const authorization: Pick<AuthorizationService, 'authorize'> = {
    authorize: async (tenantId, token, context) => {
      seen.push({ tenantId, token, context });
      return result;
    },
  };
  return {
    link: { tenantId: 'tenant-1', stationId, version, setBootStatus: () => undefined },
    services: { authorization } as unknown as OcppServices,
    clock: new ManualClock(),
    logger: silentLogger,
  };
}
