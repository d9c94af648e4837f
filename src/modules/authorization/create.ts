import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { IdSource } from '../../platform/ids.js';
import { AuthorizationService } from './service.js';
import { TokensStore } from './store.js';
import type { AuthorizationTables } from './tables.js';
import type { ActiveTransactions } from './types.js';

export interface CreateAuthorizationOptions {
  db: Kysely<AuthorizationTables>;
  clock: Clock;
  ids: IdSource;
  activeTransactions?: ActiveTransactions | undefined;
}

export function createAuthorizationService(options: CreateAuthorizationOptions): AuthorizationService {
  return new AuthorizationService({
    store: new TokensStore(options.db),
    clock: options.clock,
    ids: options.ids,
    activeTransactions: options.activeTransactions,
  });
}
