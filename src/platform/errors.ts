/**
 * A domain error is a typed value with a code; the edge (OCPP adapter, HTTP route) decides how it
 * looks on the wire.
 */
export type DomainErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidInput'
  | 'StationOffline'
  | 'StationTimeout'
  | 'StationCallError'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Conflict'
  | 'TooManyRequests';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(err: unknown, code?: DomainErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}

/** Thrown at start-up for a problem the operator must fix; printed as one line, no stack. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
