import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError } from '../../platform/errors.js';
import { hashPassword, hashToken, verifyPassword, type ScryptCost } from '../../platform/passwords.js';
import type { AccountsTables } from './tables.js';
import type { LoginThrottle } from './throttle.js';
import type { TokenPair } from './types.js';
import type { UserRow, UsersService } from './users.js';

export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 30 * 24 * 3_600_000;
export const RESET_TTL_MS = 60 * 60_000;

export interface LoginServiceDeps {
  db: Kysely<AccountsTables>;
  users: UsersService;
  clock: Clock;
  ids: IdSource;
  throttle: LoginThrottle;
  passwordCost?: ScryptCost | undefined;
  /** Where a password-reset link goes: the server log (there is no mail yet). */
  resetLink: (user: { id: string; email: string }, token: string) => void;
}

/** A failed sign-in says the same whatever was wrong, so it does not reveal which emails exist. */
const BAD_LOGIN = 'email or password is wrong';

/**
 * Password sign-in, short-lived opaque access tokens with rotating refresh tokens (stored hashed,
 * a replayed refresh token revokes its whole sign-in), logout and reset links (ADR 021).
 */
export class LoginService {
  /** Verified when the account is unknown, so a miss costs as long as a wrong password. */
  private decoyHash: Promise<string> | undefined;

  constructor(private readonly deps: LoginServiceDeps) {}

  async login(email: string, password: string, address: string): Promise<TokenPair> {
    const keys = { account: email.toLowerCase(), address };
    this.deps.throttle.check(keys);
    const user = await this.deps.users.byEmail(email);
    this.decoyHash ??= hashPassword(this.deps.ids.secret(16), this.deps.passwordCost);
    const ok = await verifyPassword(password, user?.password_hash ?? (await this.decoyHash));
    if (!user?.password_hash || !ok || user.disabled) {
      this.deps.throttle.failed(keys);
      throw new DomainError('Unauthorized', BAD_LOGIN);
    }
    this.deps.throttle.succeeded(keys.account);
    return this.startSession(user);
  }

  /** Also used by OIDC once the provider vouched for the user. */
  async startSession(user: UserRow): Promise<TokenPair> {
    const sessionId = this.deps.ids.uuid();
    await this.deps.db
      .insertInto('login_sessions')
      .values({ id: sessionId, tenant_id: user.tenant_id, user_id: user.id, created_at: this.deps.clock.now(), revoked_at: null })
      .execute();
    return this.issue(sessionId);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.deps.clock.now();
    const row = await this.deps.db
      .selectFrom('login_tokens')
      .innerJoin('login_sessions', 'login_sessions.id', 'login_tokens.session_id')
      .innerJoin('users', 'users.id', 'login_sessions.user_id')
      .select(['login_tokens.token_hash', 'login_tokens.session_id', 'login_tokens.expires_at', 'login_tokens.used_at', 'login_sessions.revoked_at', 'users.disabled'])
      .where('login_tokens.token_hash', '=', hashToken(refreshToken))
      .where('login_tokens.kind', '=', 'refresh')
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled || row.expires_at <= now) throw new DomainError('Unauthorized', 'refresh token is not valid');
    // Only the first use rotates; the one-row update decides a race between two uses.
    const claimed = await this.deps.db
      .updateTable('login_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', row.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (row.used_at || Number(claimed.numUpdatedRows) === 0) {
      // A rotated refresh token came back: someone holds a copy. End the whole sign-in.
      await this.revokeSession(row.session_id);
      throw new DomainError('Unauthorized', 'refresh token was already used; the sign-in is revoked');
    }
    return this.issue(row.session_id);
  }

  async logout(sessionId: string): Promise<void> {
    await this.revokeSession(sessionId);
  }

  /** The sign-in behind a live access token, or undefined. */
  async authenticateAccess(token: string): Promise<{ user: UserRow; sessionId: string } | undefined> {
    const row = await this.deps.db
      .selectFrom('login_tokens')
      .innerJoin('login_sessions', 'login_sessions.id', 'login_tokens.session_id')
      .select(['login_tokens.session_id', 'login_tokens.expires_at', 'login_sessions.revoked_at', 'login_sessions.user_id'])
      .where('login_tokens.token_hash', '=', hashToken(token))
      .where('login_tokens.kind', '=', 'access')
      .executeTakeFirst();
    if (!row || row.revoked_at || row.expires_at <= this.deps.clock.now()) return undefined;
    const user = await this.deps.users.byId(row.user_id);
    if (!user || user.disabled) return undefined;
    return { user, sessionId: row.session_id };
  }

  /** Always answers the same, known email or not; the link is logged on the server. */
  async requestReset(email: string): Promise<void> {
    const user = await this.deps.users.byEmail(email);
    if (!user || user.disabled) return;
    const token = this.deps.ids.secret(32);
    await this.deps.db
      .insertInto('password_resets')
      .values({ token_hash: hashToken(token), user_id: user.id, expires_at: new Date(this.deps.clock.nowMs() + RESET_TTL_MS), used_at: null })
      .execute();
    this.deps.resetLink({ id: user.id, email: user.email }, token);
  }

  /** Sets the password once per link and ends every sign-in the account had. */
  async confirmReset(token: string, password: string): Promise<void> {
    const now = this.deps.clock.now();
    const claimed = await this.deps.db
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    if (!claimed) throw new DomainError('InvalidInput', 'the reset link is not valid or was used already', { field: 'token' });
    await this.deps.users.setPassword(claimed.user_id, password);
    await this.deps.users.revokeSessions(claimed.user_id);
  }

  private async revokeSession(sessionId: string): Promise<void> {
    await this.deps.db.updateTable('login_sessions').set({ revoked_at: this.deps.clock.now() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
  }

  private async issue(sessionId: string): Promise<TokenPair> {
    const nowMs = this.deps.clock.nowMs();
    const accessToken = `ampa_${this.deps.ids.secret(32)}`;
    const refreshToken = `ampr_${this.deps.ids.secret(32)}`;
    await this.deps.db
      .insertInto('login_tokens')
      .values([
        { token_hash: hashToken(accessToken), session_id: sessionId, kind: 'access', expires_at: new Date(nowMs + ACCESS_TTL_MS), used_at: null },
        { token_hash: hashToken(refreshToken), session_id: sessionId, kind: 'refresh', expires_at: new Date(nowMs + REFRESH_TTL_MS), used_at: null },
      ])
      .execute();
    return { tokenType: 'Bearer', accessToken, expiresIn: ACCESS_TTL_MS / 1000, refreshToken, refreshExpiresIn: REFRESH_TTL_MS / 1000 };
  }
}
