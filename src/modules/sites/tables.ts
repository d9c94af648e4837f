import type { ColumnType, Generated } from 'kysely';

export interface SitesTable {
  id: string;
  tenant_id: string;
  name: string;
  street: string | null;
  city: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  time_zone: string;
  /** OCPI-style opening hours: { twentyfourseven } or { regularHours: [{weekday, periodBegin, periodEnd}] }. */
  opening_hours: ColumnType<OpeningHours, string, string>;
  created_at: Generated<Date>;
}

export interface OpeningHours {
  twentyfourseven: boolean;
  regularHours?: { weekday: number; periodBegin: string; periodEnd: string }[];
}

export interface SitesTables {
  sites: SitesTable;
}
