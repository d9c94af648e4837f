import type { DomainEvent } from '../../platform/bus.js';
import type { Principal } from '../../platform/principal.js';

/**
 * Whether a caller may see an event on the live stream. Today: events of the caller's tenant.
 * This is the hook for finer scoping (a driver sees only events about their own tokens and
 * sessions, a site-scoped user only their sites' stations): pass another function to
 * registerEventStreamRoutes; it gets every event the tenant check let through.
 */
export type EventVisibility = (principal: Principal, event: DomainEvent) => boolean;

export const sameTenant: EventVisibility = (principal, event) => principal.tenantId === event.tenantId;
