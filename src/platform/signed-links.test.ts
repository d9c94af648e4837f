import { describe, expect, it } from 'vitest';
import { SignedLinks } from './signed-links.js';

describe('signed file links', () => {
  const links = new SignedLinks(Buffer.from('k'.repeat(32)));
  const parts = { purpose: 'firmware', id: 'img-1', expiresMs: 1_000_000 };
  const signature = links.signature(parts);

  it('accepts its own link until it expires', () => {
    expect(links.check({ purpose: 'firmware', id: 'img-1', expires: '1000000', signature }, 999_999)).toBe('ok');
    expect(links.check({ purpose: 'firmware', id: 'img-1', expires: '1000000', signature }, 1_000_001)).toBe('expired');
  });

  it('refuses another id, expiry, purpose or key', () => {
    expect(links.check({ purpose: 'firmware', id: 'img-2', expires: '1000000', signature }, 0)).toBe('bad-signature');
    expect(links.check({ purpose: 'firmware', id: 'img-1', expires: '9000000', signature }, 0)).toBe('bad-signature');
    expect(links.check({ purpose: 'log-upload', id: 'img-1', expires: '1000000', signature }, 0)).toBe('bad-signature');
    expect(new SignedLinks(Buffer.from('x'.repeat(32))).check({ purpose: 'firmware', id: 'img-1', expires: '1000000', signature }, 0)).toBe('bad-signature');
    expect(links.check({ purpose: 'firmware', id: 'img-1', expires: '1e6', signature }, 0)).toBe('bad-signature');
  });

  it('puts id, expiry and signature in the path', () => {
    expect(links.path(parts)).toBe(`/img-1/1000000/${signature}`);
  });
});
