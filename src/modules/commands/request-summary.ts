/**
 * What the history keeps of a request: the payload itself, with secrets replaced and long lists
 * cut, so the record says what was asked without storing passwords or a 10,000-entry list.
 */

const REDACTED = '***';
const MAX_ARRAY_ITEMS = 20;
const MAX_STRING = 1000;

/** 1.6 configuration keys and 2.0.1 variables whose value is a secret (security whitepaper, A01). */
const SECRET_NAMES = /password|authorizationkey|secret|privatekey/i;

export function summarizeRequest(payload: Record<string, unknown>): Record<string, unknown> {
  return summarize(payload, undefined) as Record<string, unknown>;
}

function summarize(value: unknown, nameHint: string | undefined): unknown {
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ARRAY_ITEMS).map((v) => summarize(v, nameHint));
    return value.length > MAX_ARRAY_ITEMS ? [...kept, { omitted: value.length - MAX_ARRAY_ITEMS }] : kept;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // ChangeConfiguration {key, value} and SetVariables {variable: {name}, attributeValue} name the secret beside it.
    const hint = secretName(record) ?? nameHint;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) {
      if (SECRET_NAMES.test(key) || (hint && (key === 'value' || key === 'attributeValue'))) out[key] = REDACTED;
      else out[key] = summarize(v, hint);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > MAX_STRING) return `${value.slice(0, MAX_STRING)}… (${value.length} chars)`;
  return value;
}

function secretName(record: Record<string, unknown>): string | undefined {
  const key = record['key'];
  if (typeof key === 'string' && SECRET_NAMES.test(key)) return key;
  const variable = record['variable'];
  const name = variable && typeof variable === 'object' ? (variable as Record<string, unknown>)['name'] : undefined;
  if (typeof name === 'string' && SECRET_NAMES.test(name)) return name;
  return undefined;
}
