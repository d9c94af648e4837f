import type { FastifyReply } from 'fastify';
import { DomainError, type DomainErrorCode } from '../platform/errors.js';

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

const STATUS: Record<DomainErrorCode, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidInput: 400,
  StationOffline: 409,
  StationTimeout: 504,
  StationCallError: 502,
  Unauthorized: 401,
  Forbidden: 403,
  Conflict: 409,
  TooManyRequests: 429,
};

export function problemFor(err: DomainError): Problem {
  return {
    type: `https://ampline.dev/problems/${err.code}`,
    title: err.code,
    status: STATUS[err.code],
    detail: err.message,
    ...(err.details ?? {}),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

export function sendDomainError(reply: FastifyReply, err: DomainError): FastifyReply {
  // RFC 6585 §4: a throttled caller is told when to come back.
  const retryAfterS = err.details?.['retryAfterS'];
  if (typeof retryAfterS === 'number') reply.header('Retry-After', String(retryAfterS));
  return sendProblem(reply, problemFor(err));
}
