import { RpcError } from './error-codes.js';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;
/** OCPP 2.1 only. */
export const CALLRESULTERROR = 5;
export const SEND = 6;

export type Payload = Record<string, unknown>;

export type InboundFrame =
  | { type: typeof CALL; messageId: string; action: string; payload: Payload }
  | { type: typeof CALLRESULT; messageId: string; payload: Payload }
  | { type: typeof CALLERROR; messageId: string; errorCode: string; errorDescription: string; errorDetails: Payload }
  | { type: typeof SEND; messageId: string; action: string; payload: Payload };

const MAX_MESSAGE_ID_LENGTH = 36;

/**
 * An error while reading a frame, carrying the message id when it could be read (else "-1",
 * OCPP-J 2.0.1 part 4 §4.2.3).
 */
export class FrameError extends RpcError {
  constructor(
    kind: RpcError['kind'],
    message: string,
    readonly messageId: string,
    /** false when the frame is a reply we must not answer (a bad CALLRESULT). */
    readonly answerable = true,
  ) {
    super(kind, message);
  }
}

function isPlainObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseFrame(text: string, supportsSend: boolean): InboundFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FrameError('RpcFrameworkError', 'message is not valid JSON', '-1');
  }
  if (!Array.isArray(data) || data.length < 3) {
    throw new FrameError('RpcFrameworkError', 'message is not an OCPP-J array frame', '-1');
  }
  const [type, messageId] = data as [unknown, unknown];
  if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > MAX_MESSAGE_ID_LENGTH) {
    throw new FrameError('RpcFrameworkError', 'messageId must be a string of 1 to 36 characters', '-1');
  }
  switch (type) {
    case CALL:
    case SEND: {
      if (type === SEND && !supportsSend) break;
      if (data.length !== 4) throw new FrameError('RpcFrameworkError', 'a CALL has exactly 4 elements', messageId);
      const [, , action, payload] = data as [unknown, unknown, unknown, unknown];
      if (typeof action !== 'string' || action.length === 0) {
        throw new FrameError('RpcFrameworkError', 'action must be a non-empty string', messageId);
      }
      if (!isPlainObject(payload)) {
        throw new FrameError('FormatViolation', 'payload must be a JSON object', messageId);
      }
      return { type, messageId, action, payload };
    }
    case CALLRESULT: {
      const payload = data[2] as unknown;
      if (data.length !== 3 || !isPlainObject(payload)) {
        throw new FrameError('FormatViolation', 'a CALLRESULT carries one payload object', messageId, false);
      }
      return { type, messageId, payload };
    }
    case CALLERROR:
    case CALLRESULTERROR: {
      if (type === CALLRESULTERROR && !supportsSend) break;
      const [, , errorCode, errorDescription, errorDetails] = data as unknown[];
      return {
        type: CALLERROR,
        messageId,
        errorCode: typeof errorCode === 'string' ? errorCode : 'GenericError',
        errorDescription: typeof errorDescription === 'string' ? errorDescription : '',
        errorDetails: isPlainObject(errorDetails) ? errorDetails : {},
      };
    }
    default:
      break;
  }
  throw new FrameError('MessageTypeNotSupported', `message type ${JSON.stringify(type)} is not supported`, messageId);
}

export function callFrame(messageId: string, action: string, payload: Payload): string {
  return JSON.stringify([CALL, messageId, action, payload]);
}

export function callResultFrame(messageId: string, payload: Payload): string {
  return JSON.stringify([CALLRESULT, messageId, payload]);
}

export function callErrorFrame(messageId: string, errorCode: string, description: string, details: Payload = {}): string {
  // errorDescription is limited to 255 characters by both OCPP-J specifications.
  return JSON.stringify([CALLERROR, messageId, errorCode, description.slice(0, 255), details]);
}
