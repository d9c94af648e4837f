/** The OCPP-J dialects we speak, by their WebSocket subprotocol names. */
export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

export const SUPPORTED_SUBPROTOCOLS: readonly OcppVersion[] = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'];

export function isOcppVersion(value: string): value is OcppVersion {
  return (SUPPORTED_SUBPROTOCOLS as readonly string[]).includes(value);
}

/** The short form operators type (`1.6`, `2.0.1`, `2.1`). */
export function versionLabel(version: OcppVersion): '1.6' | '2.0.1' | '2.1' {
  return version.slice(4) as '1.6' | '2.0.1' | '2.1';
}
