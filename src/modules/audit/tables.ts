import type { ColumnType, Generated } from 'kysely';

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string;
  at: Date;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  /** `METHOD /route/:pattern`, what the filter `action=` matches. */
  action: string;
  method: string;
  route: string;
  params: ColumnType<Record<string, unknown>, string, string>;
  body: ColumnType<unknown, string | null, string | null>;
  ip: string | null;
  user_agent: string | null;
  status_code: number;
  problem_type: string | null;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
