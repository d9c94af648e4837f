import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A fresh random station password (A01.FR.07, A00.FR.205). 2.x: 32 characters of an unambiguous
 * alphabet (BasicAuthPassword is 16–40 characters). 1.6: 20 random bytes written as 40 hex
 * digits, the form ChangeConfiguration AuthorizationKey carries (1.6 security whitepaper §2.3).
 */
export function generateStationPassword(flavour: '1.6' | '2.x'): string {
  if (flavour === '1.6') return randomBytes(20).toString('hex');
  const bytes = randomBytes(32);
  let out = '';
  // Bytes past the last whole multiple of the alphabet are dropped so every character is equally likely.
  const limit = 256 - (256 % ALPHABET.length);
  for (let i = 0; out.length < 32; i++) {
    const b = i < bytes.length ? bytes[i]! : randomBytes(1)[0]!;
    if (b < limit) out += ALPHABET[b % ALPHABET.length];
  }
  return out;
}
