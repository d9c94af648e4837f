import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { DomainError, isDomainError } from '../../platform/errors.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { TOKEN_SORT } from './token-sort.js';
import type { IdTokenChanges, IdTokenRow, NewIdTokenRow, TokensStore } from './store.js';
import { localTokenAuthorizer } from './local-authorizer.js';
import { TokenMatchCache } from './match-cache.js';
import { checkCreateInput, checkUpdateInput, type CheckedToken } from './token-input.js';
import { tokensFromCsv } from './csv.js';
import type {
  ActiveTransactions,
  AuthorizationContext,
  AuthorizationResult,
  Authorizer,
  CreateTokenInput,
  IdTokenRef,
  IdTokenStatus,
  IdTokenType,
  TokenFilter,
  TokenView,
  UpdateTokenInput,
} from './types.js';

export interface AuthorizationServiceDeps {
  store: TokensStore;
  clock: Clock;
  ids: IdSource;
  /** Who is charging now; the transactions module provides it (see setActiveTransactions). */
  activeTransactions?: ActiveTransactions | undefined;
}

/** Until the transactions module is wired in, nobody is charging. */
export const NO_ACTIVE_TRANSACTIONS: ActiveTransactions = { hasActiveTransaction: async () => false };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Id tokens and the answer to "may this token charge here". The answer comes from a chain of
 * authorizers asked in order: the local tokens first, then whatever is added (OCPI remote eMSP
 * authorization). Nobody knowing the token is `Unknown` (1.6: Invalid).
 *
 * Matching: idTokens are case-insensitive in both versions. A 2.0.1 token is (idToken, type); a
 * 1.6 idTag has no type and matches a stored token of any type, ISO14443 first.
 */
export class AuthorizationService {
  private readonly chain: Authorizer[];
  private activeTransactions: ActiveTransactions;
  /** Token rows for verdicts, reused briefly; every write below clears it. */
  private readonly matches: TokenMatchCache;

  constructor(private readonly deps: AuthorizationServiceDeps) {
    this.matches = new TokenMatchCache(deps.store, deps.clock);
    this.chain = [localTokenAuthorizer({ store: this.matches, clock: deps.clock })];
    this.activeTransactions = deps.activeTransactions ?? NO_ACTIVE_TRANSACTIONS;
  }

  /** Appends an authorizer, asked after every one before it answered "don't know". */
  addAuthorizer(authorizer: Authorizer): void {
    this.chain.push(authorizer);
  }

  /** The transactions module is built after this one (it calls authorize), so it plugs itself in. */
  setActiveTransactions(activeTransactions: ActiveTransactions): void {
    this.activeTransactions = activeTransactions;
  }

  async authorize(tenantId: string, token: IdTokenRef, context: AuthorizationContext): Promise<AuthorizationResult> {
    const result = await this.resolve(tenantId, token, context);
    if (result.status !== 'Accepted' || result.allowConcurrent || context.purpose === 'stop') return result;
    // 1.6 ConcurrentTx / 2.0.1 the same status: already charging elsewhere.
    if (await this.activeTransactions.hasActiveTransaction(tenantId, token.idToken, context.transactionId)) {
      return { ...result, status: 'ConcurrentTx' };
    }
    return result;
  }

  /** The chain's answer, before the concurrent-transaction rule. */
  private async resolve(tenantId: string, token: IdTokenRef, context: AuthorizationContext): Promise<AuthorizationResult> {
    // 2.0.1 NoAuthorization: the station charges without asking anyone; there is nothing to check.
    if (token.type === 'NoAuthorization') return { status: 'Accepted', masterPass: false, allowConcurrent: true };
    for (const authorizer of this.chain) {
      const answer = await authorizer(tenantId, token, context);
      if (answer) return answer;
    }
    return { status: 'Unknown', masterPass: false, allowConcurrent: false };
  }

  async create(tenantId: string, input: CreateTokenInput): Promise<TokenView> {
    const row = this.newRow(tenantId, checkCreateInput(input));
    const inserted = await this.deps.store.insert(row);
    this.matches.clear();
    if (!inserted) {
      throw new DomainError('AlreadyExists', `token ${row.uid} of type ${row.type} already exists`, { field: 'uid' });
    }
    return toView(row);
  }

  async get(tenantId: string, id: string): Promise<TokenView> {
    return toView(await this.row(tenantId, id));
  }

