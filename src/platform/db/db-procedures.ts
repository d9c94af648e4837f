import type { Kysely } from 'kysely';

/**
 * A database procedure (ADR 034): a function of the write path that runs where the embedded
 * database runs, with a Kysely bound to it, so a batch's whole transaction is one hop to the
 * database thread instead of one hop per statement. Its input and result cross the thread by
 * structured clone: plain data, Dates, arrays, no functions or class instances.
 */
export type DbProcedure = (db: Kysely<any>, input: any) => Promise<unknown>;

/** What a procedure module exports, by procedure name. */
export type DbProcedures = Record<string, DbProcedure>;

/** Runs a named procedure next to the database; present on a handle only when that saves hops. */
export type DbCall = <R>(name: string, input: unknown) => Promise<R>;

/**
 * The compiled module a worker thread can import. A module of the server names its procedure
 * module by a URL relative to itself; under the test runner that is TypeScript in src/, which a
 * worker cannot load, so the build's copy in dist/ is used (npm test builds first).
 */
export function compiledModuleUrl(relative: string, base: string): string {
  const url = new URL(relative, base).href;
  if (!base.endsWith('.ts')) return url;
  return url.replace(/\/src\//, '/dist/');
}
