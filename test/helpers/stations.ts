import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';
import { BOOT_16, BOOT_201, RawStation } from '../support/raw-station.js';

export type Version = '1.6' | '2.0.1';

export const PASSWORD = 'correct-horse-battery-1';

export const SUBPROTOCOL: Record<Version, string> = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1' };

/** Registers a station (profile 1, PASSWORD) and expects 201. */
export async function registerStation(server: TestServer, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const created = await server.api('POST', '/api/v1/stations', { id, password: PASSWORD, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

export function connectStation(server: TestServer, id: string, version: Version, options: { autoPong?: boolean; password?: string } = {}): Promise<RawStation> {
  return RawStation.connect({
    baseUrl: server.app.ocppUrl,
    id,
    password: options.password ?? PASSWORD,
    protocols: [SUBPROTOCOL[version]],
    ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
  });
}

/** Connects and sends a BootNotification; expects it Accepted. */
export async function bootStation(server: TestServer, id: string, version: Version, options: { autoPong?: boolean } = {}): Promise<RawStation> {
  const station = await connectStation(server, id, version, options);
  const reply = await station.call('BootNotification', version === '1.6' ? BOOT_16 : BOOT_201);
  expect(reply[0]).toBe(3);
  expect(reply[2]).toMatchObject({ status: 'Accepted' });
  return station;
}

/** A StatusNotification payload in the version's shape; 1.6 connector n is 2.0.1 EVSE n. */
export function statusNotification(version: Version, evseId: number, status: string, errorCode = 'NoError'): Record<string, unknown> {
  return version === '1.6'
    ? { connectorId: evseId, errorCode, status, timestamp: new Date().toISOString() }
    : { timestamp: new Date().toISOString(), connectorStatus: status, evseId, connectorId: 1 };
}