  /** Tokens by id, after the id `after` (internal callers walking every token). */
  async list(tenantId: string, options: TokenFilter & { limit: number; after?: string | undefined }): Promise<TokenView[]> {
    const { limit, after, ...filter } = options;
    return (await this.page(tenantId, filter, { limit, after })).items;
  }

  /** One page of the API's list, in `sort` order (ADR 025). */
  async page(tenantId: string, filter: TokenFilter, options: ListWindowQuery): Promise<Page<TokenView>> {
    const window = TOKEN_SORT.window(options);
    return mapPage(window.page(await this.deps.store.list(tenantId, filter, window)), toView);
  }

  async update(tenantId: string, id: string, input: UpdateTokenInput): Promise<TokenView> {
    await this.row(tenantId, id);
    const checked = checkUpdateInput(input);
    const changes: IdTokenChanges = { updated_at: this.deps.clock.now() };
    if (checked.status !== undefined) changes.status = checked.status;
    if (checked.expiresAt !== undefined) changes.expires_at = checked.expiresAt;
    if (checked.groupId !== undefined) changes.group_id = checked.groupId;
    if (checked.driverId !== undefined) changes.driver_id = checked.driverId;
    if (checked.masterPass !== undefined) changes.master_pass = checked.masterPass;
    if (checked.allowConcurrent !== undefined) changes.allow_concurrent = checked.allowConcurrent;
    if (checked.evseRestrictions !== undefined) changes.evse_restrictions = checked.evseRestrictions;
    const updated = await this.deps.store.update(tenantId, id, changes);
    this.matches.clear();
    if (!updated) throw notFound(id);
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const removed = UUID.test(id) && (await this.deps.store.remove(tenantId, id));
    this.matches.clear();
    if (!removed) throw notFound(id);
  }

  /**
   * CSV import, all or nothing: a bad line, a token listed twice or one that exists already
   * fails the whole file, naming the line, and nothing is written.
   */
  async importCsv(tenantId: string, text: string): Promise<{ imported: number }> {
    const rows: { line: number; row: NewIdTokenRow }[] = [];
    const seen = new Map<string, number>();
    for (const { line, input } of tokensFromCsv(text)) {
      let checked: CheckedToken;
      try {
        checked = checkCreateInput(input);
      } catch (err) {
        if (isDomainError(err)) throw new DomainError(err.code, `line ${line}: ${err.message}`, { ...err.details, line });
        throw err;
      }
      const key = `${checked.uid.toUpperCase()}\u0000${checked.type}`;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new DomainError('InvalidInput', `line ${line}: token ${checked.uid} (${checked.type}) is already on line ${first}`, { line, field: 'uid' });
      }
      seen.set(key, line);
      rows.push({ line, row: this.newRow(tenantId, checked) });
    }
    const conflicts = await this.deps.store.insertAllOrNothing(rows.map((r) => r.row));
    this.matches.clear();
    const conflict = conflicts[0];
    if (conflict) {
      const line = rows.find((r) => r.row.id === conflict.id)?.line;
      throw new DomainError('AlreadyExists', `line ${line}: token ${conflict.uid} (${conflict.type}) already exists; nothing was imported`, { line, field: 'uid' });
    }
    return { imported: rows.length };
  }

  private async row(tenantId: string, id: string): Promise<IdTokenRow> {
    const row = UUID.test(id) ? await this.deps.store.find(tenantId, id) : undefined;
    if (!row) throw notFound(id);
    return row;
  }

  private newRow(tenantId: string, token: CheckedToken): NewIdTokenRow {
    const now = this.deps.clock.now();
    return {
      id: this.deps.ids.uuid(),
      tenant_id: tenantId,
      uid: token.uid,
      type: token.type,
      status: token.status,
      expires_at: token.expiresAt,
      group_id: token.groupId,
      driver_id: token.driverId,
      master_pass: token.masterPass,
      allow_concurrent: token.allowConcurrent,
      evse_restrictions: token.evseRestrictions,
      created_at: now,
      updated_at: now,
    };
  }
}

function notFound(id: string): DomainError {
  return new DomainError('NotFound', `token ${id} not found`);
}

/** Same idToken (case-insensitive) and same type; an untyped 1.6 idTag matches any type. */

function toView(row: IdTokenRow): TokenView {
  return {
    id: row.id,
    uid: row.uid,
    type: row.type as IdTokenType,
    status: row.status as IdTokenStatus,
    expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
    groupId: row.group_id,
    driverId: row.driver_id,
    masterPass: row.master_pass,
    allowConcurrent: row.allow_concurrent,
    evseRestrictions: row.evse_restrictions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
