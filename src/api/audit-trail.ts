import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.js';
import { redactBody, type AuditService } from '../modules/audit/index.js';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every authenticated mutation under /api — including commands sent to stations, which
 * are POSTs like any other — once its answer is known. It runs in onSend, before the answer
 * leaves, so a client that reads the audit log right after its own call finds the entry.
 * Requests refused before authentication changed nothing and are not recorded here.
 */
export function installAuditTrail(app: FastifyInstance, deps: { audit: AuditService; clock: Clock }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!MUTATIONS.has(request.method) || !request.url.startsWith('/api/') || !request.principal) return payload;
    const principal = request.principal;
    try {
      await deps.audit.record({
        tenantId: principal.tenantId,
        at: deps.clock.now(),
        actor: { kind: principal.kind, id: principal.id, name: principal.name },
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0] ?? request.url,
        params: (request.params ?? {}) as Record<string, unknown>,
        body: redactBody(request.body),
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        statusCode: reply.statusCode,
        problemType: reply.statusCode >= 400 ? problemTypeOf(payload) : null,
      });
    } catch (err) {
      request.log.error({ err, url: request.url, principal: principal.id }, 'audit entry could not be written');
    }
    return payload;
  });
}

function problemTypeOf(payload: unknown): string | null {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : null;
  } catch {
    return null;
  }
}
