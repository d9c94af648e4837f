import type { ColumnType, Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface ApiTokensTable {
  id: string;
  tenant_id: string;
  name: string;
  /** SHA-256 of the token: tokens are 256-bit random values, so a fast hash is enough to store. */
  token_hash: string;
  role: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  /** API-key scopes (`sessions`, `stations:read`, ...); null: every route the role allows. */
  scopes: ColumnType<string[] | null, string | null, string | null>;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  /** operator | driver */
  kind: string;
  email: string;
  name: string;
  /** scrypt; null for an account that signs in only with OIDC or has not set one yet. */
  password_hash: string | null;
  /** Operator role; drivers carry 'viewer' and are told apart by kind. */
  role: string;
  /** Site scoping: null sees the whole tenant. */
  site_ids: ColumnType<string[] | null, string | null, string | null>;
  /** Drivers: the id_tokens.driver_id their tokens carry. */
  driver_id: string | null;
  oidc_subject: string | null;
  disabled: Generated<boolean>;
  created_at: Generated<Date>;
}

/** One sign-in; logout or a reused refresh token revokes it and every token it issued. */
export interface LoginSessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface LoginTokensTable {
  /** SHA-256 of the opaque token. */
  token_hash: string;
  session_id: string;
  /** access | refresh */
  kind: string;
  expires_at: Date;
  /** Refresh tokens: set when rotated; a second use revokes the session. */
  used_at: Date | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface AccountsTables {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  login_sessions: LoginSessionsTable;
  login_tokens: LoginTokensTable;
  password_resets: PasswordResetsTable;
}
