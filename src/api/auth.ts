import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { scopesAllow, type AccountsService } from '../modules/accounts/index.js';
import { roleAtLeast, type Principal, type Role } from '../platform/principal.js';
import { sendProblem } from './problem.js';

/** One registered route and the access rule it declared; the authorization matrix test walks these. */
export interface RouteRule {
  method: string;
  url: string;
  minRole: Role | undefined;
  driver: 'own' | undefined;
  public: boolean;
  superuser: boolean;
}

const routeTables = new WeakMap<FastifyInstance, RouteOptions[]>();

/**
 * Every /api route of a server, as registered (HEAD twins left out). Read when asked, not when
 * registered: a plugin scope's own onRoute hook (the API docs marking its routes public) runs after ours.
 */
export function routeTableOf(app: FastifyInstance): readonly RouteRule[] {
  const rules: RouteRule[] = [];
  for (const route of routeTables.get(app) ?? []) {
    const config = (route.config ?? {}) as RouteOptions['config'] & Record<string, unknown>;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      rules.push({ method, url: route.url, minRole: config.minRole, driver: config.driver, public: config.public === true, superuser: config.superuser === true });
    }
  }
  return rules;
}

function forbidden(reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, { type: 'https://ampline.dev/problems/Forbidden', title: 'Forbidden', status: 403, detail });
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendProblem(reply, { type: 'https://ampline.dev/problems/NotFound', title: 'NotFound', status: 404, detail: `${what} not found` });
}

/** Why this caller may not use this route, or undefined when it may (ADR 021). */
function refusal(principal: Principal, request: FastifyRequest): string | undefined {
  const config = request.routeOptions.config;
  const needed = config.minRole;
  // A route without a declared role is a programming error: refuse rather than expose it.
  if (needed === undefined) return 'route has no access rule';
  if (principal.kind === 'driver') return config.driver === 'own' ? undefined : 'drivers may not use this route';
  if (config.superuser && !principal.superuser) return 'only an installation superuser (an owner of the default tenant) manages tenants';
  if (!roleAtLeast(principal.role, needed)) return `this needs the ${needed} role or higher; you are ${principal.role}`;
  if (!scopesAllow(principal.scopes, request.method, request.url)) return `this API key's scopes (${principal.scopes?.join(', ')}) do not cover this route`;
  return undefined;
}

/**
 * Bearer-token authentication for everything under /api, the role check per route
 * (`config.minRole`), drivers only on routes marked `config.driver: 'own'`, and site scoping for
 * routes addressing one station or site.
 */
export function installAuth(app: FastifyInstance, accounts: AccountsService): void {
  const table: RouteOptions[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.startsWith('/api/')) table.push(route);
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      return sendProblem(reply.header('WWW-Authenticate', 'Bearer'), {
        type: 'https://ampline.dev/problems/Unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'send an API token as "Authorization: Bearer <token>"',
      });
    }
    const principal = await accounts.authenticateToken(match[1]);
    if (!principal) {
      return sendProblem(reply.header('WWW-Authenticate', 'Bearer error="invalid_token"'), {
        type: 'https://ampline.dev/problems/Unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'the API token is not valid (unknown, expired or revoked)',
      });
    }
    request.principal = principal;
    const refused = refusal(principal, request);
    if (refused) return forbidden(reply, refused);
  });

  // After validation, so params and body are typed: a site-scoped user meets stations and sites
  // outside their sites as if they did not exist, on every route that names one.
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const scope = request.principal?.scope;
    if (!scope) return;
    const url = request.routeOptions.url ?? '';
    const params = (request.params ?? {}) as Record<string, unknown>;
    const named = [
      url.startsWith('/api/v1/stations/:id') ? params['id'] : undefined,
      (request.body as Record<string, unknown> | undefined)?.['stationId'],
      (request.query as Record<string, unknown> | undefined)?.['stationId'],
    ];
    for (const stationId of named) {
      if (typeof stationId === 'string' && !scope.stationIds.includes(stationId)) return notFound(reply, `station ${stationId}`);
    }
    const sites = [
      url.startsWith('/api/v1/sites/:id') ? params['id'] : undefined,
      (request.query as Record<string, unknown> | undefined)?.['siteId'],
      (request.body as Record<string, unknown> | undefined)?.['siteId'],
    ];
    for (const siteId of sites) {
      if (typeof siteId === 'string' && !scope.siteIds.includes(siteId)) return notFound(reply, `site ${siteId}`);
    }
  });
}
