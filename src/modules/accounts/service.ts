import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import type { ScryptCost } from '../../platform/passwords.js';
import type { AccountsTables } from './tables.js';
import type { Principal, Role, UserView } from './types.js';
import { DEFAULT_TENANT_ID } from './migrations.js';
import { ApiKeysService } from './api-keys.js';
import { LoginService } from './logins.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleLimits } from './throttle.js';
import { TenantsService } from './tenants.js';
import { UsersService, type UserRow } from './users.js';

/** What the accounts module asks other modules, wired by the composition root. */
export interface ScopeLookup {
  /** Station ids on these sites, for site-scoped users. */
  stationsOfSites(tenantId: string, siteIds: readonly string[]): Promise<string[]>;
  /** Id-token uids linked to a driver. */
  tokensOfDriver(tenantId: string, driverId: string): Promise<string[]>;
}

export interface AccountsServiceDeps {
  db: Kysely<AccountsTables>;
  clock: Clock;
  ids: IdSource;
  passwordCost?: ScryptCost | undefined;
  scopeLookup?: ScopeLookup | undefined;
  /** Password-reset links go here (the server log); the token is the secret part. */
  resetLink?: ((user: { id: string; email: string }, token: string) => void) | undefined;
  throttle?: Record<'account' | 'address', ThrottleLimits> | undefined;
}

export interface BootstrapResult {
  /** Set only when this call generated the token: it is shown once and never stored in clear. */
  generatedToken?: string;
  created: boolean;
}

const NO_SCOPE_LOOKUP: ScopeLookup = { stationsOfSites: async () => [], tokensOfDriver: async () => [] };

export class AccountsService {
  readonly tenants: TenantsService;
  readonly users: UsersService;
  readonly logins: LoginService;
  readonly apiKeys: ApiKeysService;

  constructor(private readonly deps: AccountsServiceDeps) {
    this.tenants = new TenantsService(deps.db);
    this.users = new UsersService({ db: deps.db, ids: deps.ids, clock: deps.clock, passwordCost: deps.passwordCost });
    this.apiKeys = new ApiKeysService({ db: deps.db, clock: deps.clock, ids: deps.ids });
    this.logins = new LoginService({
      db: deps.db,
      users: this.users,
      clock: deps.clock,
      ids: deps.ids,
      throttle: new LoginThrottle(deps.clock, deps.throttle ?? DEFAULT_THROTTLE),
      passwordCost: deps.passwordCost,
      resetLink: deps.resetLink ?? (() => undefined),
    });
  }

  /**
   * First start: with a bootstrap secret, make it an owner token (idempotent); without one, mint
   * a token and hand it back to be printed once. Does nothing once any token exists.
   */
  async bootstrapAdminToken(bootstrapSecret: string | undefined): Promise<BootstrapResult> {
    const { db } = this.deps;
    const any = await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
    if (bootstrapSecret) {
      const existing = await this.apiKeys.authenticate(bootstrapSecret);
      if (existing || any) return { created: false };
      await this.createToken(DEFAULT_TENANT_ID, 'bootstrap admin', 'owner', bootstrapSecret);
      return { created: true };
    }
    if (any) return { created: false };
    const token = `amp_${this.deps.ids.secret(32)}`;
    await this.createToken(DEFAULT_TENANT_ID, 'bootstrap admin', 'owner', token);
    return { created: true, generatedToken: token };
  }

  createToken(tenantId: string, name: string, role: Role, token: string): Promise<string> {
    return this.apiKeys.insert(tenantId, name, role, token);
  }

  /** `ampline admin create`: an owner of the default tenant (an installation superuser, ADR 021). */
  async createOwner(email: string, password: string | undefined): Promise<{ user: UserView; generatedPassword?: string }> {
    const generatedPassword = password ? undefined : this.deps.ids.secret(12);
    const user = await this.users.createOperator(DEFAULT_TENANT_ID, { email, password: password ?? generatedPassword, role: 'owner' }, 'owner');
    return generatedPassword ? { user, generatedPassword } : { user };
  }

  /** A Bearer token: an API key, or an access token from a sign-in. */
  async authenticateToken(token: string): Promise<Principal | undefined> {
    const key = await this.apiKeys.authenticate(token);
    if (key) {
      const role = key.role as Role;
      const principal: Principal = { tenantId: key.tenant_id, kind: 'api-token', id: key.id, name: key.name, role };
      if (key.tenant_id === DEFAULT_TENANT_ID && role === 'owner') principal.superuser = true;
      if (key.scopes) principal.scopes = key.scopes;
      return principal;
    }
    const access = await this.logins.authenticateAccess(token);
    if (!access) return undefined;
    return { ...(await this.principalOf(access.user)), session: access.sessionId };
  }

  private async principalOf(user: UserRow): Promise<Principal> {
    const lookup = this.deps.scopeLookup ?? NO_SCOPE_LOOKUP;
    const base = { tenantId: user.tenant_id, id: user.id, name: user.name };
    if (user.kind === 'driver') {
      const driverId = user.driver_id ?? user.id;
      return { ...base, kind: 'driver', role: 'viewer', driver: { id: driverId, idTokens: await lookup.tokensOfDriver(user.tenant_id, driverId) } };
    }
    const role = user.role as Role;
    const principal: Principal = { ...base, kind: 'user', role };
    if (user.tenant_id === DEFAULT_TENANT_ID && role === 'owner') principal.superuser = true;
    if (user.site_ids) {
      principal.scope = { siteIds: user.site_ids, stationIds: await lookup.stationsOfSites(user.tenant_id, user.site_ids) };
    }
    return principal;
  }
}
