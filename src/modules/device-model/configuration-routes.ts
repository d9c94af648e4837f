import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import type { ConfigurationService } from './configuration-service.js';
import { stationParams } from './schemas.js';
import type { StationLookup } from './types.js';

/** OCPP 1.6 configuration: §5.8 GetConfiguration, §5.4 ChangeConfiguration, and the stored keys. */
export function registerConfigurationRoutes(app: FastifyInstance, deps: { configuration: ConfigurationService; stations: StationLookup }): void {
  const { configuration, stations } = deps;
  app.post<{ Params: { id: string }; Body: { key?: string[] } }>(
    '/api/v1/stations/:id/get-configuration',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { key: { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 50 } } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return configuration.get(tenantId, request.params.id, request.body?.key ?? [], requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { key: string; value: string } }>(
    '/api/v1/stations/:id/change-configuration',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['key', 'value'],
          additionalProperties: false,
          properties: { key: { type: 'string', minLength: 1, maxLength: 50 }, value: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return configuration.change(tenantId, request.params.id, request.body.key, request.body.value, requestedBy);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/stations/:id/configuration',
    { config: { minRole: 'viewer' }, schema: { params: stationParams } },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.find(tenantId, request.params.id);
      return { items: await configuration.stored(tenantId, request.params.id) };
    },
  );
}
