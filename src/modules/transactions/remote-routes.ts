import type { FastifyInstance } from 'fastify';
import { principalOf, stationScopeOf } from '../../platform/principal.js';
import type { RemoteControl } from './remote.js';

const idTokenTypes = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];

export function registerRemoteControlRoutes(app: FastifyInstance, remote: RemoteControl): void {
  app.post<{ Body: { stationId: string; evseId?: number; idToken: string | { idToken: string; type: string }; waitSeconds?: number } }>(
    '/api/v1/sessions/remote-start',
    {
      config: { minRole: 'operator', idempotent: true },
      schema: {
        body: {
          type: 'object',
          required: ['stationId', 'idToken'],
          additionalProperties: false,
          properties: {
            stationId: { type: 'string', minLength: 1, maxLength: 48 },
            evseId: { type: 'integer', minimum: 1 },
            idToken: {
              oneOf: [
                { type: 'string', minLength: 1, maxLength: 36 },
                {
                  type: 'object',
                  required: ['idToken', 'type'],
                  additionalProperties: false,
                  properties: { idToken: { type: 'string', minLength: 1, maxLength: 36 }, type: { type: 'string', enum: idTokenTypes } },
                },
              ],
            },
            waitSeconds: { type: 'number', minimum: 0, maximum: 120 },
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      // A bare string is an idTag as 1.6 knows it: matched on its uid whatever its type.
      const idToken = typeof body.idToken === 'string' ? { idToken: body.idToken, type: '' } : body.idToken;
      const principal = principalOf(request);
      return remote.start(principal.tenantId, {
        stationId: body.stationId,
        evseId: body.evseId,
        idToken,
        waitMs: Math.round((body.waitSeconds ?? 30) * 1000),
        requestedBy: principal.id,
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/sessions/:id/remote-stop',
    {
      config: { minRole: 'operator', idempotent: true },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } },
    },
    async (request) => {
      const principal = principalOf(request);
      return remote.stop(principal.tenantId, request.params.id, principal.id, stationScopeOf(principal));
    },
  );
}
