import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../../platform/errors.js';
import type { AccountsTables, TenantsTable } from './tables.js';
import type { TenantView } from './types.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { TENANT_SORT } from './account-sort.js';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Charge point operators sharing the installation; managed by a superuser (ADR 021). */
export class TenantsService {
  constructor(private readonly db: Kysely<AccountsTables>) {}

  async create(input: { id: string; name: string }): Promise<TenantView> {
    if (!TENANT_ID.test(input.id)) {
      throw new DomainError('InvalidInput', 'tenant id must be 2-63 lower-case letters, digits or dashes', { field: 'id' });
    }
    const inserted = await this.db
      .insertInto('tenants')
      .values({ id: input.id, name: input.name })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) throw new DomainError('AlreadyExists', `tenant ${input.id} exists`, { field: 'id' });
    return toView(inserted);
  }

  async list(options: ListWindowQuery): Promise<Page<TenantView>> {
    const window = TENANT_SORT.window(options);
    return mapPage(window.page(await window.apply(this.db.selectFrom('tenants').selectAll()).limit(window.limit + 1).execute()), toView);
  }

  async get(id: string): Promise<TenantView> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NotFound', `tenant ${id} not found`);
    return toView(row);
  }

  async rename(id: string, name: string): Promise<TenantView> {
    const row = await this.db.updateTable('tenants').set({ name }).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new DomainError('NotFound', `tenant ${id} not found`);
    return toView(row);
  }
}

function toView(row: Selectable<TenantsTable>): TenantView {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString() };
}
