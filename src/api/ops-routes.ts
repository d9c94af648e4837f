import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../platform/metrics.js';

/**
 * Liveness, readiness and Prometheus metrics: unauthenticated by design so probes and scrapers
 * work; they reveal no tenant data.
 */
export function registerOpsRoutes(app: FastifyInstance, deps: { metrics: Metrics; checkDatabase: () => Promise<void> }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.checkDatabase();
      return { status: 'ready' };
    } catch (err) {
      return reply.status(503).send({ status: 'unavailable', detail: `database: ${(err as Error).message}` });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
