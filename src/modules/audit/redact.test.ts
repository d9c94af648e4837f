import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody } from './redact.js';

describe('audit body summary', () => {
  it('#5 audit: credentials are replaced at any depth, identifiers such as idToken are kept', () => {
    const summary = redactBody({
      id: 'CS-1',
      password: 'hunter2-hunter2-hunter2',
      nested: { apiKey: 'k', clientSecret: 's', token: 't', passwordHash: 'h' },
      idToken: { idToken: 'RFID-1', type: 'ISO14443' },
      list: [{ secret: 'x' }],
    });
    expect(summary).toEqual({
      id: 'CS-1',
      password: REDACTED,
      nested: { apiKey: REDACTED, clientSecret: REDACTED, token: REDACTED, passwordHash: REDACTED },
      idToken: { idToken: 'RFID-1', type: 'ISO14443' },
      list: [{ secret: REDACTED }],
    });
  });

  it('#5 audit: long strings, big arrays and raw text bodies are summarised, not stored whole', () => {
    const summary = redactBody({ note: 'x'.repeat(1000), items: Array.from({ length: 50 }, (_, i) => i) }) as { note: string; items: unknown[] };
    expect(summary.note.length).toBeLessThan(250);
    expect(summary.items).toHaveLength(21);
    expect(redactBody('uid,type\nA,ISO14443\n')).toEqual({ text: true, length: 20 });
    expect(redactBody(undefined)).toBeNull();
  });
});
