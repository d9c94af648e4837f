import type { Kysely, Selectable } from 'kysely';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import type { SitesTable, SitesTables } from './tables.js';
import type { SiteInput, SiteView } from './types.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { SITE_SORT } from './site-sort.js';

export interface SitesServiceDeps {
  db: Kysely<SitesTables>;
  ids: IdSource;
}

/** Time zones this Node build knows (IANA names). */
function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new DomainError('InvalidInput', `unknown time zone "${timeZone}" (use an IANA name such as Europe/Oslo)`, { field: 'timeZone' });
  }
}

function checkOpeningHours(hours: SiteInput['openingHours']): void {
  if (!hours || hours.twentyfourseven) return;
  for (const period of hours.regularHours ?? []) {
    if (period.periodBegin >= period.periodEnd) {
      throw new DomainError('InvalidInput', `opening period ${period.periodBegin}-${period.periodEnd} ends before it begins`, {
        field: 'openingHours.regularHours',
      });
    }
  }
}

export class SitesService {
  constructor(private readonly deps: SitesServiceDeps) {}

  async create(tenantId: string, input: SiteInput): Promise<SiteView> {
    checkTimeZone(input.timeZone);
    checkOpeningHours(input.openingHours);
    const id = this.deps.ids.uuid();
    await this.deps.db
      .insertInto('sites')
      .values({ id, tenant_id: tenantId, ...columnsOf(input), opening_hours: JSON.stringify(input.openingHours ?? { twentyfourseven: true }) })
      .execute();
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<SiteView> {
    const row = await this.deps.db.selectFrom('sites').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NotFound', `site ${id} not found`);
    return toView(row);
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    const row = await this.deps.db.selectFrom('sites').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  /** Sites by id, after the id `after`. */
  async list(tenantId: string, options: { limit: number; after?: string | undefined; ids?: readonly string[] | undefined }): Promise<SiteView[]> {
    return (await this.page(tenantId, options.ids, { limit: options.limit, after: options.after })).items;
  }

  /** One page of the API's list, in `sort` order (ADR 025); `ids` scopes a site-scoped caller. */
  async page(tenantId: string, ids: readonly string[] | undefined, options: ListWindowQuery): Promise<Page<SiteView>> {
    const window = SITE_SORT.window(options);
    if (ids?.length === 0) return { items: [], nextCursor: null };
    let query = this.deps.db.selectFrom('sites').selectAll().where('tenant_id', '=', tenantId);
    if (ids) query = query.where('id', 'in', ids);
    return mapPage(window.page(await window.apply(query).limit(window.limit + 1).execute()), toView);
  }

  async update(tenantId: string, id: string, input: Partial<SiteInput>): Promise<SiteView> {
    const current = await this.get(tenantId, id);
    if (input.timeZone !== undefined) checkTimeZone(input.timeZone);
    checkOpeningHours(input.openingHours);
    const merged: SiteInput = {
      name: input.name ?? current.name,
      timeZone: input.timeZone ?? current.timeZone,
      address: input.address ?? {
        street: current.address.street ?? undefined,
        city: current.address.city ?? undefined,
        postalCode: current.address.postalCode ?? undefined,
        country: current.address.country ?? undefined,
      },
      coordinates: input.coordinates ?? current.coordinates ?? undefined,
    };
    await this.deps.db
      .updateTable('sites')
      .set({ ...columnsOf(merged), opening_hours: JSON.stringify(input.openingHours ?? current.openingHours) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }
}

function columnsOf(input: SiteInput) {
  return {
    name: input.name,
    street: input.address?.street ?? null,
    city: input.address?.city ?? null,
    postal_code: input.address?.postalCode ?? null,
    country: input.address?.country ?? null,
    latitude: input.coordinates?.latitude ?? null,
    longitude: input.coordinates?.longitude ?? null,
    time_zone: input.timeZone,
  };
}

function toView(row: Selectable<SitesTable>): SiteView {
  return {
    id: row.id,
    name: row.name,
    address: { street: row.street, city: row.city, postalCode: row.postal_code, country: row.country },
    coordinates: row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : null,
    timeZone: row.time_zone,
    openingHours: row.opening_hours,
    createdAt: row.created_at.toISOString(),
  };
}
