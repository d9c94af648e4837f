import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import { hashToken } from '../../platform/passwords.js';
import { roleAtLeast, type Role } from '../../platform/principal.js';
import type { AccountsTables, ApiTokensTable } from './tables.js';
import type { ApiKeyView, CreateApiKeyInput } from './types.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { API_KEY_SORT } from './account-sort.js';

/** A scope names a resource (the path segment after /api/v1/), optionally `:read` for GET only. */
export const SCOPE_PATTERN = '^[a-z][a-z0-9-]*(:read)?$';

/** Does a key with these scopes reach this method and path? */
export function scopesAllow(scopes: readonly string[] | undefined, method: string, url: string): boolean {
  if (!scopes) return true;
  const resource = /^\/api\/v1\/([^/?.]+)/.exec(url)?.[1] ?? '';
  const reading = method === 'GET' || method === 'HEAD';
  return scopes.some((scope) => scope === resource || (reading && scope === `${resource}:read`));
}

/** Machine API keys (the api_tokens table): a role, optional scopes, optional expiry. */
export class ApiKeysService {
  constructor(private readonly deps: { db: Kysely<AccountsTables>; clock: Clock; ids: IdSource }) {}

  async create(tenantId: string, input: CreateApiKeyInput, actorRole: Role): Promise<ApiKeyView & { secret: string }> {
    if (!roleAtLeast(actorRole, input.role)) throw new DomainError('Forbidden', `a ${actorRole} cannot create a ${input.role} key`, { field: 'role' });
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.deps.clock.nowMs()) {
      throw new DomainError('InvalidInput', 'expiresAt must be in the future', { field: 'expiresAt' });
    }
    const secret = `amp_${this.deps.ids.secret(32)}`;
    const id = await this.insert(tenantId, input.name, input.role, secret, { scopes: input.scopes ?? null, expiresAt });
    return { ...(await this.get(tenantId, id)), secret };
  }

  async insert(tenantId: string, name: string, role: Role, secret: string, options: { scopes?: string[] | null; expiresAt?: Date | null } = {}): Promise<string> {
    const id = this.deps.ids.uuid();
    await this.deps.db
      .insertInto('api_tokens')
      .values({
        id,
        tenant_id: tenantId,
        name,
        role,
        token_hash: hashToken(secret),
        last_used_at: null,
        scopes: options.scopes ? JSON.stringify(options.scopes) : null,
        expires_at: options.expiresAt ?? null,
        revoked_at: null,
      })
      .execute();
    return id;
  }

  async list(tenantId: string, options: ListWindowQuery): Promise<Page<ApiKeyView>> {
    const window = API_KEY_SORT.window(options);
    const query = this.deps.db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenantId);
    return mapPage(window.page(await window.apply(query).limit(window.limit + 1).execute()), toView);
  }

  async get(tenantId: string, id: string): Promise<ApiKeyView> {
    const row = await this.deps.db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('NotFound', `API key ${id} not found`);
    return toView(row);
  }

  async revoke(tenantId: string, id: string): Promise<void> {
    const result = await this.deps.db
      .updateTable('api_tokens')
      .set({ revoked_at: this.deps.clock.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new DomainError('NotFound', `API key ${id} not found`);
  }

  /** The live key behind a secret, or undefined (unknown, revoked or expired). */
  async authenticate(secret: string): Promise<Selectable<ApiTokensTable> | undefined> {
    const row = await this.deps.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(secret)).executeTakeFirst();
    if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= this.deps.clock.nowMs())) return undefined;
    return row;
  }
}

function toView(row: Selectable<ApiTokensTable>): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    scopes: row.scopes,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revoked: row.revoked_at !== null,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}
