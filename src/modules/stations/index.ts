export { StationsService, checkStationId, parseBootStatus } from './service.js';
export type { StationsServiceDeps } from './service.js';
export { StationsStore } from './store.js';
export { stationsMigrations } from './migrations.js';
export type { StationsTables } from './tables.js';
export type * from './types.js';
export type * from './events.js';
export { BOOT_STATUSES } from './types.js';
export { registerStationRoutes } from './routes.js';
