import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { hashToken } from '../../platform/passwords.js';
import type { AccountsTables } from './tables.js';
import type { Principal, Role } from './types.js';
import { DEFAULT_TENANT_ID } from './migrations.js';

export interface AccountsServiceDeps {
  db: Kysely<AccountsTables>;
  clock: Clock;
  ids: IdSource;
}

export interface BootstrapResult {
  /** Set only when this call generated the token: it is shown once and never stored in clear. */
  generatedToken?: string;
  created: boolean;
}

export class AccountsService {
  constructor(private readonly deps: AccountsServiceDeps) {}

  /**
   * First start: with a bootstrap secret, make it an owner token (idempotent); without one, mint
   * a token and hand it back to be printed once. Does nothing once any token exists.
   */
  async bootstrapAdminToken(bootstrapSecret: string | undefined): Promise<BootstrapResult> {
    const { db } = this.deps;
    if (bootstrapSecret) {
      const existing = await db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(bootstrapSecret)).executeTakeFirst();
      if (existing) return { created: false };
      const any = await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
      if (any) return { created: false };
      await this.createToken(DEFAULT_TENANT_ID, 'bootstrap admin', 'owner', bootstrapSecret);
      return { created: true };
    }
    const any = await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
    if (any) return { created: false };
    const token = `amp_${this.deps.ids.secret(32)}`;
    await this.createToken(DEFAULT_TENANT_ID, 'bootstrap admin', 'owner', token);
    return { created: true, generatedToken: token };
  }

  async createToken(tenantId: string, name: string, role: Role, token: string): Promise<string> {
    const id = this.deps.ids.uuid();
    await this.deps.db
      .insertInto('api_tokens')
      .values({ id, tenant_id: tenantId, name, role, token_hash: hashToken(token), last_used_at: null })
      .execute();
    return id;
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    const row = await this.deps.db
      .selectFrom('api_tokens')
      .select(['id', 'tenant_id', 'name', 'role'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) return undefined;
    return { tenantId: row.tenant_id, kind: 'api-token', id: row.id, name: row.name, role: row.role as Role };
  }
}
