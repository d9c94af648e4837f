import { scrypt, randomBytes, timingSafeEqual, createHash, type ScryptOptions } from 'node:crypto';

/**
 * Salted scrypt hashes stored as `scrypt$N$r$p$salt$hash` so the cost can be raised later without
 * invalidating stored hashes.
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scryptAsync(password: Buffer, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string | Buffer, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8'), salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string | Buffer, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Number.isInteger(cost.N) || !Number.isInteger(cost.r) || !Number.isInteger(cost.p)) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await scryptAsync(Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8'), Buffer.from(saltB64, 'base64'), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** For high-entropy machine secrets (API tokens) a plain SHA-256 is enough and lets us look them up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
