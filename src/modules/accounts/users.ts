import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import { hashPassword, type ScryptCost } from '../../platform/passwords.js';
import { roleAtLeast, type Role } from '../../platform/principal.js';
import type { AccountsTables, UsersTable } from './tables.js';
import type { CreateDriverInput, CreateUserInput, UpdateUserInput, UserKind, UserView } from './types.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { USER_SORT } from './account-sort.js';

export type UserRow = Selectable<UsersTable>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
export const PASSWORD_MIN = 10;

export function checkNewPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > 256) {
    throw new DomainError('InvalidInput', `password must be ${PASSWORD_MIN} to 256 characters`, { field: 'password' });
  }
}

export interface UsersServiceDeps {
  db: Kysely<AccountsTables>;
  ids: IdSource;
  clock: Clock;
  passwordCost?: ScryptCost | undefined;
}

/** Operator users and driver accounts; every query is scoped by tenant except sign-in by email. */
export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  /** `actorRole`: nobody hands out a role above their own. */
  async createOperator(tenantId: string, input: CreateUserInput, actorRole: Role): Promise<UserView> {
    const role = input.role ?? 'viewer';
    if (!roleAtLeast(actorRole, role)) throw new DomainError('Forbidden', `a ${actorRole} cannot create a ${role}`, { field: 'role' });
    return this.insert(tenantId, 'operator', input, { role, site_ids: input.siteIds ? JSON.stringify(input.siteIds) : null, driver_id: null });
  }

  async createDriver(tenantId: string, input: CreateDriverInput): Promise<UserView> {
    return this.insert(tenantId, 'driver', input, { role: 'viewer', site_ids: null, driver_id: input.driverId ?? null });
  }

  private async insert(
    tenantId: string,
    kind: UserKind,
    input: { email: string; name?: string | undefined; password?: string | undefined },
    extra: { role: Role; site_ids: string | null; driver_id: string | null },
  ): Promise<UserView> {
    if (!EMAIL.test(input.email)) throw new DomainError('InvalidInput', 'email is not an address', { field: 'email' });
    if (input.password !== undefined) checkNewPassword(input.password);
    const id = this.deps.ids.uuid();
    const inserted = await this.deps.db
      .insertInto('users')
      .values({
        id,
        tenant_id: tenantId,
        kind,
        email: input.email,
        name: input.name ?? input.email,
        password_hash: input.password ? await hashPassword(input.password, this.deps.passwordCost) : null,
        ...extra,
        driver_id: kind === 'driver' ? (extra.driver_id ?? id) : null,
        oidc_subject: null,
      })
      .onConflict((oc) => oc.expression(sqlLowerEmail).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) throw new DomainError('AlreadyExists', `an account with email ${input.email} exists`, { field: 'email' });
    return toUserView(inserted);
  }

  async list(tenantId: string, kind: UserKind, options: ListWindowQuery): Promise<Page<UserView>> {
    const window = USER_SORT.window(options);
    const query = this.deps.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind);
    return mapPage(window.page(await window.apply(query).limit(window.limit + 1).execute()), toUserView);
  }

  async get(tenantId: string, kind: UserKind, id: string): Promise<UserView> {
    return toUserView(await this.row(tenantId, kind, id));
  }

  async update(tenantId: string, kind: UserKind, id: string, input: UpdateUserInput, actorRole: Role): Promise<UserView> {
    const current = await this.row(tenantId, kind, id);
    // Changing someone at or above your own rank, or raising them above it, is refused.
    if (kind === 'operator' && (!roleAtLeast(actorRole, current.role as Role) || (input.role && !roleAtLeast(actorRole, input.role)))) {
      throw new DomainError('Forbidden', `a ${actorRole} cannot change a ${input.role ?? current.role}`, { field: 'role' });
    }
    if (input.password !== undefined) checkNewPassword(input.password);
    const changes: Partial<Record<keyof UsersTable, unknown>> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.role !== undefined && kind === 'operator') changes.role = input.role;
    if (input.siteIds !== undefined && kind === 'operator') changes.site_ids = input.siteIds === null ? null : JSON.stringify(input.siteIds);
    if (input.disabled !== undefined) changes.disabled = input.disabled;
    if (input.password !== undefined) changes.password_hash = await hashPassword(input.password, this.deps.passwordCost);
    const row = await this.deps.db
      .updateTable('users')
      .set(changes as never)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.disabled) await this.revokeSessions(id);
    return toUserView(row);
  }

  async revokeSessions(userId: string): Promise<void> {
    await this.deps.db.updateTable('login_sessions').set({ revoked_at: this.deps.clock.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  /** Sign-in looks accounts up by email across tenants (emails are unique installation-wide). */
  byEmail(email: string): Promise<UserRow | undefined> {
    return this.deps.db.selectFrom('users').selectAll().where(sqlLowerEmail, '=', email.toLowerCase()).executeTakeFirst();
  }

  byId(id: string): Promise<UserRow | undefined> {
    return this.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setPassword(userId: string, password: string): Promise<void> {
    checkNewPassword(password);
    await this.deps.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(password, this.deps.passwordCost) })
      .where('id', '=', userId)
      .execute();
  }

  async linkOidcSubject(userId: string, subject: string): Promise<void> {
    await this.deps.db.updateTable('users').set({ oidc_subject: subject }).where('id', '=', userId).execute();
  }

  async count(): Promise<number> {
    const row = await this.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async row(tenantId: string, kind: UserKind, id: string): Promise<UserRow> {
    const row = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new DomainError('NotFound', `${kind === 'driver' ? 'driver' : 'user'} ${id} not found`);
    return row;
  }
}

const sqlLowerEmail = sql<string>`lower(email)`;

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind === 'driver' ? 'driver' : 'operator',
    email: row.email,
    name: row.name,
    role: row.role as Role,
    siteIds: row.site_ids,
    driverId: row.driver_id,
    disabled: row.disabled,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at.toISOString(),
  };
}
