import type { FastifyRequest } from 'fastify';
import { DomainError } from './errors.js';

export type Role = 'owner' | 'admin' | 'operator' | 'support' | 'viewer';

export const ROLES: readonly Role[] = ['viewer', 'support', 'operator', 'admin', 'owner'];

const RANK: Record<Role, number> = { viewer: 0, support: 1, operator: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Who is asking, as every route sees it. */
export interface Principal {
  tenantId: string;
  /** api-token: a machine key; user: an operator who signed in; driver: a driver who signed in. */
  kind: 'api-token' | 'user' | 'driver';
  id: string;
  name: string;
  /** Drivers carry 'viewer' but reach only routes marked `driver: 'own'`. */
  role: Role;
  /** May create and rename tenants: an owner of the installation's default tenant (ADR 021). */
  superuser?: boolean;
  /** Site-scoped operators: these sites and the stations on them; undefined sees the whole tenant. */
  scope?: { siteIds: readonly string[]; stationIds: readonly string[] };
  /** Drivers: their driver id and the uids of the id tokens linked to it. */
  driver?: { id: string; idTokens: readonly string[] };
  /** API keys: resource scopes (`stations`, `sessions:read`); undefined allows what the role allows. */
  scopes?: readonly string[];
  /** Users: the sign-in this access token belongs to (logout ends it). */
  session?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; every /api route must declare one. */
    minRole?: Role;
    /** 'own': drivers may call it too, and the route filters to what is theirs (ADR 021). */
    driver?: 'own';
    /** Reachable without a token (login, refresh, password reset); minRole is then ignored. */
    public?: true;
    /** Only an installation superuser (tenant management). */
    superuser?: true;
  }
}

/** The caller, for routes behind the API's authentication hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal;
}

/** Station ids the caller is limited to; undefined: every station of the tenant. */
export function stationScopeOf(principal: Principal): readonly string[] | undefined {
  return principal.scope?.stationIds;
}

/** Site ids the caller is limited to; undefined: every site of the tenant. */
export function siteScopeOf(principal: Principal): readonly string[] | undefined {
  return principal.scope?.siteIds;
}

/** Id-token uids a driver owns; undefined for operators and keys (no filter). */
export function driverTokensOf(principal: Principal): readonly string[] | undefined {
  return principal.kind === 'driver' ? (principal.driver?.idTokens ?? []) : undefined;
}

/** A station outside the caller's sites looks the same as one that does not exist. */
export function assertStationInScope(principal: Principal, stationId: string): void {
  const scope = stationScopeOf(principal);
  if (scope && !scope.includes(stationId)) throw new DomainError('NotFound', `station ${stationId} not found`);
}
