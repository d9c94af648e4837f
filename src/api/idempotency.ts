import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdempotencyService } from '../modules/idempotency/index.js';
import { sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route honours an `Idempotency-Key` header (commands that start/stop charging or move money). */
    idempotent?: boolean;
  }
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const claimed = new WeakMap<FastifyRequest, { tenantId: string; key: string }>();

/**
 * `Idempotency-Key` on routes that declare `config.idempotent`: the first request claims the key
 * and its answer is stored; a repeat with the same method, route, params and body gets the
 * stored answer (header `Idempotent-Replayed: true`) without running the handler again, so a
 * command is not sent to the station twice. The same key with a different request is a 422.
 */
export function installIdempotency(app: FastifyInstance, idempotency: IdempotencyService): void {
  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent || !request.principal) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !KEY_PATTERN.test(key)) {
      return sendProblem(reply, {
        type: 'https://ampline.dev/problems/InvalidInput',
        title: 'InvalidInput',
        status: 400,
        detail: 'Idempotency-Key must be 1-255 visible ASCII characters',
        field: 'Idempotency-Key',
      });
    }
    const { tenantId } = request.principal;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([request.method, request.routeOptions.url, request.params, request.body ?? null]))
      .digest('hex');
    const claim = await idempotency.claim(tenantId, key, fingerprint);
    switch (claim.kind) {
      case 'first':
        claimed.set(request, { tenantId, key });
        return;
      case 'replay':
        reply.header('idempotent-replayed', 'true').status(claim.answer.statusCode);
        if (claim.answer.contentType) reply.header('content-type', claim.answer.contentType);
        return reply.send(claim.answer.body);
      case 'mismatch':
        return sendProblem(reply, {
          type: 'https://ampline.dev/problems/IdempotencyKeyReused',
          title: 'IdempotencyKeyReused',
          status: 422,
          detail: 'this Idempotency-Key was used for a different request',
          field: 'Idempotency-Key',
        });
      case 'in-progress':
        return sendProblem(reply, {
          type: 'https://ampline.dev/problems/Conflict',
          title: 'Conflict',
          status: 409,
          detail: 'a request with this Idempotency-Key is still being answered; retry shortly',
          field: 'Idempotency-Key',
        });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const owner = claimed.get(request);
    if (!owner) return payload;
    claimed.delete(request);
    const body = payload === undefined || payload === null ? '' : typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (body === undefined) {
      await idempotency.release(owner.tenantId, owner.key);
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    await idempotency.complete(owner.tenantId, owner.key, {
      statusCode: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : null,
      body,
    });
    return payload;
  });

  app.addHook('onRequestAbort', async (request) => {
    const owner = claimed.get(request);
    if (owner) await idempotency.release(owner.tenantId, owner.key);
  });
}
