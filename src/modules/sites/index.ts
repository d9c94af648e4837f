export { SitesService } from './service.js';
export { sitesMigrations } from './migrations.js';
export { registerSiteRoutes } from './routes.js';
export type { SitesTables } from './tables.js';
export type * from './types.js';
