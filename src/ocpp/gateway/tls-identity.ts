import type { TLSSocket } from 'node:tls';

/**
 * Security profile 3 (A00.FR.403/405/407, 1.6 security whitepaper §2.4): the station's client
 * certificate must chain to the operator CA the listener trusts and its subject CN must be the
 * station identity. Returns why the station is refused, or undefined.
 */
export function checkStationCertificate(socket: TLSSocket, stationId: string): string | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return 'security profile 3 needs a client certificate (A00.FR.401)';
  if (!socket.authorized) {
    return `client certificate does not chain to the operator CA: ${String(socket.authorizationError)} (A00.FR.403, A00.FR.407)`;
  }
  const cn = peer.subject?.CN;
  const commonName = Array.isArray(cn) ? undefined : cn;
  if (commonName !== stationId) {
    return `client certificate CN "${String(commonName ?? '').slice(0, 64)}" does not equal the station identity (A00.FR.405)`;
  }
  return undefined;
}
