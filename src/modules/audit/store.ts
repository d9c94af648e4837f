import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, AuditTables } from './tables.js';
import type { AuditEntryInput, AuditEntryView } from './types.js';
import type { SortedWindow } from '../../platform/list-sort.js';

/** The audit log's SQL. Only inserts and selects: the table refuses anything else (see migrations). */
export class AuditStore {
  constructor(private readonly db: Kysely<AuditTables>) {}

  async insert(entry: AuditEntryInput): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        tenant_id: entry.tenantId,
        at: entry.at,
        actor_kind: entry.actor.kind,
        actor_id: entry.actor.id,
        actor_name: entry.actor.name,
        action: `${entry.method} ${entry.route}`,
        method: entry.method,
        route: entry.route,
        params: JSON.stringify(entry.params),
        body: entry.body === null || entry.body === undefined ? null : JSON.stringify(entry.body),
        ip: entry.ip,
        user_agent: entry.userAgent,
        status_code: entry.statusCode,
        problem_type: entry.problemType,
      })
      .execute();
  }

  /** In the window's order; fetches `window.limit + 1` rows, the extra one telling whether more exist. */
  list(
    tenantId: string,
    filter: { actor?: string | undefined; action?: string | undefined; from?: Date | undefined; to?: Date | undefined },
    window: SortedWindow<Selectable<AuditLogTable>>,
  ): Promise<Selectable<AuditLogTable>[]> {
    let query = this.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
    if (filter.actor !== undefined) {
      const actor = filter.actor;
      query = query.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
    }
    if (filter.action !== undefined) query = query.where('action', 'ilike', `%${escapeLike(filter.action)}%`);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    return window.apply(query).limit(window.limit + 1).execute();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function toView(row: Selectable<AuditLogTable>): AuditEntryView {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    method: row.method,
    route: row.route,
    params: row.params,
    body: row.body,
    ip: row.ip,
    userAgent: row.user_agent,
    statusCode: row.status_code,
    problemType: row.problem_type,
  };
}
