import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import type { TransactionsService } from './service.js';
import { SESSION_STATUSES, type SessionQuery, type SessionStatus } from './types.js';
import { sessionsCsv } from './sessions-csv.js';

interface ListQuery {
  stationId?: string;
  idToken?: string;
  status?: SessionStatus;
  from?: string;
  to?: string;
  limit?: number;
  after?: string;
}

const filterProperties = {
  stationId: { type: 'string', minLength: 1, maxLength: 48 },
  idToken: { type: 'string', minLength: 1, maxLength: 255 },
  status: { type: 'string', enum: [...SESSION_STATUSES] },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
} as const;

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, limit: { type: 'integer', minimum: 1, maximum: 500 }, after: { type: 'string', maxLength: 512 } },
} as const;

function toQuery(q: ListQuery, limit: number): SessionQuery {
  return {
    stationId: q.stationId,
    idToken: q.idToken,
    status: q.status,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    limit,
    after: q.after,
  };
}

export function registerTransactionRoutes(app: FastifyInstance, sessions: TransactionsService): void {
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/sessions',
    { config: { minRole: 'viewer' }, schema: { querystring: listQuerySchema } },
    async (request) => sessions.list(principalOf(request).tenantId, toQuery(request.query, request.query.limit ?? 100)),
  );

  app.get<{ Querystring: Omit<ListQuery, 'limit' | 'after'> }>(
    '/api/v1/sessions.csv',
    {
      config: { minRole: 'viewer' },
      schema: { querystring: { type: 'object', additionalProperties: false, properties: filterProperties } },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const csv = await sessionsCsv((after) => sessions.list(tenantId, { ...toQuery(request.query, 500), after }));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sessions.csv"').send(csv);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    {
      config: { minRole: 'viewer' },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } },
    },
    async (request) => sessions.get(principalOf(request).tenantId, request.params.id),
  );
}
