/**
 * What of a request body goes into the audit log: enough to tell what was asked, never a secret.
 * Keys that name a credential are replaced wholesale; long strings and big arrays are cut so one
 * CSV import does not turn into a megabyte audit row.
 */
const SECRET_KEY = /pass(word|phrase)?|secret|^token$|apikey|api_key|authorization|credential|private_?key|hash|otp|pin$/i;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

export const REDACTED = '[redacted]';

export function redactBody(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return { text: true, length: body.length };
  if (Buffer.isBuffer(body)) return { binary: true, length: body.length };
  return summarize(body, 0);
}

function summarize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length})` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => summarize(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `…(${value.length} items)`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : summarize(inner, depth + 1);
  }
  return out;
}
