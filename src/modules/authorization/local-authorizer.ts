import type { Clock } from '../../platform/clock.js';
import type { TokensStore, IdTokenRow } from './store.js';
import type { AuthorizationContext, AuthorizationResult, AuthorizationStatus, Authorizer, EvseRestriction } from './types.js';

/**
 * The group a token belongs to is a CSMS-side identifier, so it goes on the wire as a `Central`
 * IdToken (2.0.1 IdTokenEnumType: "generated in the CSMS"). Always the same type, so two members
 * of a group always carry the same groupIdToken (C09.FR.02).
 */
export const GROUP_ID_TOKEN_TYPE = 'Central';

/** A 1.6 idTag carries no type: the adapters leave it out or pass ''. */
export function isUntyped(type: string | undefined): type is undefined | '' {
  return type === undefined || type === '';
}

/**
 * First link of the chain: the tokens operators manage in this CSMS. Knows nothing about a token
 * it has no row for (the next authorizer, e.g. a roaming eMSP, may).
 */
export function localTokenAuthorizer(deps: { store: Pick<TokensStore, 'match'>; clock: Clock }): Authorizer {
  return async (tenantId, token, context) => {
    const row = await deps.store.match(tenantId, token.idToken, isUntyped(token.type) ? undefined : token.type);
    if (!row) return undefined;
    return decide(row, context, deps.clock.nowMs());
  };
}

function decide(row: IdTokenRow, context: AuthorizationContext, nowMs: number): AuthorizationResult {
  const base: Omit<AuthorizationResult, 'status'> = {
    groupIdToken: row.group_id ? { idToken: row.group_id, type: GROUP_ID_TOKEN_TYPE } : undefined,
    expiresAt: row.expires_at ?? undefined,
    tokenId: row.id,
    driverId: row.driver_id ?? undefined,
    masterPass: row.master_pass,
    allowConcurrent: row.allow_concurrent,
  };
  let status = row.status as AuthorizationStatus;
  if (status === 'Accepted' && row.expires_at && row.expires_at.getTime() <= nowMs) status = 'Expired';
  if (status !== 'Accepted' || context.purpose === 'stop') return { status, ...base };

  const allowed = allowedEvses(row.evse_restrictions, context.stationId);
  if (allowed === 'everywhere') return { status, ...base };
  // C01.FR.22: valid, but for none of this station's EVSEs.
  if (allowed.length === 0) return { status: 'NotAtThisLocation', ...base };
  // C01.FR.20: valid for a subset of the EVSEs; a start on another one is refused.
  if (context.evseId !== undefined && context.evseId > 0 && !allowed.includes(context.evseId)) {
    return { status: 'NotAllowedTypeEVSE', ...base, evseIds: allowed };
  }
  return { status, ...base, evseIds: allowed };
}

/** 'everywhere' (no restriction for this station), or the EVSE ids allowed here ([] = none). */
function allowedEvses(restrictions: EvseRestriction[] | null, stationId: string): 'everywhere' | number[] {
  if (!restrictions || restrictions.length === 0) return 'everywhere';
  const here = restrictions.filter((r) => r.stationId === stationId);
  if (here.some((r) => r.evseId === undefined)) return 'everywhere';
  return [...new Set(here.map((r) => r.evseId as number))].sort((a, b) => a - b);
}
