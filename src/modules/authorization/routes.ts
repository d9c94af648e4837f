import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { TOKEN_SORT } from './token-sort.js';
import { DomainError } from '../../platform/errors.js';
import type { AuthorizationService } from './service.js';
import { ID_TOKEN_STATUSES, ID_TOKEN_TYPES, type CreateTokenInput, type IdTokenStatus, type IdTokenType, type UpdateTokenInput } from './types.js';

/** A token list of a few hundred thousand lines fits; the JSON API keeps its 1 MB limit. */
const CSV_BODY_LIMIT = 16 * 1024 * 1024;

const tokenFields = {
  status: { type: 'string', enum: ID_TOKEN_STATUSES },
  groupId: { type: ['string', 'null'], minLength: 1, maxLength: 36 },
  expiresAt: { type: ['string', 'null'], minLength: 1 },
  driverId: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
  masterPass: { type: 'boolean' },
  allowConcurrent: { type: 'boolean' },
  evseRestrictions: {
    type: ['array', 'null'],
    maxItems: 1000,
    items: {
      type: 'object',
      required: ['stationId'],
      additionalProperties: false,
      properties: { stationId: { type: 'string', minLength: 1, maxLength: 48 }, evseId: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;

interface ListQuery {
  limit?: number;
  after?: string;
  cursor?: string;
  sort?: string;
  uid?: string;
  type?: IdTokenType;
  status?: IdTokenStatus;
  groupId?: string;
  driverId?: string;
}

export function registerTokenRoutes(app: FastifyInstance, authorization: AuthorizationService): void {
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT }, async (_request: unknown, body: string | Buffer) => body.toString());
  }

  app.post<{ Body: CreateTokenInput }>(
    '/api/v1/tokens',
    {
      config: { minRole: 'operator' },
      schema: {
        body: {
          type: 'object',
          required: ['uid', 'type'],
          additionalProperties: false,
          properties: { uid: { type: 'string', minLength: 1, maxLength: 36 }, type: { type: 'string', enum: ID_TOKEN_TYPES }, ...tokenFields },
        },
      },
    },
    async (request, reply) => {
      const token = await authorization.create(principalOf(request).tenantId, request.body);
      return reply.status(201).header('Location', `/api/v1/tokens/${token.id}`).send(token);
    },
  );

  app.post<{ Body: string }>(
    '/api/v1/tokens/import',
    { config: { minRole: 'operator' }, bodyLimit: CSV_BODY_LIMIT, schema: { body: { type: 'string' } } },
    async (request) => authorization.importCsv(principalOf(request).tenantId, request.body),
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/tokens',
    {
      config: { minRole: 'viewer', driver: 'own' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            after: { type: 'string', maxLength: 512 },
            cursor: { type: 'string', maxLength: 512 },
            sort: TOKEN_SORT.queryProperty,
            uid: { type: 'string', minLength: 1 },
            type: { type: 'string', enum: ID_TOKEN_TYPES },
            status: { type: 'string', enum: ID_TOKEN_STATUSES },
            groupId: { type: 'string', minLength: 1 },
            driverId: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    async (request) => {
      const { limit = 100, cursor, after, sort, ...filter } = request.query;
      const principal = principalOf(request);
      // A driver sees only the tokens linked to their account (ADR 021).
      if (principal.kind === 'driver') filter.driverId = principal.driver?.id ?? '';
      return authorization.page(principal.tenantId, filter, { limit, cursor, after, sort });
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/tokens/:id', { config: { minRole: 'viewer', driver: 'own' }, schema: { params: idParams } }, async (request) => {
    const principal = principalOf(request);
    const token = await authorization.get(principal.tenantId, request.params.id);
    if (principal.kind === 'driver' && token.driverId !== principal.driver?.id) throw new DomainError('NotFound', `token ${request.params.id} not found`);
    return token;
  });

  app.patch<{ Params: { id: string }; Body: UpdateTokenInput }>(
    '/api/v1/tokens/:id',
    {
      config: { minRole: 'operator' },
      schema: { params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: tokenFields } },
    },
    async (request) => authorization.update(principalOf(request).tenantId, request.params.id, request.body),
  );

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', { config: { minRole: 'operator' }, schema: { params: idParams } }, async (request, reply) => {
    await authorization.remove(principalOf(request).tenantId, request.params.id);
    return reply.status(204).send();
  });
}
