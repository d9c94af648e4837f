import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import type { Logger } from '../platform/logger.js';
import { isDomainError } from '../platform/errors.js';
import type { AccountsService } from '../modules/accounts/index.js';
import { installAuth } from './auth.js';
import { sendDomainError, sendProblem } from './problem.js';

export interface ApiServerDeps {
  logger: Logger;
  accounts: AccountsService;
}

export function createApiServer(deps: ApiServerDeps): FastifyInstance {
  const app = Fastify({
    // Requests are not logged one by one (a fleet polls a lot); errors are.
    loggerInstance: deps.logger.child({ component: 'api' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  installAuth(app, deps.accounts);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isDomainError(err)) return sendDomainError(reply, err);
    if (err.validation) {
      const first = err.validation[0];
      const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
      // An enum (a list's sort, a status filter) names what it takes.
      const allowed = params.allowedValues ? `: ${params.allowedValues.join(', ')}` : '';
      // Name the offending property, also when it is one the schema does not allow.
      const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
      const field = [path, params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.') || undefined;
      const unknown = params.additionalProperty !== undefined ? ` ("${params.additionalProperty}")` : '';
      return sendProblem(reply, {
        type: 'https://ampline.dev/problems/InvalidInput',
        title: 'InvalidInput',
        status: 400,
        detail: `${err.validationContext ?? 'request'} ${err.message.replace(/^(body|querystring|params)\/?/, '')}${allowed}${unknown}`.trim(),
        ...(field ? { field } : {}),
      });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, { type: 'about:blank', title: err.code ?? 'BadRequest', status: err.statusCode, detail: err.message });
    }
    request.log.error({ err, url: request.url }, 'request failed');
    return sendProblem(reply, { type: 'about:blank', title: 'InternalError', status: 500, detail: 'internal error; see the server log' });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { type: 'about:blank', title: 'NotFound', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  return app;
}
