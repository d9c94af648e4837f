export { AccountsService } from './service.js';
export type { BootstrapResult } from './service.js';
export { accountsMigrations, DEFAULT_TENANT_ID } from './migrations.js';
export type { AccountsTables } from './tables.js';
export type { Principal, Role } from './types.js';
