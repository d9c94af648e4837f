import type { OcppVersion } from './versions.js';

/**
 * CALLERROR codes, named by meaning; `wireErrorCode` spells them the way each version does
 * (1.6 says FormationViolation / OccurenceConstraintViolation, 2.0.1 FormatViolation /
 * OccurrenceConstraintViolation and adds MessageTypeNotSupported and RpcFrameworkError).
 */
export type RpcErrorKind =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormatViolation'
  | 'PropertyConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError'
  | 'MessageTypeNotSupported'
  | 'RpcFrameworkError';

export function wireErrorCode(kind: RpcErrorKind, version: OcppVersion): string {
  if (version === 'ocpp1.6') {
    switch (kind) {
      case 'FormatViolation':
        return 'FormationViolation';
      case 'OccurrenceConstraintViolation':
        return 'OccurenceConstraintViolation';
      // 1.6 has no such codes: a frame it cannot read breaks the PDU structure.
      case 'MessageTypeNotSupported':
      case 'RpcFrameworkError':
        return 'FormationViolation';
      default:
        return kind;
    }
  }
  return kind;
}

/** An error to be answered with a CALLERROR. */
export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The station answered our CALL with a CALLERROR. */
export class RemoteCallError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorDescription: string,
    readonly errorDetails: Record<string, unknown>,
  ) {
    super(`${errorCode}: ${errorDescription}`);
    this.name = 'RemoteCallError';
  }
}
