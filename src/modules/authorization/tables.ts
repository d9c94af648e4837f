import type { ColumnType, Generated } from 'kysely';
import type { EvseRestriction } from './types.js';

export interface IdTokensTable {
  id: string;
  tenant_id: string;
  /** As the operator wrote it; matched case-insensitively (OCPP idTokens are case-insensitive). */
  uid: string;
  /** OCPP 2.0.1 IdTokenEnumType. */
  type: string;
  /** Accepted | Blocked | Expired | Invalid */
  status: string;
  expires_at: Date | null;
  /** The group token's uid (1.6 parentIdTag, 2.0.1 groupIdToken). */
  group_id: string | null;
  /** Free text until driver accounts arrive. */
  driver_id: string | null;
  master_pass: Generated<boolean>;
  allow_concurrent: Generated<boolean>;
  /** Null: valid everywhere. */
  evse_restrictions: ColumnType<EvseRestriction[] | null, string | null, string | null>;
  created_at: Date;
  updated_at: Date;
}

export interface AuthorizationTables {
  id_tokens: IdTokensTable;
}
