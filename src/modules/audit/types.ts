/** One recorded API mutation: who, when, what, from where, and how it ended. */
export interface AuditEntryInput {
  tenantId: string;
  at: Date;
  actor: { kind: string; id: string; name: string };
  method: string;
  route: string;
  params: Record<string, unknown>;
  /** Already redacted (see redactBody). */
  body: unknown;
  ip: string | null;
  userAgent: string | null;
  statusCode: number;
  problemType: string | null;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  method: string;
  route: string;
  params: Record<string, unknown>;
  body: unknown;
  ip: string | null;
  userAgent: string | null;
  statusCode: number;
  problemType: string | null;
}

export interface AuditQuery {
  limit: number;
  cursor?: string | undefined;
  /** One of AUDIT_SORT's values; default newest first. */
  sort?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}
