import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { lockedSessions } from './session-locks.js';

// Compiles only: the statements' effects are covered end to end on both databases (transactions-*.test.ts,
// transactions-lock-order.test.ts on PostgreSQL).
const compiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const text = (cte: ReturnType<typeof lockedSessions>) => sql`with ${cte} select 1`.compile(compiler).sql.replace(/\s+/g, ' ');

describe('lockedSessions (ADR 027, 034)', () => {
  it('ordered: locks the sessions in id order before the statement changes any', () => {
    expect(text(lockedSessions(sql`select 'a'`, undefined, 'ordered'))).toContain('where id in (select \'a\') order by id for no key update)');
    expect(text(lockedSessions(sql`select 'a'`, sql`, status`, 'ordered'))).toContain('select id, status from sessions');
  });

  it('none, with columns: the same rows as they were, unlocked (a single-connection database)', () => {
    const cte = text(lockedSessions(sql`select 'a'`, sql`, status`, 'none'));
    expect(cte).toContain('select id, status from sessions where id in (select \'a\'))');
    expect(cte).not.toContain('for no key update');
  });

  it('none, without columns: the CTE was only a lock, so it reads nothing', () => {
    const cte = text(lockedSessions(sql`select 'a'`, undefined, 'none'));
    expect(cte).not.toContain('from sessions');
    expect(cte).toContain('locked_sessions as (select null::text as id where false)');
  });
});
