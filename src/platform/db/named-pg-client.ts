import pg from 'pg';
import { isStalePlanError, type StatementNames } from './statement-names.js';

type QueryResult = pg.QueryResult<Record<string, unknown>>;

/**
 * A pg Client that runs repeated statements as named prepared statements (pg parses a name once
 * per connection and then sends only Bind/Execute), so PostgreSQL skips parse and analysis of the
 * hot batch statements (ADR 029). Only the `query(text, values)` form Kysely uses is changed.
 */
export function namedStatementClient(names: StatementNames): typeof pg.Client {
  return class NamedStatementClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      const plain = this.query.bind(this) as (...args: unknown[]) => unknown;
      const named = async (text: string, values: unknown[], name: string): Promise<QueryResult> => {
        try {
          return (await plain({ name, text, values })) as QueryResult;
        } catch (error) {
          if (!isStalePlanError(error)) throw error;
          names.forget(text);
          return (await plain(text, values)) as QueryResult;
        }
      };
      this.query = ((...args: unknown[]) => {
        const [text, values, callback] = args;
        if (typeof text === 'string' && Array.isArray(values) && callback === undefined) {
          const name = names.nameFor(text);
          if (name !== undefined) return named(text, values, name);
        }
        return plain(...args);
      }) as typeof this.query;
    }
  };
}
