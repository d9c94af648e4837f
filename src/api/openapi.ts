import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/**
 * The OpenAPI 3.1 document, generated from the route schemas by @fastify/swagger (ADR 024),
 * and Swagger UI served from the package's own assets (no CDN). Must be installed before any
 * route is added: the generator learns routes from the onRoute hook.
 */
export async function installApiDocs(app: FastifyInstance, info: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ampline API',
        version: info.version,
        description:
          'Every route needs `Authorization: Bearer <token>`; the least role a route needs is in its description. ' +
          'Errors are RFC 9457 problem+json with `field` naming the bad input. Lists take `limit` and `cursor` and answer `{ items, nextCursor }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => {
      const documented = url.startsWith('/api/v1/') && !schema?.hide;
      const minRole = route.config?.minRole;
      const note = minRole ? `Needs the ${minRole} role or higher.` : undefined;
      return {
        url,
        schema: {
          ...schema,
          ...(documented ? {} : { hide: true }),
          ...(note ? { description: schema?.description ? `${schema.description}\n\n${note}` : note } : {}),
        },
      };
    },
  });

  app.get(OPENAPI_PATH, { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => {
    // Swagger UI's own routes (page, assets, a copy of the document) are public like the document.
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    await scope.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { deepLinking: true } });
  });
}
