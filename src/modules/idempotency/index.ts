export { IdempotencyService, KEY_RETENTION_MS } from './service.js';
export type { Claim, StoredAnswer } from './service.js';
export { idempotencyMigrations } from './migrations.js';
export type { IdempotencyTables } from './tables.js';
