import type { FastifyInstance } from 'fastify';
import { principalOf, ROLES } from '../../platform/principal.js';
import type { AccountsService } from './service.js';
import { SCOPE_PATTERN } from './api-keys.js';
import type { SortQueryProperty } from '../../platform/list-sort.js';
import { API_KEY_SORT, TENANT_SORT, USER_SORT } from './account-sort.js';
import type { CreateApiKeyInput, CreateDriverInput, CreateUserInput, UpdateUserInput, UserKind } from './types.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
/** `after` is the older name of `cursor` these lists still take (it also takes a bare id). */
function listQuery(sort: SortQueryProperty) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: { type: 'string', maxLength: 512 }, after: { type: 'string', maxLength: 512 }, sort },
  } as const;
}
const role = { type: 'string', enum: ROLES } as const;
const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
const password = { type: 'string', minLength: 10, maxLength: 256 } as const;
const name = { type: 'string', minLength: 1, maxLength: 255 } as const;
const siteIds = { type: ['array', 'null'], maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

type ListQuery = { limit?: number; cursor?: string; after?: string; sort?: string };

function windowOf(query: ListQuery) {
  return { ...query, limit: query.limit ?? 100 };
}

/** Tenants (superuser), operator users and drivers, API keys, and who-am-I. */
export function registerAccountRoutes(app: FastifyInstance, accounts: AccountsService): void {
  app.get('/api/v1/me', { config: { minRole: 'viewer', driver: 'own' } }, async (request) => {
    const p = principalOf(request);
    return {
      tenantId: p.tenantId,
      kind: p.kind,
      id: p.id,
      name: p.name,
      role: p.kind === 'driver' ? null : p.role,
      superuser: p.superuser ?? false,
      siteIds: p.scope?.siteIds ?? null,
      driverId: p.driver?.id ?? null,
      scopes: p.scopes ?? null,
    };
  });

  // Tenants: the installation's superuser only (ADR 021).
  app.post<{ Body: { id: string; name: string; owner?: { email: string; password?: string; name?: string } } }>(
    '/api/v1/tenants',
    {
      config: { minRole: 'owner', superuser: true },
      schema: {
        body: {
          type: 'object',
          required: ['id', 'name'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', minLength: 2, maxLength: 63 },
            name,
            owner: { type: 'object', required: ['email'], additionalProperties: false, properties: { email, password, name } },
          },
        },
      },
    },
    async (request, reply) => {
      const tenant = await accounts.tenants.create(request.body);
      const owner = request.body.owner ? await accounts.users.createOperator(tenant.id, { ...request.body.owner, role: 'owner' }, 'owner') : null;
      return reply.status(201).header('Location', `/api/v1/tenants/${tenant.id}`).send({ ...tenant, owner });
    },
  );
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/tenants',
    { config: { minRole: 'owner', superuser: true }, schema: { querystring: listQuery(TENANT_SORT.queryProperty) } },
    async (request) => accounts.tenants.list(windowOf(request.query)),
  );
  app.get<{ Params: { id: string } }>('/api/v1/tenants/:id', { config: { minRole: 'owner', superuser: true }, schema: { params: idParams } }, async (request) =>
    accounts.tenants.get(request.params.id),
  );
  app.patch<{ Params: { id: string }; Body: { name: string } }>(
    '/api/v1/tenants/:id',
    {
      config: { minRole: 'owner', superuser: true },
      schema: { params: idParams, body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name } } },
    },
    async (request) => accounts.tenants.rename(request.params.id, request.body.name),
  );

  registerPeople(app, accounts, 'operator');
  registerPeople(app, accounts, 'driver');

  app.post<{ Body: CreateApiKeyInput }>(
    '/api/v1/api-keys',
    {
      config: { minRole: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: {
            name,
            role,
            scopes: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: SCOPE_PATTERN } },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const key = await accounts.apiKeys.create(p.tenantId, request.body, p.role);
      return reply.status(201).header('Location', `/api/v1/api-keys/${key.id}`).send(key);
    },
  );
  app.get<{ Querystring: ListQuery }>('/api/v1/api-keys', { config: { minRole: 'admin' }, schema: { querystring: listQuery(API_KEY_SORT.queryProperty) } }, async (request) =>
    accounts.apiKeys.list(principalOf(request).tenantId, windowOf(request.query)),
  );
  app.get<{ Params: { id: string } }>('/api/v1/api-keys/:id', { config: { minRole: 'admin' }, schema: { params: idParams } }, async (request) =>
    accounts.apiKeys.get(principalOf(request).tenantId, request.params.id),
  );
  app.delete<{ Params: { id: string } }>('/api/v1/api-keys/:id', { config: { minRole: 'admin' }, schema: { params: idParams } }, async (request, reply) => {
    await accounts.apiKeys.revoke(principalOf(request).tenantId, request.params.id);
    return reply.status(204).send();
  });
}

/** /users (operator accounts, admins manage them) and /drivers (driver accounts, operators manage them). */
function registerPeople(app: FastifyInstance, accounts: AccountsService, kind: UserKind): void {
  const base = kind === 'operator' ? '/api/v1/users' : '/api/v1/drivers';
  const minRole = kind === 'operator' ? 'admin' : 'operator';
  const createProperties =
    kind === 'operator'
      ? { email, password, name, role, siteIds }
      : { email, password, name, driverId: { type: 'string', minLength: 1, maxLength: 255 } };
  const updateProperties = kind === 'operator' ? { name, role, siteIds, disabled: { type: 'boolean' }, password } : { name, disabled: { type: 'boolean' }, password };

  app.post<{ Body: CreateUserInput & CreateDriverInput }>(
    base,
    { config: { minRole }, schema: { body: { type: 'object', required: ['email'], additionalProperties: false, properties: createProperties } } },
    async (request, reply) => {
      const p = principalOf(request);
      const user = kind === 'operator' ? await accounts.users.createOperator(p.tenantId, request.body, p.role) : await accounts.users.createDriver(p.tenantId, request.body);
      return reply.status(201).header('Location', `${base}/${user.id}`).send(user);
    },
  );
  app.get<{ Querystring: ListQuery }>(base, { config: { minRole }, schema: { querystring: listQuery(USER_SORT.queryProperty) } }, async (request) =>
    accounts.users.list(principalOf(request).tenantId, kind, windowOf(request.query)),
  );
  app.get<{ Params: { id: string } }>(`${base}/:id`, { config: { minRole }, schema: { params: idParams } }, async (request) =>
    accounts.users.get(principalOf(request).tenantId, kind, request.params.id),
  );
  app.patch<{ Params: { id: string }; Body: UpdateUserInput }>(
    `${base}/:id`,
    { config: { minRole }, schema: { params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: updateProperties } } },
    async (request) => {
      const p = principalOf(request);
      return accounts.users.update(p.tenantId, kind, request.params.id, request.body, p.role);
    },
  );
}
