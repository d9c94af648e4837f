import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';
import type { RawStation } from './raw-station.js';
import { bootStation, registerStation, type Version } from '../helpers/stations.js';

export interface StationSuite {
  /** The suite's server, started before its tests. */
  readonly server: TestServer;
  /** A fresh station id: `PREFIX-TAG-n`. */
  nextId(tag: string): string;
  /** A registered station booted Accepted on `version`, closed after the suite. */
  online(version?: Version): Promise<{ id: string; station: RawStation }>;
  /** Closes a station the test opened itself after the suite. */
  track(station: RawStation): RawStation;
}

/**
 * One server for a describe block plus stations booted on it, all closed afterwards: the scaffolding
 * every end-to-end suite of station commands shares. Call it at the top of the describe block.
 */
export function useStationSuite(prefix: string, defaultVersion: Version = '2.0.1'): StationSuite {
  let server: TestServer | undefined;
  let seq = 0;
  const open: RawStation[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });
  const suite: StationSuite = {
    get server() {
      if (!server) throw new Error('the suite server is used before beforeAll ran');
      return server;
    },
    nextId: (tag) => `${prefix}-${tag}-${++seq}`,
    track: (station) => {
      open.push(station);
      return station;
    },
    online: async (version = defaultVersion) => {
      const id = suite.nextId(version.replace(/\./g, ''));
      await registerStation(suite.server, id);
      const station = suite.track(await bootStation(suite.server, id, version));
      return { id, station };
    },
  };
  return suite;
}
