import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { DomainError, isDomainError } from '../../platform/errors.js';
import type { TemplatesService } from './templates-service.js';
import type { DesiredSetting, StationLookup, TemplateVersion } from './types.js';
import { keyValueSetting, stationParams, variableSetting } from './schemas.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import { TEMPLATE_SORT } from './template-sort.js';

const templateParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const settingsSchema = { type: 'array', maxItems: 500, items: { anyOf: [keyValueSetting, variableSetting] } } as const;

/** Desired configuration templates per station group, assignments, and drift per station. */
export function registerTemplateRoutes(app: FastifyInstance, deps: { templates: TemplatesService; stations: StationLookup; sites: { exists(tenantId: string, siteId: string): Promise<boolean> } }): void {
  const { templates, stations, sites } = deps;

  app.post<{ Body: { name: string; ocppVersion: TemplateVersion; settings: DesiredSetting[] } }>(
    '/api/v1/configuration-templates',
    {
      config: { minRole: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['name', 'ocppVersion', 'settings'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, ocppVersion: { type: 'string', enum: ['1.6', '2.0.1'] }, settings: settingsSchema },
        },
      },
    },
    async (request, reply) => {
      const template = await templates.create(principalOf(request).tenantId, request.body);
      return reply.status(201).header('Location', `/api/v1/configuration-templates/${template.id}`).send(template);
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/configuration-templates',
    { config: { minRole: 'viewer' }, schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: TEMPLATE_SORT.queryProperty } } } },
    async (request) => templates.list(principalOf(request).tenantId, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/configuration-templates/:id',
    { config: { minRole: 'viewer' }, schema: { params: templateParams } },
    async (request) => templates.get(principalOf(request).tenantId, request.params.id),
  );

  app.put<{ Params: { id: string }; Body: { settings: DesiredSetting[] } }>(
    '/api/v1/configuration-templates/:id/settings',
    {
      config: { minRole: 'admin' },
      schema: {
        params: templateParams,
        body: { type: 'object', required: ['settings'], additionalProperties: false, properties: { settings: settingsSchema } },
      },
    },
    async (request) => templates.updateSettings(principalOf(request).tenantId, request.params.id, request.body.settings),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/configuration-templates/:id',
    { config: { minRole: 'admin' }, schema: { params: templateParams } },
    async (request, reply) => {
      await templates.remove(principalOf(request).tenantId, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { stationIds?: string[]; siteIds?: string[] } }>(
    '/api/v1/configuration-templates/:id/assignments',
    {
      config: { minRole: 'admin' },
      schema: {
        params: templateParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            stationIds: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 48 } },
            siteIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      for (const [i, stationId] of (request.body.stationIds ?? []).entries()) {
        await stations.find(tenantId, stationId).catch((err: unknown) => {
          throw isDomainError(err, 'NotFound') ? new DomainError('InvalidInput', `station ${stationId} does not exist`, { field: `stationIds[${i}]` }) : err;
        });
      }
      for (const [i, siteId] of (request.body.siteIds ?? []).entries()) {
        if (!(await sites.exists(tenantId, siteId))) throw new DomainError('InvalidInput', `site ${siteId} does not exist`, { field: `siteIds[${i}]` });
      }
      return templates.assign(tenantId, request.params.id, request.body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/stations/:id/configuration-drift',
    { config: { minRole: 'viewer' }, schema: { params: stationParams } },
    async (request) => {
      const { tenantId } = principalOf(request);
      // 404 for a station of another tenant, before anything about it is looked up.
      await stations.find(tenantId, request.params.id);
      return templates.drift(tenantId, request.params.id);
    },
  );
}
