/**
 * The first file part of a multipart/form-data body held in memory. Chargers POST one log file
 * per request, so a buffering parser of a few lines is enough; it returns undefined on anything it
 * cannot read rather than throwing.
 */
export interface MultipartFile {
  fieldName: string | undefined;
  fileName: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = contentType ? /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType) : null;
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The file part (one with a file name), else the first part. */
export function firstMultipartFile(body: Buffer, boundary: string): MultipartFile | undefined {
  const parts = multipartParts(body, boundary);
  return parts.find((p) => p.fileName !== undefined) ?? parts[0];
}

/** Every part, in order; stops quietly at the first malformed one. */
export function multipartParts(body: Buffer, boundary: string): MultipartFile[] {
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  const parts: MultipartFile[] = [];
  while (start !== -1) {
    const headerStart = start + delimiter.length;
    if (body.subarray(headerStart, headerStart + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('latin1');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const part: MultipartFile = {
      fieldName: /\bname="([^"]*)"/i.exec(disposition)?.[1],
      fileName: /filename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
      data: body.subarray(headerEnd + 4, next),
    };
    parts.push(part);
    start = next + 2;
  }
  return parts;
}
