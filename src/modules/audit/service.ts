import type { Kysely } from 'kysely';
import type { Page } from '../../platform/pagination.js';
import { mapPage } from '../../platform/list-sort.js';
import { AuditStore, toView } from './store.js';
import { AUDIT_SORT } from './audit-sort.js';
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
    const window = AUDIT_SORT.window(query);
    const rows = await this.store.list(tenantId, { actor: query.actor, action: query.action, from: query.from, to: query.to }, window);
    return mapPage(window.page(rows), toView);
  }
}
