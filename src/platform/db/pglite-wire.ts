import type { Results } from '@electric-sql/pglite';

/**
 * The PostgreSQL wire messages of one named-statement call on PGlite, built and read here instead
 * of by PGlite's protocol classes (ADR 036). Profiling the database thread under the sessions
 * bench put about a third of its busy time in PGlite's JavaScript around the database: a
 * character loop measuring every parameter's UTF-8 length, buffers regrown while a Bind is
 * written, and every DataRow field copied out of the response before it is decoded. Here a Bind
 * is measured and written with Buffer's native UTF-8 routines, and the response is read in place.
 */

type Parsers = Readonly<Record<number, ((text: string, typeId: number) => unknown) | undefined>>;

const DESCRIBE_EXECUTE_SYNC = Buffer.from([
  0x44, 0, 0, 0, 6, 0x50, 0, // Describe the unnamed portal
  0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, // Execute it, all rows
  0x53, 0, 0, 0, 4, // Sync
]);

/**
 * Bind (all parameters in text format) + Describe + Execute + Sync for a prepared statement, or
 * undefined when a value is not a string or null (the caller then lets PGlite serialise the call).
 * `before`: a statement sent first as its own simple-protocol Query message, in the same call
 * (ADR 039: a plan cache mode switch costs no round trip of its own).
 */
export function bindExecuteMessage(statement: string, values: readonly unknown[], before?: string): Uint8Array | undefined {
  // As PGlite writes it: one format code per parameter, each 0 (text).
  let length = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * values.length + 2 + 2;
  for (const value of values) {
    if (value === null) length += 4;
    else if (typeof value === 'string') length += 4 + Buffer.byteLength(value);
    else return undefined;
  }
  const queryLength = before === undefined ? 0 : 4 + Buffer.byteLength(before) + 1;
  const out = Buffer.allocUnsafe((queryLength > 0 ? 1 + queryLength : 0) + 1 + length + DESCRIBE_EXECUTE_SYNC.length);
  let at = 0;
  if (before !== undefined) {
    out[at++] = 0x51; // Query
    out.writeInt32BE(queryLength, at);
    at += 4;
    at += out.write(before, at);
    out[at++] = 0;
  }
  out[at++] = 0x42;
  out.writeInt32BE(length, at);
  at += 4;
  out[at++] = 0; // the unnamed portal
  at += out.write(statement, at);
  out[at++] = 0;
  out.writeInt16BE(values.length, at);
  at += 2;
  out.fill(0, at, at + 2 * values.length);
  at += 2 * values.length;
  out.writeInt16BE(values.length, at);
  at += 2;
  for (const value of values) {
    if (value === null) {
      out.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    const written = out.write(value as string, at + 4);
    out.writeInt32BE(written, at);
    at += 4 + written;
  }
  out.writeInt16BE(0, at); // every result column in text format
  at += 2;
  DESCRIBE_EXECUTE_SYNC.copy(out, at);
  return out;
}

/** Raised for an ErrorResponse: the caller rebuilds PGlite's own error from the same bytes. */
export class WireErrorResponse extends Error {
  constructor(readonly response: Buffer) {
    super('the database answered an ErrorResponse');
  }
}

const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/**
 * Where the answer to a leading Query message ends: just past its ReadyForQuery. Throws
 * WireErrorResponse when that statement failed.
 */
export function afterFirstReady(response: Buffer): number {
  let at = 0;
  while (at + 5 <= response.length) {
    const type = response[at] as number;
    if (type === 0x45) throw new WireErrorResponse(response);
    at += 1 + response.readInt32BE(at + 1);
    if (type === 0x5a) return at;
  }
  return at;
}

/**
 * The first result set of a response (from byte `from`), the shape PGlite's parseResults gives
 * it: rows as objects keyed by column name with each value through the type parsers, the fields,
 * the command and the rows it affected. Throws WireErrorResponse when the response holds an
 * ErrorResponse.
 */
export function readFirstResult(response: Buffer, parsers: Parsers, from = 0): Results {
  let fields: { name: string; dataTypeID: number }[] = [];
  let rows: Record<string, unknown>[] = [];
  let at = from;
  while (at + 5 <= response.length) {
    const type = response[at] as number;
    const end = at + 1 + response.readInt32BE(at + 1);
    let p = at + 5;
    if (type === 0x45) throw new WireErrorResponse(response);
    if (type === 0x54) {
      // RowDescription
      const count = response.readInt16BE(p);
      p += 2;
      fields = [];
      rows = [];
      for (let i = 0; i < count; i++) {
        const nul = response.indexOf(0, p);
        const name = response.toString('utf8', p, nul);
        p = nul + 1 + 4 + 2;
        fields.push({ name, dataTypeID: response.readInt32BE(p) });
        p += 4 + 2 + 4 + 2;
      }
    } else if (type === 0x44) {
      // DataRow
      const count = response.readInt16BE(p);
      p += 2;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const size = response.readInt32BE(p);
        p += 4;
        const field = fields[i] as { name: string; dataTypeID: number };
        if (size < 0) {
          row[field.name] = null;
          continue;
        }
        const text = response.toString('utf8', p, p + size);
        p += size;
        const parser = parsers[field.dataTypeID];
        row[field.name] = parser ? parser(text, field.dataTypeID) : text;
      }
      rows.push(row);
    } else if (type === 0x43) {
      // CommandComplete: the first result set ends here
      const tag = response.toString('utf8', p, response.indexOf(0, p)).split(' ');
      const command = tag[0] ?? '';
      const count = Number.parseInt(tag[tag.length - 1] ?? '', 10);
      const result: Results & { command: string; rowCount?: number } = { rows, fields, command, affectedRows: COUNTED_COMMANDS.has(command) ? count : 0 };
      if (!Number.isNaN(count)) result.rowCount = count;
      assertNoErrorAfter(response, end);
      return result;
    }
    at = end;
  }
  return { rows: [], fields: [], affectedRows: 0 };
}

/** An error after the first command completed (a failing COMMIT within the same Sync) still fails the call. */
function assertNoErrorAfter(response: Buffer, from: number): void {
  let at = from;
  while (at + 5 <= response.length) {
    if (response[at] === 0x45) throw new WireErrorResponse(response);
    at += 1 + response.readInt32BE(at + 1);
  }
}
