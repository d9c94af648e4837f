import type { FastifyInstance, FastifyRequest } from 'fastify';
import { boundaryOf, multipartParts, type MultipartFile } from './multipart.js';

/**
 * Routes registered inside `scope` receive their body as a Buffer whatever its content type
 * (firmware images, chargers' log uploads). The JSON parser is removed only in that scope.
 */
export function acceptRawBodies(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

export interface UploadedBody {
  file: Buffer;
  fileName: string | undefined;
  contentType: string | undefined;
  /** Text fields of a multipart body. */
  fields: Record<string, string>;
}

/** A raw body is the file itself; a multipart/form-data body has one file part and text fields. */
export function readUploadedBody(request: FastifyRequest): UploadedBody | undefined {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const contentType = request.headers['content-type'];
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    // 2.0.1 N01.FR.19: a raw POST names its file in Content-Disposition.
    const disposition = request.headers['content-disposition'];
    const fileName = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
    return { file: body, fileName, contentType, fields: {} };
  }
  const boundary = boundaryOf(contentType);
  if (!boundary) return undefined;
  const parts = multipartParts(body, boundary);
  const file: MultipartFile | undefined = parts.find((p) => p.fileName !== undefined);
  if (!file) return undefined;
  const fields: Record<string, string> = {};
  for (const part of parts) if (part !== file && part.fieldName) fields[part.fieldName] = part.data.toString('utf8');
  return { file: file.data, fileName: file.fileName, contentType: file.contentType, fields };
}

/**
 * A Content-Disposition for a download whose name came from outside (a station's upload): only
 * printable ASCII survives, so a hostile name can neither break the header nor inject another.
 */
export function attachmentDisposition(fileName: string): string {
  return `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`;
}
