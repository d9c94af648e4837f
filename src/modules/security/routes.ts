import type { FastifyInstance } from 'fastify';
import { principalOf } from '../../platform/principal.js';
import { SECURITY_EVENT_SORT, type StationsService } from '../stations/index.js';
import { DEFAULT_LIMIT, pageQueryProperties } from '../../platform/pagination.js';
import type { SecurityService } from './service.js';
import {
  INSTALLABLE_CERTIFICATE_TYPES,
  LISTABLE_CERTIFICATE_TYPES,
  type CertificateHashData,
  type InstallableCertificateType,
  type ListableCertificateType,
} from './types.js';

export interface SecurityRoutesDeps {
  security: SecurityService;
  stations: Pick<StationsService, 'searchSecurityEvents'>;
}

const stationIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 48 } },
} as const;

const hex = (max: number) => ({ type: 'string', pattern: '^[0-9A-Fa-f]+$', minLength: 1, maxLength: max }) as const;

const certificateHashData = {
  type: 'object',
  additionalProperties: false,
  required: ['hashAlgorithm', 'issuerNameHash', 'issuerKeyHash', 'serialNumber'],
  properties: {
    hashAlgorithm: { type: 'string', enum: ['SHA256', 'SHA384', 'SHA512'] },
    issuerNameHash: hex(128),
    issuerKeyHash: hex(128),
    serialNumber: hex(40),
  },
} as const;

export function registerSecurityRoutes(app: FastifyInstance, deps: SecurityRoutesDeps): void {
  const { security, stations } = deps;

  app.post<{ Params: { id: string } }>(
    '/api/v1/stations/:id/rotate-password',
    { config: { minRole: 'admin' }, schema: { params: stationIdParams } },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return security.rotatePassword(tenantId, request.params.id, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { securityProfile: 2 | 3; csmsUrl?: string; configurationSlot?: number } }>(
    '/api/v1/stations/:id/upgrade-security-profile',
    {
      config: { minRole: 'admin' },
      schema: {
        params: stationIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['securityProfile'],
          properties: {
            securityProfile: { type: 'integer', enum: [2, 3] },
            csmsUrl: { type: 'string', pattern: '^wss://', maxLength: 512 },
            configurationSlot: { type: 'integer', minimum: 0, maximum: 100 },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      return security.upgradeSecurityProfile(tenantId, request.params.id, request.body, requestedBy);
    },
  );

  app.post<{ Params: { id: string }; Body: { certificateType: InstallableCertificateType; certificate: string } }>(
    '/api/v1/stations/:id/install-certificate',
    {
      config: { minRole: 'admin' },
      schema: {
        params: stationIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['certificateType', 'certificate'],
          properties: {
            certificateType: { type: 'string', enum: [...INSTALLABLE_CERTIFICATE_TYPES] },
            certificate: { type: 'string', minLength: 1, maxLength: 5500 },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      const response = await security.installCertificate(tenantId, request.params.id, request.body.certificateType, request.body.certificate, requestedBy);
      return { action: 'InstallCertificate', response };
    },
  );

  app.post<{ Params: { id: string }; Body: { certificateHashData: CertificateHashData } }>(
    '/api/v1/stations/:id/delete-certificate',
    {
      config: { minRole: 'admin' },
      schema: {
        params: stationIdParams,
        body: { type: 'object', additionalProperties: false, required: ['certificateHashData'], properties: { certificateHashData } },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      const response = await security.deleteCertificate(tenantId, request.params.id, request.body.certificateHashData, requestedBy);
      return { action: 'DeleteCertificate', response };
    },
  );

  app.post<{ Params: { id: string }; Body: { certificateType?: ListableCertificateType[] } }>(
    '/api/v1/stations/:id/get-installed-certificate-ids',
    {
      config: { minRole: 'support' },
      schema: {
        params: stationIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { certificateType: { type: 'array', maxItems: 5, uniqueItems: true, items: { type: 'string', enum: [...LISTABLE_CERTIFICATE_TYPES] } } },
        },
      },
    },
    async (request) => {
      const { tenantId, id: requestedBy } = principalOf(request);
      const response = await security.getInstalledCertificateIds(tenantId, request.params.id, request.body?.certificateType ?? [], requestedBy);
      return { action: 'GetInstalledCertificateIds', response };
    },
  );

  app.get<{ Querystring: { stationId?: string; type?: string; from?: string; to?: string; limit?: number; cursor?: string; sort?: string } }>(
    '/api/v1/security-events',
    {
      config: { minRole: 'support' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            stationId: { type: 'string', minLength: 1, maxLength: 48 },
            type: { type: 'string', minLength: 1, maxLength: 50 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            ...pageQueryProperties,
            sort: SECURITY_EVENT_SORT.queryProperty,
          },
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const q = request.query;
      return stations.searchSecurityEvents(tenantId, {
        stationId: q.stationId,
        type: q.type,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit ?? DEFAULT_LIMIT,
        cursor: q.cursor,
        sort: q.sort,
      });
    },
  );
}
