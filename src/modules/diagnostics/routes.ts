import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../platform/errors.js';
import { principalOf } from '../../platform/principal.js';
import { acceptRawBodies, attachmentDisposition, readUploadedBody } from '../../platform/raw-body.js';
import type { StationDirectory } from '../firmware/index.js';
import type { DiagnosticsService } from './service.js';
import { LOG_FILES_PREFIX } from './service.js';
import type { LogType } from './types.js';
import { pageQueryProperties } from '../../platform/pagination.js';
import { LOG_REQUEST_SORT } from './log-request-sort.js';

export interface DiagnosticsRoutesDeps {
  diagnostics: DiagnosticsService;
  stations: StationDirectory;
  maxUploadBytes: number;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

interface RequestLogBody {
  logType?: LogType;
  useGetLog?: boolean;
  oldestTimestamp?: string;
  latestTimestamp?: string;
  retries?: number;
  retryIntervalS?: number;
}

/** Ask a station for its log, list what it sent, download a file; and the station's upload endpoint. */
export function registerDiagnosticsRoutes(app: FastifyInstance, deps: DiagnosticsRoutesDeps): void {
  const { diagnostics, stations } = deps;

  app.post<{ Params: { id: string }; Body: RequestLogBody }>(
    '/api/v1/stations/:id/logs',
    {
      config: { minRole: 'operator' },
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            logType: { type: 'string', enum: ['DiagnosticsLog', 'SecurityLog'] },
            useGetLog: { type: 'boolean' },
            oldestTimestamp: { type: 'string', format: 'date-time' },
            latestTimestamp: { type: 'string', format: 'date-time' },
            retries: { type: 'integer', minimum: 0, maximum: 100 },
            retryIntervalS: { type: 'integer', minimum: 0, maximum: 86400 },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      const body = request.body ?? {};
      const view = await diagnostics.requestLog(tenantId, request.params.id, {
        requestedBy,
        logType: body.logType ?? 'DiagnosticsLog',
        useGetLog: body.useGetLog,
        oldest: body.oldestTimestamp ? new Date(body.oldestTimestamp) : undefined,
        latest: body.latestTimestamp ? new Date(body.latestTimestamp) : undefined,
        retries: body.retries,
        retryIntervalS: body.retryIntervalS,
      });
      return reply.status(201).send(view);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/stations/:id/logs',
    {
      config: { minRole: 'support' },
      schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: LOG_REQUEST_SORT.queryProperty } } },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      return diagnostics.list(tenantId, request.params.id, { ...request.query, limit: request.query.limit ?? 50 });
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/log-files/:id', { config: { minRole: 'support' }, schema: { params: idParams } }, async (request, reply) => {
    const file = await diagnostics.file(principalOf(request).tenantId, request.params.id);
    return reply
      .header('content-type', file.content_type)
      .header('content-disposition', attachmentDisposition(file.file_name))
      // The type is the station's word; never let a browser sniff an uploaded file into HTML.
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(file.data));
  });

  // The station's upload: raw PUT or multipart POST, with or without a file name appended.
  void app.register(async (scope) => {
    acceptRawBodies(scope, deps.maxUploadBytes);
    const receive = async (request: FastifyRequest<{ Params: { id: string; expires: string; signature: string; name?: string } }>, reply: FastifyReply) => {
      const upload = readUploadedBody(request);
      if (!upload) throw new DomainError('InvalidInput', 'the multipart body has no file part', { field: 'body' });
      const name = upload.fileName ?? request.params.name;
      const file = await diagnostics.receiveUpload(request.params, {
        data: upload.file,
        fileName: name,
        contentType: upload.contentType && !upload.contentType.startsWith('multipart/') ? upload.contentType : undefined,
      });
      return reply.status(201).send({ id: file.id, sizeBytes: file.sizeBytes, sha256: file.sha256 });
    };
    for (const path of [`${LOG_FILES_PREFIX}/:id/:expires/:signature`, `${LOG_FILES_PREFIX}/:id/:expires/:signature/:name`]) {
      scope.route({ method: ['PUT', 'POST'], url: path, bodyLimit: deps.maxUploadBytes, handler: receive });
    }
  });
}
