import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../platform/errors.js';
import { principalOf } from '../../platform/principal.js';
import type { FirmwareService } from './service.js';
import { FIRMWARE_FILES_PREFIX } from './service.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import { IMAGE_SORT } from './firmware-sort.js';
import type { StationDirectory } from './types.js';
import { acceptRawBodies, attachmentDisposition, readUploadedBody } from '../../platform/raw-body.js';

export interface FirmwareRoutesDeps {
  firmware: FirmwareService;
  stations: StationDirectory;
  /** Largest image accepted, in bytes. */
  maxImageBytes: number;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const MAX_SIGNATURE = 800;
const MAX_CERTIFICATE = 5500;

interface UploadQuery {
  name?: string;
  version?: string;
  fileName?: string;
  signature?: string;
  signingCertificate?: string;
}

/** Images (upload, list, delete), single-station updates, and the station-facing signed download. */
export function registerFirmwareRoutes(app: FastifyInstance, deps: FirmwareRoutesDeps): void {
  const { firmware, stations } = deps;

  void app.register(async (scope) => {
    acceptRawBodies(scope, deps.maxImageBytes);

    scope.post<{ Querystring: UploadQuery }>(
      '/api/v1/firmware',
      {
        config: { minRole: 'operator' },
        bodyLimit: deps.maxImageBytes,
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 200 },
              version: { type: 'string', minLength: 1, maxLength: 100 },
              fileName: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/\\\\]+$' },
              signature: { type: 'string', minLength: 1, maxLength: MAX_SIGNATURE },
              signingCertificate: { type: 'string', minLength: 1, maxLength: MAX_CERTIFICATE },
            },
          },
        },
      },
      async (request, reply) => {
        const upload = readUploadedBody(request);
        if (!upload) throw new DomainError('InvalidInput', 'the multipart body has no file part', { field: 'body' });
        const field = (key: keyof UploadQuery): string | undefined => upload.fields[key] ?? request.query[key];
        const fileName = (field('fileName') ?? upload.fileName ?? field('name'))?.replace(/^.*[/\\]/, '');
        const name = field('name') ?? fileName;
        if (!name || !fileName) throw new DomainError('InvalidInput', 'name the image: ?name=… or a multipart file name', { field: 'name' });
        const signature = field('signature');
        const signingCertificate = field('signingCertificate');
        if (signature !== undefined && signature.length > MAX_SIGNATURE) throw new DomainError('InvalidInput', `signature is longer than ${MAX_SIGNATURE}`, { field: 'signature' });
        if (signingCertificate !== undefined && (signingCertificate.length > MAX_CERTIFICATE || !signingCertificate.includes('-----BEGIN CERTIFICATE-----'))) {
          throw new DomainError('InvalidInput', `signingCertificate must be one PEM certificate of at most ${MAX_CERTIFICATE} characters`, { field: 'signingCertificate' });
        }
        const view = await firmware.uploadImage(principalOf(request).tenantId, {
          name,
          version: field('version'),
          fileName,
          contentType: upload.contentType && !upload.contentType.startsWith('multipart/') ? upload.contentType : 'application/octet-stream',
          data: upload.file,
          signature,
          signingCertificate,
        });
        return reply.status(201).header('Location', `/api/v1/firmware/${view.id}`).send(view);
      },
    );
  });

  app.get<{ Querystring: { limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/firmware',
    { config: { minRole: 'viewer' }, schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, sort: IMAGE_SORT.queryProperty } } } },
    async (request) => firmware.listImages(principalOf(request).tenantId, { ...request.query, limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  app.get<{ Params: { id: string } }>('/api/v1/firmware/:id', { config: { minRole: 'viewer' }, schema: { params: idParams } }, async (request) =>
    firmware.getImage(principalOf(request).tenantId, request.params.id),
  );

  app.delete<{ Params: { id: string } }>('/api/v1/firmware/:id', { config: { minRole: 'operator' }, schema: { params: idParams } }, async (request, reply) => {
    await firmware.deleteImage(principalOf(request).tenantId, request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string }; Body: { imageId: string; retrieveAt?: string; installAt?: string; retries?: number; retryIntervalS?: number } }>(
    '/api/v1/stations/:id/firmware/update',
    {
      config: { minRole: 'operator' },
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['imageId'],
          additionalProperties: false,
          properties: {
            imageId: { type: 'string', minLength: 1, maxLength: 64 },
            retrieveAt: { type: 'string', format: 'date-time' },
            installAt: { type: 'string', format: 'date-time' },
            retries: { type: 'integer', minimum: 0, maximum: 100 },
            retryIntervalS: { type: 'integer', minimum: 0, maximum: 86400 },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      const { imageId, retrieveAt, installAt, retries, retryIntervalS } = request.body;
      return firmware.updateStation(tenantId, request.params.id, imageId, requestedBy, {
        retrieveAt: retrieveAt ? new Date(retrieveAt) : undefined,
        installAt: installAt ? new Date(installAt) : undefined,
        retries,
        retryIntervalS,
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/api/v1/stations/:id/firmware',
    {
      config: { minRole: 'viewer' },
      schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } } },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      await stations.get(tenantId, request.params.id);
      return firmware.stationFirmware(tenantId, request.params.id, request.query.limit ?? 100);
    },
  );

  // The station's download: no API token, the signed path is the permission (403 when bad or expired).
  app.get<{ Params: { id: string; expires: string; signature: string; name: string } }>(
    `${FIRMWARE_FILES_PREFIX}/:id/:expires/:signature/:name`,
    async (request, reply) => {
      const { id, expires, signature } = request.params;
      const image = await firmware.imageForLink(id, expires, signature);
      return reply
        .header('content-type', image.content_type)
        .header('content-disposition', attachmentDisposition(image.file_name))
        .header('digest', `sha-256=${Buffer.from(image.sha256, 'hex').toString('base64')}`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(image.data));
    },
  );
}
