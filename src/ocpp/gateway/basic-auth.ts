import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyPassword } from '../../platform/passwords.js';

export interface BasicCredentials {
  username: string;
  /** Raw bytes: 1.6 AuthorizationKey may be binary. */
  password: Buffer;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return undefined;
  return { username: decoded.subarray(0, colon).toString('utf8'), password: decoded.subarray(colon + 1) };
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * The password forms a station may send for one configured secret. 1.6 stations set
 * AuthorizationKey as hex through ChangeConfiguration but some send the hex digits, others the
 * decoded bytes (OCPP 1.6 security whitepaper §2.3 and the ecosystem's split on it), so both
 * forms are tried.
 */
function candidateForms(sent: Buffer, ocpp16: boolean): Buffer[] {
  const forms = [sent];
  if (!ocpp16) return forms;
  const text = sent.toString('latin1');
  if (HEX.test(text)) forms.push(Buffer.from(text, 'hex'));
  forms.push(Buffer.from(sent.toString('hex'), 'latin1'));
  return forms;
}

/**
 * Verifies station passwords against salted scrypt hashes, remembering the last verified secret
 * per station (as a SHA-256 digest, never in clear) so a reconnect storm does not pay scrypt again
 * for every station. A changed stored hash invalidates the memory.
 */
export class StationPasswordVerifier {
  private readonly verified = new Map<string, { storedHash: string; digest: Buffer }>();

  async verify(stationId: string, sent: Buffer, storedHash: string, ocpp16: boolean): Promise<boolean> {
    const digest = createHash('sha256').update(sent).digest();
    const known = this.verified.get(stationId);
    if (known && known.storedHash === storedHash && timingSafeEqual(known.digest, digest)) return true;
    for (const form of candidateForms(sent, ocpp16)) {
      if (await verifyPassword(form, storedHash)) {
        this.verified.set(stationId, { storedHash, digest });
        return true;
      }
    }
    return false;
  }

  forget(stationId: string): void {
    this.verified.delete(stationId);
  }
}
