import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

export type KeyKind = 'rsa' | 'ecdsa';

type SubtleKey = webcrypto.CryptoKey;
export interface SigningKeys {
  kind: KeyKind;
  privateKey: SubtleKey;
  publicKey: SubtleKey;
}

/** RSA 2048 and ECDSA P-256 with SHA-256: the smallest keys A00.FR.502/503 allow. */
export function algorithmFor(kind: KeyKind): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return kind === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

export function signingAlgorithm(kind: KeyKind): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
}

export async function generateKeys(kind: KeyKind): Promise<SigningKeys> {
  const pair = (await webcrypto.subtle.generateKey(algorithmFor(kind) as never, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return { kind, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

export async function privateKeyPem(key: SubtleKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Loads a PEM private key (PKCS#8, PKCS#1 or SEC1) as a WebCrypto signing key plus its public half. */
export async function importPrivateKey(pem: string): Promise<SigningKeys> {
  const key = createPrivateKey(pem);
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') throw new Error(`unsupported CA key type ${String(type)}: use RSA or ECDSA P-256`);
  const kind: KeyKind = type === 'rsa' ? 'rsa' : 'ecdsa';
  const algorithm = kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const publicKey = await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return { kind, privateKey, publicKey };
}
