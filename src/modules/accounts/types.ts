export type { Principal, Role } from '../../platform/principal.js';
