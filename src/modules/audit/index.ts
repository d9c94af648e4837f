export { AuditService } from './service.js';
export type { AuditServiceDeps } from './service.js';
export { auditMigrations } from './migrations.js';
export { registerAuditRoutes } from './routes.js';
export { redactBody, REDACTED } from './redact.js';
export type { AuditTables } from './tables.js';
export type * from './types.js';
