import type { FastifyInstance } from 'fastify';
import { principalOf, driverTokensOf, stationScopeOf, type Principal } from '../../platform/principal.js';
import { DomainError } from '../../platform/errors.js';
import type { TransactionsService } from './service.js';
import { SESSION_STATUSES, type SessionQuery, type SessionStatus } from './types.js';
import { sessionsCsv } from './sessions-csv.js';
import { SESSION_SORT } from './session-sort.js';

interface ListQuery {
  stationId?: string;
  idToken?: string;
  status?: SessionStatus;
  from?: string;
  to?: string;
  sort?: string;
  limit?: number;
  after?: string;
  cursor?: string;
}

const filterProperties = {
  stationId: { type: 'string', minLength: 1, maxLength: 48 },
  idToken: { type: 'string', minLength: 1, maxLength: 255 },
  status: { type: 'string', enum: [...SESSION_STATUSES] },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  sort: SESSION_SORT.queryProperty,
} as const;

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, limit: { type: 'integer', minimum: 1, maximum: 500 }, after: { type: 'string', maxLength: 512 }, cursor: { type: 'string', maxLength: 512 } },
} as const;

/** Sessions a caller may see: a site-scoped user's stations, a driver's own tokens (ADR 021). */
function scoped(principal: Principal, query: SessionQuery): SessionQuery {
  return { ...query, stationIds: stationScopeOf(principal), idTokens: driverTokensOf(principal) };
}

function toQuery(q: ListQuery, limit: number): SessionQuery {
  return {
    stationId: q.stationId,
    idToken: q.idToken,
    status: q.status,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    limit,
    cursor: q.cursor,
    after: q.after,
    sort: q.sort,
  };
}

export function registerTransactionRoutes(app: FastifyInstance, sessions: TransactionsService): void {
  app.get<{ Querystring: ListQuery }>(
    '/api/v1/sessions',
    { config: { minRole: 'viewer', driver: 'own' }, schema: { querystring: listQuerySchema } },
    async (request) => {
      const principal = principalOf(request);
      return sessions.list(principal.tenantId, scoped(principal, toQuery(request.query, request.query.limit ?? 100)));
    },
  );

  app.get<{ Querystring: Omit<ListQuery, 'limit' | 'after' | 'cursor'> }>(
    '/api/v1/sessions.csv',
    {
      config: { minRole: 'viewer', driver: 'own' },
      schema: { querystring: { type: 'object', additionalProperties: false, properties: filterProperties } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const csv = await sessionsCsv((after) => sessions.list(principal.tenantId, scoped(principal, { ...toQuery(request.query, 500), after })));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sessions.csv"').send(csv);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    {
      config: { minRole: 'viewer', driver: 'own' },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } },
    },
    async (request) => {
      const principal = principalOf(request);
      const session = await sessions.get(principal.tenantId, request.params.id);
      const stations = stationScopeOf(principal);
      const tokens = driverTokensOf(principal)?.map((t) => t.toUpperCase());
      // Someone else's session looks the same as one that does not exist.
      if ((stations && !stations.includes(session.stationId)) || (tokens && !tokens.includes((session.idToken ?? '').toUpperCase()))) {
        throw new DomainError('NotFound', `session ${request.params.id} not found`);
      }
      return session;
    },
  );
}
