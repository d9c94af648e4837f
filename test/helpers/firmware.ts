import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';
import { ADMIN_TOKEN } from '../support/test-server.js';

/** Uploads raw bytes as a firmware image through the API and returns the stored image. */
export async function uploadImage(server: TestServer, data: Buffer, query: Record<string, string> = {}, token = ADMIN_TOKEN): Promise<{ id: string; sha256: string; sizeBytes: number; signed: boolean }> {
  const params = new URLSearchParams({ name: 'fw', fileName: 'fw-2.0.bin', ...query });
  const res = await fetch(`${server.app.baseUrl}/api/v1/firmware?${params.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: data,
  });
  const body = (await res.json()) as { id: string; sha256: string; sizeBytes: number; signed: boolean };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** A multipart/form-data body as chargers and browsers write it. */
export function multipartBody(boundary: string, parts: { name: string; value: Buffer | string; fileName?: string; contentType?: string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.fileName ? `; filename="${part.fileName}"` : ''}`;
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
