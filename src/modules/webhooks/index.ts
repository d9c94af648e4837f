export { WebhooksService, TEST_EVENT_TYPE } from './service.js';
export type { WebhooksServiceDeps } from './service.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs } from './sender.js';
export type { RetryPolicy } from './sender.js';
export { SIGNATURE_HEADER, signatureHeader, verifySignature } from './signature.js';
export { webhooksMigrations } from './migrations.js';
export { registerWebhookRoutes } from './routes.js';
export type { WebhooksTables } from './tables.js';
export type * from './types.js';
