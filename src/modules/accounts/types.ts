export type { Principal, Role } from '../../platform/principal.js';
import type { Role } from '../../platform/principal.js';

export interface TenantView {
  id: string;
  name: string;
  createdAt: string;
}

export type UserKind = 'operator' | 'driver';

export interface UserView {
  id: string;
  tenantId: string;
  kind: UserKind;
  email: string;
  name: string;
  role: Role;
  /** null: the whole tenant. */
  siteIds: string[] | null;
  driverId: string | null;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export interface CreateUserInput {
  email: string;
  name?: string | undefined;
  password?: string | undefined;
  role?: Role | undefined;
  siteIds?: string[] | null | undefined;
}

export interface CreateDriverInput {
  email: string;
  name?: string | undefined;
  password?: string | undefined;
  /** The id_tokens.driver_id this account owns; the account id when absent. */
  driverId?: string | undefined;
}

export interface UpdateUserInput {
  name?: string | undefined;
  role?: Role | undefined;
  siteIds?: string[] | null | undefined;
  disabled?: boolean | undefined;
  password?: string | undefined;
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  scopes: string[] | null;
  expiresAt: string | null;
  revoked: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  scopes?: string[] | undefined;
  expiresAt?: string | undefined;
}

/** What a sign-in or a refresh hands out (RFC 6749 §5.1 field names). */
export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}
