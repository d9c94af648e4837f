import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import type { RequestedBy } from '../../platform/requester.js';
import type { CommandHistory } from './history.js';
import type { CustomerInformationReports } from './customer-information.js';
import type { LocalListService } from './local-list.js';
import { COMMAND_SORT, CUSTOMER_INFORMATION_SORT } from './command-sort.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import type { RemoteCommands } from './remote-commands.js';

export interface CommandRoutesDeps {
  history: CommandHistory;
  remote: RemoteCommands;
  localLists: LocalListService;
  customerInformation: CustomerInformationReports;
  /** Throws NotFound for a station the tenant does not have. */
  stations: { get(tenantId: string, id: string): Promise<unknown> };
}

const stationParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 48 } } } as const;
const evseId = { type: 'integer', minimum: 1 } as const;
const connectorId = { type: 'integer', minimum: 1 } as const;
const waitSeconds = { type: 'number', minimum: 0, maximum: 120 } as const;
const priority = { type: 'string', enum: ['AlwaysFront', 'InFront', 'NormalCycle'] } as const;
const state = { type: 'string', enum: ['Charging', 'Faulted', 'Idle', 'Unavailable'] } as const;

function body(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, required, properties } as const;
}

type P = { Params: { id: string } };

/**
 * Typed remote commands, the command history and local lists under /api/v1/stations/{id}. Each
 * command answers with the message sent (in the station's version) and the station's reply.
 */
