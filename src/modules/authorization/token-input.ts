import { DomainError } from '../../platform/errors.js';
import { ID_TOKEN_STATUSES, ID_TOKEN_TYPES, type CreateTokenInput, type EvseRestriction, type IdTokenStatus, type IdTokenType, type UpdateTokenInput } from './types.js';

/** 2.0.1 IdTokenType.idToken is at most 36 characters (1.6 idTag: 20). Printable ASCII, no spaces. */
const IDENTIFIER = /^[\x21-\x7e]{1,36}$/;
/** RFC 3339 date-time with an offset, or a plain date (midnight UTC). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;
const DRIVER_ID_MAX = 255;
const STATION_ID_MAX = 48;

export interface CheckedToken {
  uid: string;
  type: IdTokenType;
  status: IdTokenStatus;
  expiresAt: Date | null;
  groupId: string | null;
  driverId: string | null;
  masterPass: boolean;
  allowConcurrent: boolean;
  evseRestrictions: EvseRestriction[] | null;
}

export type CheckedChanges = Partial<Omit<CheckedToken, 'uid' | 'type'>>;

/** A token as text arrives it (CSV, command line) before the rules have looked at it. */
export type RawTokenInput = Omit<CreateTokenInput, 'type' | 'status'> & { type: string; status?: string | undefined };

function invalid(field: string, message: string): never {
  throw new DomainError('InvalidInput', message, { field });
}

function checkIdentifier(field: string, value: string): string {
  if (!IDENTIFIER.test(value)) invalid(field, `${field} must be 1 to 36 printable ASCII characters without spaces (OCPP idToken)`);
  return value;
}

export function isIdTokenType(value: string): value is IdTokenType {
  return (ID_TOKEN_TYPES as readonly string[]).includes(value);
}

export function isIdTokenStatus(value: string): value is IdTokenStatus {
  return (ID_TOKEN_STATUSES as readonly string[]).includes(value);
}

function checkType(value: string): IdTokenType {
  if (!isIdTokenType(value)) invalid('type', `type must be one of ${ID_TOKEN_TYPES.join(', ')}`);
  return value;
}

function checkStatus(value: string): IdTokenStatus {
  if (!isIdTokenStatus(value)) invalid('status', `status must be one of ${ID_TOKEN_STATUSES.join(', ')}`);
  return value;
}

export function parseExpiry(value: string): Date {
  const at = DATE_TIME.test(value) ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) invalid('expiresAt', `expiresAt "${value}" is not a date-time such as 2027-01-31T23:59:59Z`);
  return at;
}

function checkDriverId(value: string): string {
  if (value.length === 0 || value.length > DRIVER_ID_MAX) invalid('driverId', `driverId must be 1 to ${DRIVER_ID_MAX} characters`);
  return value;
}

function checkRestrictions(value: EvseRestriction[]): EvseRestriction[] | null {
  for (const r of value) {
    if (typeof r.stationId !== 'string' || r.stationId.length === 0 || r.stationId.length > STATION_ID_MAX) {
      invalid('evseRestrictions', `evseRestrictions[].stationId must be 1 to ${STATION_ID_MAX} characters`);
    }
    if (r.evseId !== undefined && (!Number.isInteger(r.evseId) || r.evseId < 1)) invalid('evseRestrictions', 'evseRestrictions[].evseId must be an integer of 1 or more');
  }
  // An empty list would mean "nowhere"; a token that may charge nowhere is a Blocked token.
  return value.length === 0 ? null : value.map((r) => (r.evseId === undefined ? { stationId: r.stationId } : { stationId: r.stationId, evseId: r.evseId }));
}

/** The rules of a token, whichever way it arrives (REST, CSV, CLI). */
export function checkCreateInput(input: RawTokenInput): CheckedToken {
  return {
    uid: checkIdentifier('uid', input.uid),
    type: checkType(input.type),
    status: input.status === undefined ? 'Accepted' : checkStatus(input.status),
    expiresAt: input.expiresAt == null ? null : parseExpiry(input.expiresAt),
    groupId: input.groupId == null ? null : checkIdentifier('groupId', input.groupId),
    driverId: input.driverId == null ? null : checkDriverId(input.driverId),
    masterPass: input.masterPass ?? false,
    allowConcurrent: input.allowConcurrent ?? false,
    evseRestrictions: input.evseRestrictions == null ? null : checkRestrictions(input.evseRestrictions),
  };
}

export function checkUpdateInput(input: UpdateTokenInput): CheckedChanges {
  const changes: CheckedChanges = {};
  if (input.status !== undefined) changes.status = checkStatus(input.status);
  if (input.expiresAt !== undefined) changes.expiresAt = input.expiresAt === null ? null : parseExpiry(input.expiresAt);
  if (input.groupId !== undefined) changes.groupId = input.groupId === null ? null : checkIdentifier('groupId', input.groupId);
  if (input.driverId !== undefined) changes.driverId = input.driverId === null ? null : checkDriverId(input.driverId);
  if (input.masterPass !== undefined) changes.masterPass = input.masterPass;
  if (input.allowConcurrent !== undefined) changes.allowConcurrent = input.allowConcurrent;
  if (input.evseRestrictions !== undefined) changes.evseRestrictions = input.evseRestrictions === null ? null : checkRestrictions(input.evseRestrictions);
  return changes;
}
