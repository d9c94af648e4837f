import type { FastifyRequest } from 'fastify';

export type Role = 'owner' | 'admin' | 'operator' | 'support' | 'viewer';

/** Who is asking, as every route sees it. */
export interface Principal {
  tenantId: string;
  kind: 'api-token';
  id: string;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; every /api route must declare one. */
    minRole?: Role;
  }
}

/** The caller, for routes behind the API's authentication hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal;
}
