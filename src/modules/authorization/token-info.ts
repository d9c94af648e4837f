import type { AuthorizationResult } from './types.js';

/**
 * The authorization answer in each OCPP version's words. Plain data shaped like the wire, so the
 * version adapters (Authorize, StartTransaction, StopTransaction, TransactionEvent) share one
 * mapping; nothing here imports an OCPP adapter.
 */

/** OCPP 1.6 IdTagInfo. */
export interface IdTagInfo16 {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  expiryDate?: string;
  parentIdTag?: string;
}

/** OCPP 2.0.1 IdTokenInfoType (the fields this CSMS fills). */
export interface IdTokenInfo201 {
  status: AuthorizationResult['status'];
  cacheExpiryDateTime?: string;
  groupIdToken?: { idToken: string; type: string };
  evseId?: number[];
}

/** 1.6 idTag is a CiString20: a longer group id cannot be a parentIdTag. */
const ID_TAG_16_MAX = 20;

/**
 * 1.6 knows five statuses: the 2.0.1-only ones (Unknown, NotAtThisLocation, NotAllowedTypeEVSE,
 * NotAtThisTime, NoCredit) all become Invalid.
 */
export function toIdTagInfo16(result: AuthorizationResult): IdTagInfo16 {
  const status: IdTagInfo16['status'] =
    result.status === 'Accepted' || result.status === 'Blocked' || result.status === 'Expired' || result.status === 'ConcurrentTx' ? result.status : 'Invalid';
  const info: IdTagInfo16 = { status };
  if (result.expiresAt) info.expiryDate = result.expiresAt.toISOString();
  const parent = result.groupIdToken?.idToken;
  if (parent !== undefined && parent.length <= ID_TAG_16_MAX) info.parentIdTag = parent;
  return info;
}

export function toIdTokenInfo201(result: AuthorizationResult): IdTokenInfo201 {
  const info: IdTokenInfo201 = { status: result.status };
  if (result.expiresAt) info.cacheExpiryDateTime = result.expiresAt.toISOString();
  if (result.groupIdToken) info.groupIdToken = { idToken: result.groupIdToken.idToken, type: result.groupIdToken.type };
  if (result.evseIds && result.evseIds.length > 0) info.evseId = [...result.evseIds];
  return info;
}
