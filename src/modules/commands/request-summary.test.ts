import { describe, expect, it } from 'vitest';
import { summarizeRequest } from './request-summary.js';

describe('command history request summary', () => {
  it('redacts secrets named by the key or beside them, and keeps the rest', () => {
    expect(summarizeRequest({ key: 'AuthorizationKey', value: 'abc' })).toEqual({ key: 'AuthorizationKey', value: '***' });
    expect(summarizeRequest({ key: 'HeartbeatInterval', value: '60' })).toEqual({ key: 'HeartbeatInterval', value: '60' });
    expect(summarizeRequest({ setVariableData: [{ variable: { name: 'BasicAuthPassword' }, attributeValue: 'pw' }] })).toEqual({
      setVariableData: [{ variable: { name: 'BasicAuthPassword' }, attributeValue: '***' }],
    });
    expect(summarizeRequest({ password: 'pw', nested: { privateKey: 'k' } })).toEqual({ password: '***', nested: { privateKey: '***' } });
  });

  it('cuts long lists and strings so a 10,000-entry local list is not stored whole', () => {
    const summary = summarizeRequest({ list: Array.from({ length: 25 }, (_, i) => i), text: 'x'.repeat(2000) });
    expect(summary['list']).toEqual([...Array.from({ length: 20 }, (_, i) => i), { omitted: 5 }]);
    expect(String(summary['text'])).toMatch(/… \(2000 chars\)$/);
  });
});
