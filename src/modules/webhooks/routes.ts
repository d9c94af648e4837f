import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import type { WebhooksService } from './service.js';
import { DELIVERY_SORT, SUBSCRIPTION_SORT } from './webhook-sort.js';
import type { DeliveryStatus, SubscriptionInput, SubscriptionPatch } from './types.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const eventTypes = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: { type: 'string', pattern: '^(\\*|[A-Za-z][A-Za-z0-9]{0,63})$' },
  description: 'Domain event types such as "TransactionEnded", or "*" for every event.',
} as const;
const filters = {
  type: 'object',
  additionalProperties: false,
  properties: { stationId: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 48 } } },
} as const;
const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;

export function registerWebhookRoutes(app: FastifyInstance, webhooks: WebhooksService): void {
  const tags = ['webhooks'];

  app.post<{ Body: SubscriptionInput }>(
    '/api/v1/webhooks',
    {
      config: { minRole: 'admin' },
      schema: {
        summary: 'Subscribe a URL to domain events; the answer carries the signing secret, shown only this once',
        tags,
        body: {
          type: 'object',
          required: ['url', 'eventTypes'],
          additionalProperties: false,
          properties: { url, eventTypes, filters, description: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(principalOf(request).tenantId, request.body);
      return reply.status(201).header('Location', `/api/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/webhooks',
    {
      config: { minRole: 'admin' },
      schema: {
        summary: 'List webhook subscriptions',
        tags,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: SUBSCRIPTION_SORT.queryProperty } },
      },
    },
    async (request) => webhooks.list(principalOf(request).tenantId, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    { config: { minRole: 'admin' }, schema: { summary: 'One webhook subscription', tags, params: idParams } },
    async (request) => webhooks.get(principalOf(request).tenantId, request.params.id),
  );

  app.patch<{ Params: { id: string }; Body: SubscriptionPatch }>(
    '/api/v1/webhooks/:id',
    {
      config: { minRole: 'admin' },
      schema: {
        summary: 'Change a webhook subscription (URL, event types, filters, enabled)',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            url,
            eventTypes,
            filters: { anyOf: [filters, { type: 'null' }] },
            description: { type: ['string', 'null'], maxLength: 500 },
            enabled: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => webhooks.update(principalOf(request).tenantId, request.params.id, request.body),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    { config: { minRole: 'admin' }, schema: { summary: 'Delete a webhook subscription and its delivery log', tags, params: idParams } },
    async (request, reply) => {
      await webhooks.remove(principalOf(request).tenantId, request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; sort?: string; status?: DeliveryStatus } }>(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { minRole: 'admin' },
      schema: {
        summary: 'Delivery log of one subscription, newest first unless sorted',
        tags,
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQueryProperties, sort: DELIVERY_SORT.queryProperty, status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] } },
        },
      },
    },
    async (request) =>
      webhooks.deliveries(principalOf(request).tenantId, request.params.id, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id/test',
    {
      config: { minRole: 'admin' },
      schema: { summary: 'Send a WebhookTest event to this subscription now and answer with the delivery', tags, params: idParams },
    },
    async (request) => webhooks.sendTest(principalOf(request).tenantId, request.params.id),
  );
}
