import type { FastifyInstance } from 'fastify';
import { principalOf, stationScopeOf } from '../../platform/principal.js';
import { DomainError } from '../../platform/errors.js';
import type { StationsService } from './service.js';
import type { FrameArchive } from './frame-archive.js';
import type { SiteLookup, StationCommands, StationView } from './types.js';
import { mapPage } from '../../platform/list-sort.js';
import { SECURITY_EVENT_SORT, STATION_SORT } from './station-sort.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';

export interface StationRoutesDeps {
  stations: StationsService;
  commands: StationCommands;
  sites: SiteLookup;
  /** Present when the server archives frames (--persist-frames). */
  frameArchive?: FrameArchive | undefined;
}

const bootStatus = { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] } as const;
const ocppVersion = { type: 'string', enum: ['1.6', '2.0.1', '2.1'] } as const;
const stationIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 48 } },
} as const;

export function registerStationRoutes(app: FastifyInstance, deps: StationRoutesDeps): void {
  const { stations, commands, sites, frameArchive } = deps;
  const present = (view: StationView): StationView => ({ ...view, online: commands.isConnected(view.id) || view.online });

  async function checkSite(tenantId: string, siteId: string | null | undefined): Promise<void> {
    if (siteId && !(await sites.exists(tenantId, siteId))) {
      throw new DomainError('InvalidInput', `site ${siteId} does not exist`, { field: 'siteId' });
    }
  }

  app.post<{
    Body: { id: string; password?: string; ocppVersion?: '1.6' | '2.0.1' | '2.1'; securityProfile?: 0 | 1 | 2 | 3; siteId?: string; bootPolicy?: 'Accepted' | 'Pending' | 'Rejected' };
  }>(
    '/api/v1/stations',
    {
      config: { minRole: 'operator' },
      schema: {
        body: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 48 },
            password: { type: 'string', minLength: 16, maxLength: 64 },
            ocppVersion,
            securityProfile: { type: 'integer', enum: [0, 1, 2, 3] },
            siteId: { type: 'string' },
            bootPolicy: bootStatus,
          },
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      await checkSite(tenantId, request.body.siteId);
      const view = await stations.register(tenantId, request.body);
      return reply.status(201).header('Location', `/api/v1/stations/${encodeURIComponent(view.id)}`).send(present(view));
    },
  );

  app.get<{ Querystring: { limit?: number; after?: string; cursor?: string; siteId?: string; sort?: string } }>(
    '/api/v1/stations',
    {
      config: { minRole: 'viewer' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            after: { type: 'string' },
            cursor: { type: 'string', maxLength: 512 },
            siteId: { type: 'string' },
            sort: STATION_SORT.queryProperty,
          },
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const limit = request.query.limit ?? 100;
      const page = await stations.page(principal.tenantId, { siteId: request.query.siteId, ids: stationScopeOf(principal) }, { limit, cursor: request.query.cursor, after: request.query.after, sort: request.query.sort });
      return mapPage(page, present);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/stations/:id',
    { config: { minRole: 'viewer' }, schema: { params: stationIdParams } },
    async (request) => present(await stations.get(principalOf(request).tenantId, request.params.id)),
  );

  app.patch<{
    Params: { id: string };
    Body: { password?: string; securityProfile?: 0 | 1 | 2 | 3; siteId?: string | null; bootPolicy?: 'Accepted' | 'Pending' | 'Rejected'; ocppVersion?: '1.6' | '2.0.1' | '2.1' | null };
  }>(
    '/api/v1/stations/:id',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            password: { type: 'string', minLength: 16, maxLength: 64 },
            securityProfile: { type: 'integer', enum: [0, 1, 2, 3] },
            siteId: { type: ['string', 'null'] },
            bootPolicy: bootStatus,
            ocppVersion: { type: ['string', 'null'], enum: ['1.6', '2.0.1', '2.1', null] },
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await checkSite(tenantId, request.body.siteId);
      return present(await stations.update(tenantId, request.params.id, request.body));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { source?: 'recent' | 'archive'; limit?: number; before?: string } }>(
    '/api/v1/stations/:id/messages',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            source: { type: 'string', enum: ['recent', 'archive'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            before: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      if (request.query.source !== 'archive') return { items: commands.frames(request.params.id) };
      if (!frameArchive) throw new DomainError('Conflict', 'frames are not archived on this server; start it with --persist-frames');
      const before = request.query.before ? new Date(request.query.before) : undefined;
      return { items: await frameArchive.list(tenantId, request.params.id, { limit: request.query.limit ?? 100, before }) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/stations/:id/security-events',
    {
      config: { minRole: 'support' },
      schema: { params: stationIdParams, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: SECURITY_EVENT_SORT.queryProperty } } },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      const page = await stations.searchSecurityEvents(tenantId, { ...request.query, stationId: request.params.id, limit: request.query.limit ?? DEFAULT_LIMIT });
      // One station's events: the station id is in the path, as the answer had it before.
      return mapPage(page, ({ stationId: _stationId, ...event }) => event);
    },
  );

  app.post<{ Params: { id: string; action: string }; Body: Record<string, unknown>; Querystring: { timeoutMs?: number } }>(
    '/api/v1/stations/:id/ocpp/:action',
    {
      config: { minRole: 'operator' },
      schema: {
        params: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 48 }, action: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$' } },
        },
        querystring: { type: 'object', additionalProperties: false, properties: { timeoutMs: { type: 'integer', minimum: 100, maximum: 600000 } } },
        body: { type: 'object' },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      const response = await commands.send(tenantId, request.params.id, request.params.action, request.body ?? {}, { requestedBy, timeoutMs: request.query.timeoutMs });
      return { action: request.params.action, response };
    },
  );
}