export function registerCommandRoutes(app: FastifyInstance, deps: CommandRoutesDeps): void {
  const { remote, stations } = deps;

  /** Resolves the tenant, checks the station exists, then runs the command on behalf of the principal (the command history's requestedBy). */
  function command<B>(path: string, schema: Record<string, unknown> | undefined, run: (tenantId: string, id: string, body: B, requestedBy: RequestedBy) => Promise<unknown>) {
    app.post<P & { Body: B }>(
      `/api/v1/stations/:id/${path}`,
      { config: { minRole: 'operator' }, schema: { params: stationParams, ...(schema ? { body: schema } : {}) } },
      async (request) => {
        const { tenantId, id: requestedBy } = principalOf(request);
        await stations.get(tenantId, request.params.id);
        return run(tenantId, request.params.id, (request.body ?? {}) as B, requestedBy);
      },
    );
  }

  app.get<P & { Querystring: { limit?: number; cursor?: string; before?: string; sort?: string; action?: string } }>(
    '/api/v1/stations/:id/commands',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            cursor: { type: 'string', maxLength: 512 },
            before: { type: 'string', maxLength: 512, description: 'The older name of cursor; also takes a record id.' },
            sort: COMMAND_SORT.queryProperty,
            action: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$' },
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      return deps.history.list(tenantId, request.params.id, { ...request.query, limit: request.query.limit ?? 100 });
    },
  );

  command<{ type: 'Immediate' | 'OnIdle' | 'Hard' | 'Soft'; evseId?: number }>(
    'reset',
    body({ type: { type: 'string', enum: ['Immediate', 'OnIdle', 'Hard', 'Soft'] }, evseId }, ['type']),
    (tenantId, id, b, by) => remote.reset(tenantId, id, b, by),
  );
  command<{ evseId: number; connectorId?: number }>('unlock', body({ evseId, connectorId }, ['evseId']), (tenantId, id, b, by) => remote.unlock(tenantId, id, b, by));
  command<{ operationalStatus: 'Operative' | 'Inoperative'; evseId?: number; connectorId?: number }>(
    'availability',
    body({ operationalStatus: { type: 'string', enum: ['Operative', 'Inoperative'] }, evseId, connectorId }, ['operationalStatus']),
    async (tenantId, id, b, by) => {
      const outcome = await remote.changeAvailability(tenantId, id, { operative: b.operationalStatus === 'Operative', evseId: b.evseId, connectorId: b.connectorId }, by);
      // 1.6 §5.2 / G03.FR.05: Scheduled means a transaction runs; the change follows when it ends.
      return { ...outcome, scheduled: outcome.status === 'Scheduled' };
    },
  );
  command<{ requestedMessage: string; evseId?: number; connectorId?: number; extended?: boolean }>(
    'trigger',
    body({ requestedMessage: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$' }, evseId, connectorId, extended: { type: 'boolean' } }, ['requestedMessage']),
    (tenantId, id, b, by) => remote.trigger(tenantId, id, b, by),
  );
  command('clear-cache', undefined, (tenantId, id, _b, by) => remote.clearCache(tenantId, id, by));
  command<{ vendorId: string; messageId?: string; data?: unknown }>(
    'data-transfer',
    body({ vendorId: { type: 'string', minLength: 1, maxLength: 255 }, messageId: { type: 'string', minLength: 1, maxLength: 50 }, data: {} }, ['vendorId']),
    (tenantId, id, b, by) => remote.dataTransfer(tenantId, id, b, by),
  );

  command<{ message: Record<string, unknown> }>(
    'display-messages',
    body({ message: { type: 'object' } }, ['message']),
    (tenantId, id, b, by) => remote.setDisplayMessage(tenantId, id, b.message, by),
  );
  app.get<P & { Querystring: { id?: number[]; priority?: string; state?: string; waitSeconds?: number } }>(
    '/api/v1/stations/:id/display-messages',
    {
      config: { minRole: 'operator' },
      schema: {
        params: stationParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { id: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 100 }, priority, state, waitSeconds },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      const q = request.query;
      return remote.getDisplayMessages(tenantId, request.params.id, { ids: q.id, priority: q.priority, state: q.state }, Math.round((q.waitSeconds ?? 30) * 1000), requestedBy);
    },
  );
  app.delete<{ Params: { id: string; messageId: number } }>(
    '/api/v1/stations/:id/display-messages/:messageId',
    {
      config: { minRole: 'operator' },
      schema: { params: { type: 'object', required: ['id', 'messageId'], properties: { id: stationParams.properties.id, messageId: { type: 'integer', minimum: 0 } } } },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      return remote.clearDisplayMessage(tenantId, request.params.id, request.params.messageId, requestedBy);
    },
  );

  command<{ report: boolean; clear: boolean; customerIdentifier?: string; idToken?: { idToken: string; type: string }; customerCertificate?: Record<string, unknown>; waitSeconds?: number }>(
    'customer-information',
    body(
      {
        report: { type: 'boolean' },
        clear: { type: 'boolean' },
        customerIdentifier: { type: 'string', minLength: 1, maxLength: 64 },
        idToken: body({ idToken: { type: 'string', minLength: 1, maxLength: 36 }, type: { type: 'string', minLength: 1 } }, ['idToken', 'type']),
        customerCertificate: { type: 'object' },
        waitSeconds,
      },
      ['report', 'clear'],
    ),
    async (tenantId, id, b, by) => {
      const { waitSeconds: wait, ...command } = b;
      const outcome = await remote.customerInformation(tenantId, id, command, Math.round((wait ?? 30) * 1000), by);
      return { ...outcome, report: (await deps.customerInformation.get(tenantId, id, outcome.requestId)) ?? null };
    },
  );
  app.get<P & { Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/stations/:id/customer-information',
    {
      config: { minRole: 'operator' },
      schema: { params: stationParams, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: CUSTOMER_INFORMATION_SORT.queryProperty } } },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      return deps.customerInformation.list(tenantId, request.params.id, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT });
    },
  );

  command<{ mode?: 'full' | 'differential'; itemsPerMessage?: number; maxEntries?: number }>(
    'local-list/sync',
    body({ mode: { type: 'string', enum: ['full', 'differential'] }, itemsPerMessage: { type: 'integer', minimum: 1 }, maxEntries: { type: 'integer', minimum: 0 } }),
    (tenantId, id, b, by) => {
      const given = b.itemsPerMessage !== undefined || b.maxEntries !== undefined;
      const limits = given ? { itemsPerMessage: b.itemsPerMessage, maxEntries: b.maxEntries } : undefined;
      return deps.localLists.sync(tenantId, id, { mode: b.mode ?? 'differential', limits, requestedBy: by });
    },
  );
  app.get<P & { Querystring: { refresh?: boolean } }>(
    '/api/v1/stations/:id/local-list',
    {
      config: { minRole: 'support' },
      schema: { params: stationParams, querystring: { type: 'object', additionalProperties: false, properties: { refresh: { type: 'boolean' } } } },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      if (request.query.refresh) return deps.localLists.refreshVersion(tenantId, request.params.id, requestedBy);
      return deps.localLists.state(tenantId, request.params.id);
    },
  );
}
