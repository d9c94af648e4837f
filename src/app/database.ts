import type { Kysely } from 'kysely';
import type { NamedMigration } from '../platform/db/migrate.js';
import { compiledModuleUrl } from '../platform/db/db-procedures.js';
import { accountsMigrations, type AccountsTables } from '../modules/accounts/index.js';
import { authorizationMigrations, type AuthorizationTables } from '../modules/authorization/index.js';
import { sitesMigrations, type SitesTables } from '../modules/sites/index.js';
import { stationsMigrations, type StationsTables } from '../modules/stations/index.js';
import { transactionsMigrations, type TransactionsTables } from '../modules/transactions/index.js';
import { commandsMigrations, type CommandsTables } from '../modules/commands/index.js';
import { firmwareMigrations, type FirmwareTables } from '../modules/firmware/index.js';
import { diagnosticsMigrations, type DiagnosticsTables } from '../modules/diagnostics/index.js';
import { deviceModelMigrations, type DeviceModelTables } from '../modules/device-model/index.js';
import { auditMigrations, type AuditTables } from '../modules/audit/index.js';
import { webhooksMigrations, type WebhooksTables } from '../modules/webhooks/index.js';
import { idempotencyMigrations, type IdempotencyTables } from '../modules/idempotency/index.js';

/** Every module's tables; each module only ever sees its own slice. */
export type Database =
  & AccountsTables
  & AuthorizationTables
  & SitesTables
  & StationsTables
  & TransactionsTables
  & CommandsTables
  & FirmwareTables
  & DiagnosticsTables
  & DeviceModelTables
  & AuditTables
  & WebhooksTables
  & IdempotencyTables;

export type AppDb = Kysely<Database>;

/** In order; the migrator sorts by name, and names sort in the order they must run. */
export const migrations: readonly NamedMigration[] = [
  ...accountsMigrations,
  ...authorizationMigrations,
  ...sitesMigrations,
  ...stationsMigrations,
  ...transactionsMigrations,
  ...commandsMigrations,
  ...firmwareMigrations,
  ...diagnosticsMigrations,
  ...deviceModelMigrations,
  ...auditMigrations,
  ...webhooksMigrations,
  ...idempotencyMigrations,
];

/** Modules whose database procedures the embedded database's thread loads (ADR 034). */
export const DB_PROCEDURE_MODULES: readonly string[] = [compiledModuleUrl('../modules/transactions/batch-procedures.js', import.meta.url)];

/**
 * Hands a module a Kysely typed with only its own tables. Kysely's type parameter is invariant,
 * so the narrowing is a cast; the conditional type refuses it unless Database holds every table T names.
 */
export function moduleDb<T>(db: AppDb): Database extends T ? Kysely<T> : never {
  return db as unknown as Database extends T ? Kysely<T> : never;
}
