import type { DomainEvent } from '../../platform/bus.js';
import { driverTokensOf, siteScopeOf, stationScopeOf, type Principal } from '../../platform/principal.js';

/**
 * Whether a caller may see an event on the live stream. The route checks this for every event
 * (live and replayed); pass another function to registerEventStreamRoutes to narrow it further.
 */
export type EventVisibility = (principal: Principal, event: DomainEvent) => boolean;

export const sameTenant: EventVisibility = (principal, event) => principal.tenantId === event.tenantId;

function field(event: DomainEvent, name: string): unknown {
  const payload = event.payload as Record<string, unknown> | null | undefined;
  return typeof payload === 'object' && payload !== null ? payload[name] : undefined;
}

/**
 * What the caller may see (ADR 021), the default of the stream:
 * - the caller's tenant only;
 * - drivers see nothing: the route is not `driver: 'own'`, this only backs that up (events name
 *   stations, sessions and tokens of other drivers, and most carry no token to filter by);
 * - a site-scoped user sees events of stations in their sites and events naming one of their sites.
 *   Events with neither (users, API keys, webhooks, tariffs, audit) are tenant-wide and hidden from
 *   them: those describe the whole tenant, which a site-scoped user may not list either.
 * The scope is the one resolved when the stream was opened (the principal of that request); a
 * station moved into or out of the user's sites later counts from their next connection.
 */
export const callerMaySee: EventVisibility = (principal, event) => {
  if (!sameTenant(principal, event)) return false;
  if (driverTokensOf(principal) !== undefined) return false;
  const stations = stationScopeOf(principal);
  const sites = siteScopeOf(principal);
  if (!stations && !sites) return true;
  const stationId = field(event, 'stationId');
  if (typeof stationId === 'string') return stations?.includes(stationId) ?? true;
  const siteId = field(event, 'siteId');
  if (typeof siteId === 'string') return sites?.includes(siteId) ?? true;
  return false;
};
