import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { DomainError } from '../../platform/errors.js';
import type { AccountsService } from './service.js';
import type { OidcLogin } from './oidc.js';

const secret = { type: 'string', minLength: 1, maxLength: 512 } as const;

/** Sign-in, refresh, logout and password reset (ADR 021); the first two and reset need no token. */
export function registerAuthRoutes(app: FastifyInstance, accounts: AccountsService, oidc?: OidcLogin): void {
  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { minRole: 'viewer', public: true },
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
        },
      },
    },
    async (request) => accounts.logins.login(request.body.email, request.body.password, request.ip),
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/api/v1/auth/refresh',
    {
      config: { minRole: 'viewer', public: true },
      schema: { body: { type: 'object', required: ['refreshToken'], additionalProperties: false, properties: { refreshToken: secret } } },
    },
    async (request) => accounts.logins.refresh(request.body.refreshToken),
  );

  app.post('/api/v1/auth/logout', { config: { minRole: 'viewer', driver: 'own' } }, async (request, reply) => {
    const { session } = principalOf(request);
    if (!session) throw new DomainError('Conflict', 'an API key has no sign-in to end; revoke it with DELETE /api/v1/api-keys/{id}');
    await accounts.logins.logout(session);
    return reply.status(204).send();
  });

  app.post<{ Body: { email: string } }>(
    '/api/v1/auth/password-reset',
    {
      config: { minRole: 'viewer', public: true },
      schema: { body: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string', minLength: 1, maxLength: 254 } } } },
    },
    async (request, reply) => {
      await accounts.logins.requestReset(request.body.email);
      return reply.status(202).send({ detail: 'if the account exists, a reset link was issued (see the server log)' });
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { minRole: 'viewer', public: true },
      schema: {
        body: {
          type: 'object',
          required: ['token', 'password'],
          additionalProperties: false,
          properties: { token: secret, password: { type: 'string', minLength: 10, maxLength: 256 } },
        },
      },
    },
    async (request, reply) => {
      await accounts.logins.confirmReset(request.body.token, request.body.password);
      return reply.status(204).send();
    },
  );

  // OIDC sign-in (only when configured): start redirects to the provider, the callback answers the token pair.
  const oidcLogin = (): OidcLogin => {
    if (!oidc) throw new DomainError('NotFound', 'OIDC sign-in is not configured on this server (AMPLINE_OIDC_ISSUER)');
    return oidc;
  };
  app.get('/api/v1/auth/oidc/start', { config: { minRole: 'viewer', public: true } }, async (_request, reply) => reply.redirect(await oidcLogin().start()));
  app.get<{ Querystring: { code: string; state: string } }>(
    '/api/v1/auth/oidc/callback',
    {
      config: { minRole: 'viewer', public: true },
      schema: { querystring: { type: 'object', required: ['code', 'state'], properties: { code: secret, state: secret } } },
    },
    async (request) => oidcLogin().callback(request.query.code, request.query.state),
  );
}
