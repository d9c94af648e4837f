import type { Generated } from 'kysely';

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
}

export interface AccountsTables {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
}
