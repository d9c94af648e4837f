import type { FastifyInstance } from 'fastify';
import { principalOf, siteScopeOf } from '../../platform/principal.js';
import { SITE_SORT } from './site-sort.js';
import type { SitesService } from './service.js';
import type { SiteInput } from './types.js';

const siteBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    address: {
      type: 'object',
      additionalProperties: false,
      properties: {
        street: { type: 'string', maxLength: 255 },
        city: { type: 'string', maxLength: 100 },
        postalCode: { type: 'string', maxLength: 20 },
        country: { type: 'string', pattern: '^[A-Z]{2,3}$' },
      },
    },
    coordinates: {
      type: 'object',
      required: ['latitude', 'longitude'],
      additionalProperties: false,
      properties: { latitude: { type: 'number', minimum: -90, maximum: 90 }, longitude: { type: 'number', minimum: -180, maximum: 180 } },
    },
    timeZone: { type: 'string', minLength: 1 },
    openingHours: {
      type: 'object',
      required: ['twentyfourseven'],
      additionalProperties: false,
      properties: {
        twentyfourseven: { type: 'boolean' },
        regularHours: {
          type: 'array',
          items: {
            type: 'object',
            required: ['weekday', 'periodBegin', 'periodEnd'],
            additionalProperties: false,
            properties: {
              weekday: { type: 'integer', minimum: 1, maximum: 7 },
              periodBegin: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
              periodEnd: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
            },
          },
        },
      },
    },
  },
} as const;

export function registerSiteRoutes(app: FastifyInstance, sites: SitesService): void {
  app.post<{ Body: SiteInput }>(
    '/api/v1/sites',
    { config: { minRole: 'operator' }, schema: { body: { ...siteBody, required: ['name', 'timeZone'] } } },
    async (request, reply) => {
      const site = await sites.create(principalOf(request).tenantId, request.body);
      return reply.status(201).header('Location', `/api/v1/sites/${site.id}`).send(site);
    },
  );
  app.get<{ Querystring: { limit?: number; after?: string; cursor?: string; sort?: string } }>(
    '/api/v1/sites',
    {
      config: { minRole: 'viewer' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, after: { type: 'string' }, cursor: { type: 'string', maxLength: 512 }, sort: SITE_SORT.queryProperty },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return sites.page(principal.tenantId, siteScopeOf(principal), { limit: request.query.limit ?? 100, cursor: request.query.cursor, after: request.query.after, sort: request.query.sort });
    },
  );
  app.get<{ Params: { id: string } }>('/api/v1/sites/:id', { config: { minRole: 'viewer' } }, async (request) =>
    sites.get(principalOf(request).tenantId, request.params.id),
  );
  app.patch<{ Params: { id: string }; Body: Partial<SiteInput> }>(
    '/api/v1/sites/:id',
    { config: { minRole: 'operator' }, schema: { body: { ...siteBody, minProperties: 1 } } },
    async (request) => sites.update(principalOf(request).tenantId, request.params.id, request.body),
  );
}
