export { AccountsService } from './service.js';
export type { BootstrapResult, ScopeLookup } from './service.js';
export { accountsMigrations, DEFAULT_TENANT_ID } from './migrations.js';
export { registerAccountRoutes } from './routes.js';
export { registerAuthRoutes } from './auth-routes.js';
export { scopesAllow } from './api-keys.js';
export type { AccountsTables } from './tables.js';
export type * from './types.js';
