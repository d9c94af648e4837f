import type { Kysely } from 'kysely';
import { decodeCursor, pageOf, type Page } from '../../platform/pagination.js';
import { AuditStore } from './store.js';
import type { AuditTables } from './tables.js';
import type { AuditEntryInput, AuditEntryView, AuditQuery } from './types.js';

export interface AuditServiceDeps {
  db: Kysely<AuditTables>;
}

/** Records API mutations and answers who-did-what questions; nothing here can change a past entry. */
export class AuditService {
  private readonly store: AuditStore;

  constructor(deps: AuditServiceDeps) {
    this.store = new AuditStore(deps.db);
  }

  record(entry: AuditEntryInput): Promise<void> {
    return this.store.insert(entry);
  }

  async list(tenantId: string, query: AuditQuery): Promise<Page<AuditEntryView>> {
    const after = decodeCursor(query.cursor, { id: 'string' });
    const rows = await this.store.list(tenantId, {
      limit: query.limit + 1,
      beforeId: after?.id,
      actor: query.actor,
      action: query.action,
      from: query.from,
      to: query.to,
    });
    return pageOf(rows, query.limit, (row) => ({ id: row.id }));
  }
}
