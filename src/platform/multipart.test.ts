import { describe, expect, it } from 'vitest';
import { boundaryOf, firstMultipartFile, multipartParts } from './multipart.js';

const body = Buffer.from(
  '--b1\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n' +
    '--b1\r\nContent-Disposition: form-data; name="file"; filename="diag.log"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n' +
    '--b1--\r\n',
);

describe('multipart/form-data', () => {
  it('reads the boundary, quoted or not', () => {
    expect(boundaryOf('multipart/form-data; boundary=b1')).toBe('b1');
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(boundaryOf('text/plain')).toBeUndefined();
  });

  it('finds the file part with its name, type and exact bytes (CRLF inside kept)', () => {
    const file = firstMultipartFile(body, 'b1');
    expect(file).toMatchObject({ fieldName: 'file', fileName: 'diag.log', contentType: 'text/plain' });
    expect(file?.data.toString()).toBe('line1\r\nline2');
    expect(multipartParts(body, 'b1').map((p) => p.fieldName)).toEqual(['note', 'file']);
  });

  it('returns nothing for a truncated body instead of throwing', () => {
    expect(firstMultipartFile(body.subarray(0, 30), 'b1')).toBeUndefined();
  });
});
