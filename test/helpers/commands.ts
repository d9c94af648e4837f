import type { RawStation } from '../support/raw-station.js';
import type { TestServer } from '../support/test-server.js';
import { bootStation, registerStation, type Version } from './stations.js';

/** A booted station for command tests; closed by the returned list's owner. */
export async function onlineStation(server: TestServer, prefix: string, version: Version, open: RawStation[]): Promise<{ id: string; station: RawStation }> {
  const id = `${prefix}-${version.replace(/\./g, '')}-${open.length + 1}-${Math.floor(Math.random() * 1e6)}`;
  await registerStation(server, id);
  const station = await bootStation(server, id, version);
  open.push(station);
  return { id, station };
}

/** Waits for the CSMS's next CALL of `action`, answers it, and returns its payload. */
export async function answerNext(station: RawStation, action: string, reply: unknown): Promise<Record<string, unknown>> {
  const call = await station.nextCall(action);
  station.reply(call[1] as string, reply);
  return call[3] as Record<string, unknown>;
}

/** POST to a station's typed command endpoint. */
export function stationCommand(server: TestServer, id: string, path: string, body?: unknown) {
  return server.api('POST', `/api/v1/stations/${encodeURIComponent(id)}/${path}`, body);
}

export async function history(server: TestServer, id: string, query = ''): Promise<Record<string, any>[]> {
  const res = await server.api('GET', `/api/v1/stations/${encodeURIComponent(id)}/commands${query}`);
  if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}
