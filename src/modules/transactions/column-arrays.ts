import { sql, type RawBuilder } from 'kysely';

/**
 * Rows sent as one array per column (`unnest($1::text[], $2::integer[], ...)`) instead of a
 * VALUES list with a parameter per cell: the statement text and its parameter count stay the same
 * whatever the batch size, so the database parses and plans a few parameters instead of tens of
 * thousands, and a batch has no parameter limit (ADR 026). Timestamps travel as ISO strings.
 */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'boolean' | 'double precision' | 'timestamptz' | 'jsonb';

export function unnestRows<R>(rows: readonly R[], columns: readonly (readonly [string, ColumnType, (row: R) => unknown])[]): RawBuilder<unknown> {
  const arrays = columns.map(([, type, get]) => {
    const values = rows.map((row) => {
      const v = get(row);
      if (v === undefined || v === null) return null;
      if (v instanceof Date) return v.toISOString();
      return v;
    });
    return sql`${values}::${sql.raw(type)}[]`;
  });
  return sql`unnest(${sql.join(arrays)}) as v(${sql.raw(columns.map(([name]) => name).join(', '))})`;
}
