// OCPP-J framing as the simulated station sees it: CALL [2, id, action, payload],
// CALLRESULT [3, id, payload], CALLERROR [4, id, code, description, details]
// (OCPP-J 1.6 §4, OCPP 2.0.1 part 4 §4).

export type OcppVersion = '1.6' | '2.0.1';

export const SUBPROTOCOL: Record<OcppVersion, string> = {
  '1.6': 'ocpp1.6',
  '2.0.1': 'ocpp2.0.1',
};

export type Payload = Record<string, unknown>;

export type CallFrame = { kind: 'call'; id: string; action: string; payload: Payload };
export type ResultFrame = { kind: 'result'; id: string; payload: Payload };
export type ErrorFrame = { kind: 'error'; id: string; code: string; description: string };
export type InboundFrame = CallFrame | ResultFrame | ErrorFrame;

/**
 * Error codes a station may put in a CALLERROR. 1.6 spells the syntax error
 * "FormationViolation"; the OCPP-J 1.6 errata renames it to "FormatViolation", which is
 * also the 2.0.1 name, so one list serves both.
 */
export type RpcErrorCode =
  | 'FormatViolation'
  | 'GenericError'
  | 'InternalError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'OccurrenceConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'SecurityError'
  | 'TypeConstraintViolation';

/** A CALLERROR to answer an inbound CALL with, thrown by an action handler. */
export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    description: string,
  ) {
    super(description);
    this.name = 'RpcError';
  }
}

/** The CSMS answered one of our CALLs with a CALLERROR. */
export class CallErrorReceived extends Error {
  constructor(
    readonly action: string,
    readonly code: string,
    description: string,
  ) {
    super(`${action}: CALLERROR ${code}${description ? ` (${description})` : ''}`);
    this.name = 'CallErrorReceived';
  }
}

export function isRecord(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class FrameDecodeError extends Error {
  constructor(
    message: string,
    readonly messageId: string | null,
  ) {
    super(message);
    this.name = 'FrameDecodeError';
  }
}

export function decodeFrame(text: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameDecodeError('frame is not JSON', null);
  }
  if (!Array.isArray(value)) throw new FrameDecodeError('frame is not a JSON array', null);
  const [type, id] = value as unknown[];
  if (typeof id !== 'string') throw new FrameDecodeError('message id is not a string', null);
  switch (type) {
    case 2: {
      const action: unknown = value[2];
      const payload: unknown = value[3];
      if (typeof action !== 'string' || !isRecord(payload)) {
        throw new FrameDecodeError('malformed CALL', id);
      }
      return { kind: 'call', id, action, payload };
    }
    case 3: {
      const payload: unknown = value[2];
      if (!isRecord(payload)) throw new FrameDecodeError('malformed CALLRESULT', id);
      return { kind: 'result', id, payload };
    }
    case 4: {
      const code: unknown = value[2];
      const description: unknown = value[3];
      return {
        kind: 'error',
        id,
        code: typeof code === 'string' ? code : 'GenericError',
        description: typeof description === 'string' ? description : '',
      };
    }
    default:
      throw new FrameDecodeError(`unknown message type ${String(type)}`, id);
  }
}

export function encodeCall(id: string, action: string, payload: Payload): string {
  return JSON.stringify([2, id, action, payload]);
}

export function encodeResult(id: string, payload: Payload): string {
  return JSON.stringify([3, id, payload]);
}

export function encodeError(id: string, code: RpcErrorCode, description: string): string {
  return JSON.stringify([4, id, code, description.slice(0, 255), {}]);
}

export function getString(payload: Payload, key: string): string | undefined {
  const value = payload[key];
  return typeof value === 'string' ? value : undefined;
}

export function getNumber(payload: Payload, key: string): number | undefined {
  const value = payload[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function getRecord(payload: Payload, key: string): Payload | undefined {
  const value = payload[key];
  return isRecord(value) ? value : undefined;
}
