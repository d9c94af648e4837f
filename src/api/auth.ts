import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsService } from '../modules/accounts/index.js';
import type { Role } from '../platform/principal.js';
import { sendProblem } from './problem.js';

const RANK: Record<Role, number> = { viewer: 0, support: 1, operator: 2, admin: 3, owner: 4 };

/** Bearer-token authentication for everything under /api, and a role check per route. */
export function installAuth(app: FastifyInstance, accounts: AccountsService): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      return sendProblem(reply.header('WWW-Authenticate', 'Bearer'), {
        type: 'https://ampline.dev/problems/Unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'send an API token as "Authorization: Bearer <token>"',
      });
    }
    const principal = await accounts.authenticateToken(match[1]);
    if (!principal) {
      return sendProblem(reply.header('WWW-Authenticate', 'Bearer error="invalid_token"'), {
        type: 'https://ampline.dev/problems/Unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'the API token is not valid',
      });
    }
    request.principal = principal;
    const needed = request.routeOptions.config.minRole;
    if (needed === undefined) {
      // A route without a declared role is a programming error: refuse rather than expose it.
      return sendProblem(reply, { type: 'https://ampline.dev/problems/Forbidden', title: 'Forbidden', status: 403, detail: 'route has no access rule' });
    }
    if (RANK[principal.role] < RANK[needed]) {
      return sendProblem(reply, {
        type: 'https://ampline.dev/problems/Forbidden',
        title: 'Forbidden',
        status: 403,
        detail: `this needs the ${needed} role or higher; you are ${principal.role}`,
      });
    }
  });
}

