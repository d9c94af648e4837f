import { DomainError } from '../../platform/errors.js';
import type { RawTokenInput } from './token-input.js';

export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  line: number;
  fields: string[];
}

/** RFC 4180: comma-separated, "quoted" fields may hold commas, newlines and "" for a quote. Blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || wasQuoted) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"') {
      throw new DomainError('InvalidInput', `line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`, { line });
    } else {
      field += ch;
    }
  }
  if (quoted) throw new DomainError('InvalidInput', `line ${recordLine}: quoted field is never closed`, { line: recordLine });
  endRecord();
  return records;
}

/** Columns of the token import; uid and type are required, the others may be left out or blank. */
export const TOKEN_CSV_COLUMNS = ['uid', 'type', 'status', 'groupId', 'expiresAt', 'driverId', 'masterPass', 'allowConcurrent'] as const;
type TokenCsvColumn = (typeof TOKEN_CSV_COLUMNS)[number];

export interface CsvToken {
  line: number;
  input: RawTokenInput;
}

function parseFlag(value: string, column: string, line: number): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new DomainError('InvalidInput', `line ${line}: ${column} must be true or false`, { line, field: column });
}

/** The header names the columns (header `uid,type,status,groupId,expiresAt,driverId`). */
export function tokensFromCsv(text: string): CsvToken[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new DomainError('InvalidInput', 'line 1: the file is empty; expected a header such as uid,type,status,groupId,expiresAt,driverId', { line: 1 });
  const columns = header.fields.map((name) => name.trim());
  for (const name of columns) {
    if (!(TOKEN_CSV_COLUMNS as readonly string[]).includes(name)) {
      throw new DomainError('InvalidInput', `line ${header.line}: unknown column "${name}" (columns: ${TOKEN_CSV_COLUMNS.join(', ')})`, { line: header.line });
    }
  }
  for (const required of ['uid', 'type']) {
    if (!columns.includes(required)) throw new DomainError('InvalidInput', `line ${header.line}: the header has no "${required}" column`, { line: header.line });
  }
  if (new Set(columns).size !== columns.length) throw new DomainError('InvalidInput', `line ${header.line}: a column is named twice`, { line: header.line });

  return rows.map(({ line, fields }) => {
    if (fields.length !== columns.length) {
      throw new DomainError('InvalidInput', `line ${line}: ${fields.length} fields, the header has ${columns.length}`, { line });
    }
    const value = new Map<TokenCsvColumn, string>();
    columns.forEach((name, i) => {
      const v = (fields[i] ?? '').trim();
      if (v !== '') value.set(name as TokenCsvColumn, v);
    });
    const input: RawTokenInput = {
      uid: value.get('uid') ?? '',
      type: value.get('type') ?? '',
      status: value.get('status'),
      groupId: value.get('groupId'),
      expiresAt: value.get('expiresAt'),
      driverId: value.get('driverId'),
    };
    const masterPass = value.get('masterPass');
    if (masterPass !== undefined) input.masterPass = parseFlag(masterPass, 'masterPass', line);
    const allowConcurrent = value.get('allowConcurrent');
    if (allowConcurrent !== undefined) input.allowConcurrent = parseFlag(allowConcurrent, 'allowConcurrent', line);
    return { line, input };
  });
}
