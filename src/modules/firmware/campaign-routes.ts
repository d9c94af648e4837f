import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../platform/errors.js';
import { principalOf } from '../../platform/principal.js';
import type { FirmwareCampaigns } from './campaigns.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import { CAMPAIGN_SORT } from './firmware-sort.js';
import type { StationDirectory } from './types.js';

interface CreateBody {
  imageId: string;
  stationIds?: string[];
  siteId?: string;
  canarySize?: number;
  batchSize?: number;
  failureThresholdPercent?: number;
  installTimeoutS?: number;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** POST /api/v1/firmware-campaigns, GET one or all, and pause / resume / cancel. */
export function registerCampaignRoutes(app: FastifyInstance, deps: { campaigns: FirmwareCampaigns; stations: StationDirectory }): void {
  const { campaigns, stations } = deps;

  app.post<{ Body: CreateBody }>(
    '/api/v1/firmware-campaigns',
    {
      config: { minRole: 'operator' },
      schema: {
        body: {
          type: 'object',
          required: ['imageId'],
          additionalProperties: false,
          properties: {
            imageId: { type: 'string', minLength: 1, maxLength: 64 },
            stationIds: { type: 'array', minItems: 1, maxItems: 100000, items: { type: 'string', minLength: 1, maxLength: 48 } },
            siteId: { type: 'string', minLength: 1 },
            canarySize: { type: 'integer', minimum: 0, maximum: 10000 },
            batchSize: { type: 'integer', minimum: 1, maximum: 100000 },
            failureThresholdPercent: { type: 'integer', minimum: 0, maximum: 100 },
            installTimeoutS: { type: 'integer', minimum: 60, maximum: 7 * 86400 },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      const body = request.body;
      if ((body.stationIds === undefined) === (body.siteId === undefined)) {
        throw new DomainError('InvalidInput', 'give exactly one of stationIds or siteId', { field: body.stationIds ? 'siteId' : 'stationIds' });
      }
      let stationIds = body.stationIds ?? [];
      if (body.siteId !== undefined) {
        stationIds = await stations.idsAtSite(tenantId, body.siteId);
        if (stationIds.length === 0) throw new DomainError('InvalidInput', `site ${body.siteId} has no stations`, { field: 'siteId' });
      } else {
        for (const [index, id] of stationIds.entries()) {
          await stations.get(tenantId, id).catch(() => {
            throw new DomainError('InvalidInput', `station ${id} does not exist`, { field: `stationIds.${index}` });
          });
        }
      }
      const view = await campaigns.create(tenantId, {
        imageId: body.imageId,
        stationIds,
        canarySize: body.canarySize ?? 1,
        batchSize: body.batchSize ?? 10,
        failureThresholdPercent: body.failureThresholdPercent ?? 10,
        installTimeoutS: body.installTimeoutS ?? 3600,
      }, requestedBy);
      return reply.status(201).header('Location', `/api/v1/firmware-campaigns/${view.id}`).send(view);
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/firmware-campaigns',
    { config: { minRole: 'viewer' }, schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: CAMPAIGN_SORT.queryProperty } } } },
    async (request) => campaigns.list(principalOf(request).tenantId, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get<{ Params: { id: string } }>('/api/v1/firmware-campaigns/:id', { config: { minRole: 'viewer' }, schema: { params: idParams } }, async (request) =>
    campaigns.get(principalOf(request).tenantId, request.params.id),
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/v1/firmware-campaigns/:id/${action}`,
      { config: { minRole: 'operator' }, schema: { params: idParams } },
      async (request) => {
        const { tenantId, id: requestedBy } = principalOf(request);
        // Resuming sends the updates now due: on behalf of whoever resumed.
        return action === 'resume' ? campaigns.resume(tenantId, request.params.id, requestedBy) : campaigns[action](tenantId, request.params.id);
      },
    );
  }
}
