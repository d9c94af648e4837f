import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import { DomainError } from '../../platform/errors.js';
import type { AuditService } from './service.js';
import { AUDIT_SORT } from './audit-sort.js';

interface AuditQuerystring {
  limit?: number;
  cursor?: string;
  sort?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

export function registerAuditRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get<{ Querystring: AuditQuerystring }>(
    '/api/v1/audit',
    {
      config: { minRole: 'admin' },
      schema: {
        summary: 'Audit log of API mutations, newest first unless sorted',
        tags: ['audit'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            sort: AUDIT_SORT.queryProperty,
            actor: { type: 'string', maxLength: 200, description: 'Principal id or name.' },
            action: { type: 'string', maxLength: 200, description: 'Part of "METHOD /route", e.g. "POST /api/v1/stations".' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const q = request.query;
      const from = q.from ? new Date(q.from) : undefined;
      const to = q.to ? new Date(q.to) : undefined;
      if (from && to && from > to) throw new DomainError('InvalidInput', 'from is after to', { field: 'from' });
      return audit.list(tenantId, { limit: q.limit ?? DEFAULT_LIMIT, cursor: q.cursor, sort: q.sort, actor: q.actor, action: q.action, from, to });
    },
  );
}
