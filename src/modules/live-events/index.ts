export { LiveEventBuffer } from './buffer.js';
export type { NumberedEvent } from './buffer.js';
export { registerEventStreamRoutes } from './routes.js';
export type { EventStreamDeps } from './routes.js';
export { callerMaySee, sameTenant } from './visibility.js';
export type { EventVisibility } from './visibility.js';
