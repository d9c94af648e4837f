import type { Kysely } from 'kysely';
import type { NamedMigration } from '../platform/db/migrate.js';
import { accountsMigrations, type AccountsTables } from '../modules/accounts/index.js';
import { authorizationMigrations, type AuthorizationTables } from '../modules/authorization/index.js';
import { sitesMigrations, type SitesTables } from '../modules/sites/index.js';
import { stationsMigrations, type StationsTables } from '../modules/stations/index.js';
import { transactionsMigrations, type TransactionsTables } from '../modules/transactions/index.js';
import { auditMigrations, type AuditTables } from '../modules/audit/index.js';
import { webhooksMigrations, type WebhooksTables } from '../modules/webhooks/index.js';
import { idempotencyMigrations, type IdempotencyTables } from '../modules/idempotency/index.js';

/** Every module's tables; each module only ever sees its own slice. */
export type Database = AccountsTables & StationsTables & SitesTables & AuthorizationTables & TransactionsTables & AuditTables & WebhooksTables & IdempotencyTables;

export type AppDb = Kysely<Database>;

/** In order; names sort in the order they must run. */
export const migrations: readonly NamedMigration[] = [...accountsMigrations, ...stationsMigrations, ...sitesMigrations, ...authorizationMigrations, ...transactionsMigrations, ...auditMigrations, ...webhooksMigrations, ...idempotencyMigrations];

/**
 * Hands a module a Kysely typed with only its own tables. Kysely's type parameter is invariant,
 * so the narrowing is a cast; the conditional type refuses it unless Database holds every table T names.
 */
export function moduleDb<T>(db: AppDb): Database extends T ? Kysely<T> : never {
  return db as unknown as Database extends T ? Kysely<T> : never;
}
