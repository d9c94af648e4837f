import type { PGlite, Results } from '@electric-sql/pglite';
import { isStalePlanError, StatementNames } from './statement-names.js';
import { afterFirstReady, bindExecuteMessage, readFirstResult, WireErrorResponse } from './pglite-wire.js';
import { keepsPlanCacheMode, planCacheModeOf, planCacheModeStatement, type PlanCacheMode } from './embedded-plan-modes.js';

type PGliteModule = typeof import('@electric-sql/pglite');

/**
 * Runs statements on one PGlite instance the cheap way (ADR 029): a repeated data statement is
 * parsed and described once, then each call is one bind/describe/execute/sync; a statement
 * without parameters is one simple-protocol Query message. Each named statement runs in the
 * plan cache mode that suits it (ADR 039). Used wherever the PGlite instance lives: in the
 * database thread (ADR 031) or on the server's thread.
 */
export class PGliteStatements {
  private readonly names = new StatementNames('amp_');
  /** Parameter type oids of each statement prepared on this instance, by name. */
  private readonly prepared = new Map<string, readonly number[]>();
  /** The plan cache mode each named statement runs in, by name. */
  private readonly modes = new Map<string, PlanCacheMode>();
  /** The connection's plan cache mode; undefined: not known (set before the next named statement). */
  private mode: PlanCacheMode | undefined;
  private module: Promise<PGliteModule> | undefined;

  constructor(private readonly pglite: PGlite) {}

  async run(sql: string, params: readonly unknown[]): Promise<Results> {
    try {
      return await this.runTracked(sql, params);
    } catch (error) {
      this.mode = undefined;
      throw error;
    }
  }

  private async runTracked(sql: string, params: readonly unknown[]): Promise<Results> {
    const name = this.names.nameFor(sql);
    if (name === undefined) {
      const result: Results = await (params.length === 0 ? this.runSimple(sql) : this.pglite.query(sql, params as unknown[]));
      if (!keepsPlanCacheMode(sql)) this.mode = undefined;
      return result;
    }
    let mode = this.modes.get(name);
    if (mode === undefined) this.modes.set(name, (mode = planCacheModeOf(sql)));
    try {
      const result = await this.runNamed(name, sql, params, this.mode === mode ? undefined : mode);
      this.mode = mode;
      return result;
    } catch (error) {
      if (!isStalePlanError(error)) throw error;
      this.mode = undefined;
      this.names.forget(sql);
      this.prepared.delete(name);
      this.modes.delete(name);
      await this.pglite.exec(`deallocate ${name}`).catch(() => undefined);
      return this.pglite.query(sql, params as unknown[]);
    }
  }

  /**
   * A statement without parameters (BEGIN, COMMIT, SET...) goes as one simple-protocol Query
   * message: one call into the database instead of query()'s six.
   */
  private async runSimple(sql: string): Promise<Results> {
    const { protocol, parse } = await (this.module ??= import('@electric-sql/pglite'));
    const result = await this.pglite.execProtocol(protocol.serialize.query(sql));
    const all = parse.parseResults(result.messages, this.pglite.parsers);
    return all[all.length - 1] ?? { rows: [], fields: [] };
  }

  /**
   * PGlite's own query() parses and describes the text on every call, in six protocol round
   * trips; a named statement is parsed once, then each call is one bind/describe/execute/sync.
   */
  private async runNamed(name: string, sql: string, params: readonly unknown[], switchTo: PlanCacheMode | undefined): Promise<Results> {
    const { protocol, parse } = await (this.module ??= import('@electric-sql/pglite'));
    const serialize = protocol.serialize;
    let oids = this.prepared.get(name);
    if (oids === undefined) {
      if (switchTo) await this.runSimple(planCacheModeStatement(switchTo));
      switchTo = undefined;
      const described = await this.pglite.execProtocol(
        concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      );
      oids = parse.parseDescribeStatementResults(described.messages);
      this.prepared.set(name, oids);
    }
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pglite.serializers[oids[i] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const message = bindExecuteMessage(name, values, switchTo && planCacheModeStatement(switchTo));
    if (message === undefined) {
      if (switchTo) await this.runSimple(planCacheModeStatement(switchTo));
      const result = await this.pglite.execProtocol(
        concat([serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
      );
      const [first] = parse.parseResults(result.messages, this.pglite.parsers);
      return first ?? { rows: [], fields: [] };
    }
    const chunks: Buffer[] = [];
    // The chunks are views of the database's memory, valid only during the call: copied.
    await this.pglite.execProtocolRawStream(message, { onRawData: (chunk) => void chunks.push(Buffer.from(chunk)) });
    const response = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    try {
      // A mode switch went first, as its own Query message: its answer ends at the first ReadyForQuery.
      return readFirstResult(response, this.pglite.parsers, switchTo === undefined ? 0 : afterFirstReady(response));
    } catch (error) {
      throw error instanceof WireErrorResponse ? databaseErrorOf(error.response, protocol) : error;
    }
  }
}

/** The error PGlite itself would raise for this response: its own parser reads the ErrorResponse. */
function databaseErrorOf(response: Buffer, protocol: PGliteModule['protocol']): Error {
  let found: Error | undefined;
  new protocol.Parser().parse(response, (message) => {
    if (found === undefined && message instanceof Error) found = message;
  });
  return found ?? new Error('the database answered an ErrorResponse that could not be read');
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
