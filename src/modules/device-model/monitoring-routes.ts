import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import type { MonitoringService, SetMonitoringData } from './monitoring-service.js';
import type { StationLookup } from './types.js';
import { componentSchema, stationParams, variableSchema } from './schemas.js';
import { pageQueryProperties } from '../../platform/pagination.js';
import { DEVICE_EVENT_SORT } from './device-event-sort.js';

const monitorType = { type: 'string', enum: ['UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic', 'PeriodicClockAligned'] } as const;

/** OCPP 2.0.1 monitoring (N02–N06) and the NotifyEvent log (N07/N08). */
export function registerMonitoringRoutes(app: FastifyInstance, deps: { monitoring: MonitoringService; stations: StationLookup }): void {
  const { monitoring, stations } = deps;

  app.post<{ Params: { id: string }; Body: { setMonitoringData: SetMonitoringData[] } }>(
    '/api/v1/stations/:id/set-variable-monitoring',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['setMonitoringData'],
          additionalProperties: false,
          properties: {
            setMonitoringData: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              items: {
                type: 'object',
                required: ['value', 'type', 'severity', 'component', 'variable'],
                additionalProperties: false,
                properties: {
                  id: { type: 'integer' },
                  transaction: { type: 'boolean' },
                  value: { type: 'number' },
                  type: monitorType,
                  severity: { type: 'integer', minimum: 0, maximum: 9 },
                  component: componentSchema,
                  variable: variableSchema,
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return monitoring.setVariableMonitoring(tenantId, request.params.id, request.body.setMonitoringData, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { id: number[] } }>(
    '/api/v1/stations/:id/clear-variable-monitoring',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer' } } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return monitoring.clearVariableMonitoring(tenantId, request.params.id, request.body.id, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { monitoringBase: string } }>(
    '/api/v1/stations/:id/set-monitoring-base',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['monitoringBase'],
          additionalProperties: false,
          properties: { monitoringBase: { type: 'string', enum: ['All', 'FactoryDefault', 'HardWiredOnly'] } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return monitoring.setMonitoringBase(tenantId, request.params.id, request.body.monitoringBase, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { severity: number } }>(
    '/api/v1/stations/:id/set-monitoring-level',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['severity'],
          additionalProperties: false,
          properties: { severity: { type: 'integer', minimum: 0, maximum: 9 } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return monitoring.setMonitoringLevel(tenantId, request.params.id, request.body.severity, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { monitoringCriteria?: string[]; componentVariable?: unknown[] } }>(
    '/api/v1/stations/:id/get-monitoring-report',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            monitoringCriteria: {
              type: 'array',
              minItems: 1,
              maxItems: 3,
              uniqueItems: true,
              items: { type: 'string', enum: ['ThresholdMonitoring', 'DeltaMonitoring', 'PeriodicMonitoring'] },
            },
            componentVariable: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              items: { type: 'object', required: ['component'], additionalProperties: false, properties: { component: componentSchema, variable: variableSchema } },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return monitoring.getMonitoringReport(tenantId, request.params.id, request.body ?? {}, requestedBy);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/stations/:id/monitors',
    { config: { minRole: 'viewer' }, schema: { params: stationParams } },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.find(tenantId, request.params.id);
      return { items: await monitoring.monitors(tenantId, request.params.id) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; before?: number; sort?: string } }>(
    '/api/v1/stations/:id/events',
    {
      config: { minRole: 'viewer' },
      schema: {
        params: stationParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            before: { type: 'integer', minimum: 1, description: 'The older cursor: list the records before this id (default sort).' },
            sort: DEVICE_EVENT_SORT.queryProperty,
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.find(tenantId, request.params.id);
      const { before, ...query } = request.query;
      const page = await monitoring.events(tenantId, request.params.id, { ...query, limit: query.limit ?? 100, after: before?.toString(), afterName: 'before' });
      // `next`: the older cursor (the last id, for before=) that callers of the default order still use.
      const last = page.items[page.items.length - 1];
      return { ...page, next: page.nextCursor !== null && query.sort === undefined && last ? last.id : null };
    },
  );
}
