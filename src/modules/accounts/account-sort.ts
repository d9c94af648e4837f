import type { Selectable } from 'kysely';
import { columnKey, ListSort, timestampKey } from '../../platform/list-sort.js';
import type { ApiTokensTable, TenantsTable, UsersTable } from './tables.js';

/**
 * `?sort=` on /api/v1/tenants, /users, /drivers and /api-keys (ADR 025). Each defaults to id, as
 * before sorting existed, and still takes the last id as `after`.
 */
const byId = <Row extends { id: string }>() => columnKey<Row>('id', 'text', (row) => row.id);
const lastIdCursor = (raw: string) => raw.length <= 64;

export const TENANT_SORT = new ListSort<Selectable<TenantsTable>>({
  defaultSort: 'id',
  id: byId(),
  fields: { id: byId(), name: columnKey('name', 'text', (row) => row.name), createdAt: timestampKey('created_at', (row) => row.created_at) },
  legacyIdCursor: lastIdCursor,
});

export const USER_SORT = new ListSort<Selectable<UsersTable>>({
  defaultSort: 'id',
  id: byId(),
  fields: {
    id: byId(),
    email: columnKey('email', 'text', (row) => row.email),
    name: columnKey('name', 'text', (row) => row.name),
    role: columnKey('role', 'text', (row) => row.role),
    createdAt: timestampKey('created_at', (row) => row.created_at),
  },
  legacyIdCursor: lastIdCursor,
});

export const API_KEY_SORT = new ListSort<Selectable<ApiTokensTable>>({
  defaultSort: 'id',
  id: byId(),
  fields: {
    id: byId(),
    name: columnKey('name', 'text', (row) => row.name),
    role: columnKey('role', 'text', (row) => row.role),
    createdAt: timestampKey('created_at', (row) => row.created_at),
  },
  legacyIdCursor: lastIdCursor,
});
