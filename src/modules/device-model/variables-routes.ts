import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import type { VariablesService } from './variables-service.js';
import type { GetVariableData, SetVariableData, StationLookup } from './types.js';
import { attributeTypeSchema, componentSchema, stationParams, variableSchema } from './schemas.js';

const MAX_ITEMS = 1000;

/** OCPP 2.0.1 device model: B05 SetVariables, B06 GetVariables, B07/B08 reports, the stored model. */
export function registerVariablesRoutes(app: FastifyInstance, deps: { variables: VariablesService; stations: StationLookup }): void {
  const { variables, stations } = deps;

  app.post<{ Params: { id: string }; Body: { getVariableData: GetVariableData[] } }>(
    '/api/v1/stations/:id/get-variables',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['getVariableData'],
          additionalProperties: false,
          properties: {
            getVariableData: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ITEMS,
              items: {
                type: 'object',
                required: ['component', 'variable'],
                additionalProperties: false,
                properties: { component: componentSchema, variable: variableSchema, attributeType: attributeTypeSchema },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return variables.getVariables(tenantId, request.params.id, request.body.getVariableData, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { setVariableData: SetVariableData[] } }>(
    '/api/v1/stations/:id/set-variables',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['setVariableData'],
          additionalProperties: false,
          properties: {
            setVariableData: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ITEMS,
              items: {
                type: 'object',
                required: ['component', 'variable', 'attributeValue'],
                additionalProperties: false,
                properties: {
                  component: componentSchema,
                  variable: variableSchema,
                  attributeType: attributeTypeSchema,
                  attributeValue: { type: 'string', maxLength: 1000 },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return variables.setVariables(tenantId, request.params.id, request.body.setVariableData, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { reportBase: string } }>(
    '/api/v1/stations/:id/get-base-report',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          required: ['reportBase'],
          additionalProperties: false,
          properties: { reportBase: { type: 'string', enum: ['ConfigurationInventory', 'FullInventory', 'SummaryInventory'] } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return variables.getBaseReport(tenantId, request.params.id, request.body.reportBase, requestedBy);
    },
  );

  app.post<{
    Params: { id: string };
    Body: { componentVariable?: { component: GetVariableData['component']; variable?: GetVariableData['variable'] }[]; componentCriteria?: string[] };
  }>(
    '/api/v1/stations/:id/get-report',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            componentVariable: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ITEMS,
              items: {
                type: 'object',
                required: ['component'],
                additionalProperties: false,
                properties: { component: componentSchema, variable: variableSchema },
              },
            },
            componentCriteria: {
              type: 'array',
              minItems: 1,
              maxItems: 4,
              uniqueItems: true,
              items: { type: 'string', enum: ['Active', 'Available', 'Enabled', 'Problem'] },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return variables.getReport(tenantId, request.params.id, request.body ?? {}, requestedBy);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { component?: string; variable?: string } }>(
    '/api/v1/stations/:id/device-model',
    {
      config: { minRole: 'viewer' },
      schema: {
        params: stationParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { component: { type: 'string', minLength: 1, maxLength: 50 }, variable: { type: 'string', minLength: 1, maxLength: 50 } },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.find(tenantId, request.params.id);
      return { items: await variables.deviceModel(tenantId, request.params.id, request.query) };
    },
  );
}
