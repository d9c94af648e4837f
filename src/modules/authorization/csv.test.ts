import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../platform/errors.js';
import { parseCsv, tokensFromCsv } from './csv.js';

describe('token CSV', () => {
  it('RFC 4180: quoted commas, doubled quotes and newlines; CRLF; BOM; blank lines skipped; records keep their first line', () => {
    const text = '\uFEFFa,b\r\n"x, y","say ""hi"""\n\n"multi\nline",z\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['multi\nline', 'z'] },
    ]);
    expect(parseCsv('a,b')).toEqual([{ line: 1, fields: ['a', 'b'] }]);
  });

  it('an unclosed quote or a stray quote names its line', () => {
    expect(() => parseCsv('a\n"open,b\n')).toThrow(/^line 2: quoted field is never closed/);
    expect(() => parseCsv('a\nb"c\n')).toThrow(/^line 2: a quote inside an unquoted field/);
  });

  it('columns may come in any order and be left out; blank fields are absent; flags parse', () => {
    const rows = tokensFromCsv('type,uid,masterPass\nISO14443, 04A1 ,true\nCentral,APP-1,\n');
    expect(rows).toEqual([
      { line: 2, input: { uid: '04A1', type: 'ISO14443', status: undefined, groupId: undefined, expiresAt: undefined, driverId: undefined, masterPass: true } },
      { line: 3, input: { uid: 'APP-1', type: 'Central', status: undefined, groupId: undefined, expiresAt: undefined, driverId: undefined } },
    ]);
  });

  it('a header without uid or type, an unknown column, or a row of the wrong width is refused naming the line', () => {
    const line = (text: string) => {
      try {
        tokensFromCsv(text);
      } catch (err) {
        if (isDomainError(err, 'InvalidInput')) return err.details?.['line'];
      }
      return 'no error';
    };
    expect(line('')).toBe(1);
    expect(line('uid,status\nX,Accepted\n')).toBe(1);
    expect(line('uid,type,colour\n')).toBe(1);
    expect(line('uid,type,uid\n')).toBe(1);
    expect(line('uid,type\nA,ISO14443\nB\n')).toBe(3);
    expect(line('uid,type,masterPass\nA,ISO14443,maybe\n')).toBe(2);
  });
});
