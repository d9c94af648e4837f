/** OCPP 2.0.1 IdTokenEnumType: every kind of identifier a driver can present. */
export const ID_TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'] as const;
export type IdTokenType = (typeof ID_TOKEN_TYPES)[number];

/** What an operator may set on a token. */
export const ID_TOKEN_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const;
export type IdTokenStatus = (typeof ID_TOKEN_STATUSES)[number];

/** The version-free answer to "may this token charge here": OCPP 2.0.1 AuthorizationStatusEnumType. */
export type AuthorizationStatus =
  | 'Accepted'
  | 'Blocked'
  | 'Expired'
  | 'Invalid'
  | 'Unknown'
  | 'ConcurrentTx'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'NoCredit';

/**
 * A presented identifier. `type` is the 2.0.1 IdTokenEnumType; a 1.6 idTag has no type, so the
 * 1.6 adapters leave it out (or pass ''), and it then matches a stored token of any type.
 */
export interface IdTokenRef {
  idToken: string;
  type?: string | undefined;
}

export interface AuthorizationContext {
  stationId: string;
  evseId?: number | undefined;
  /**
   * 'stop': the token is presented to end a transaction. Location restrictions and the
   * concurrent-transaction rule are about starting to charge, so they are not applied.
   */
  purpose?: 'start' | 'stop' | undefined;
  /** The transaction the authorization is for (a retried start, a TransactionEvent): it is not "another" transaction. */
  transactionId?: string | undefined;
}

export interface AuthorizationResult {
  status: AuthorizationStatus;
  groupIdToken?: { idToken: string; type: string } | undefined;
  expiresAt?: Date | undefined;
  /** The EVSEs of this station the token may use (2.0.1 idTokenInfo.evseId); absent: all of them. */
  evseIds?: number[] | undefined;
  tokenId?: string | undefined;
  driverId?: string | undefined;
  masterPass: boolean;
  allowConcurrent: boolean;
}

/**
 * One link of the authorization chain: an answer, or undefined for "don't know, ask the next".
 * An authorizer that cannot reach its source should answer undefined; a throw fails the request.
 */
export type Authorizer = (tenantId: string, token: IdTokenRef, context: AuthorizationContext) => Promise<AuthorizationResult | undefined>;

/** Implemented by the transactions module: is this token charging somewhere right now? */
export interface ActiveTransactions {
  hasActiveTransaction(tenantId: string, idToken: string, exceptTransactionId?: string): Promise<boolean>;
}

/** A token may be limited to some stations, or to some EVSEs of a station (C01.FR.20). */
export interface EvseRestriction {
  stationId: string;
  /** Absent: every EVSE of the station. */
  evseId?: number | undefined;
}

export interface TokenView {
  id: string;
  uid: string;
  type: IdTokenType;
  status: IdTokenStatus;
  expiresAt: string | null;
  groupId: string | null;
  driverId: string | null;
  masterPass: boolean;
  allowConcurrent: boolean;
  evseRestrictions: EvseRestriction[] | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateTokenInput {
  uid: string;
  type: IdTokenType;
  status?: IdTokenStatus | undefined;
  expiresAt?: string | null | undefined;
  groupId?: string | null | undefined;
  driverId?: string | null | undefined;
  masterPass?: boolean | undefined;
  allowConcurrent?: boolean | undefined;
  evseRestrictions?: EvseRestriction[] | null | undefined;
}

export type UpdateTokenInput = Partial<Omit<CreateTokenInput, 'uid' | 'type'>>;

export interface TokenFilter {
  uid?: string | undefined;
  type?: IdTokenType | undefined;
  status?: IdTokenStatus | undefined;
  groupId?: string | undefined;
  driverId?: string | undefined;
}
