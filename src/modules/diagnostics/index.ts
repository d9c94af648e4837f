export { DiagnosticsService, LOG_FILES_PREFIX } from './service.js';
export type { DiagnosticsServiceDeps } from './service.js';
export { DiagnosticsStore } from './store.js';
export { diagnosticsMigrations } from './migrations.js';
export { registerDiagnosticsRoutes } from './routes.js';
export type { DiagnosticsTables } from './tables.js';
export type * from './types.js';
export type * from './events.js';
