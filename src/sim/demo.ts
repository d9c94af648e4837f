// A handful of simulated stations inside the server process for `ampline serve --demo`:
// they boot, reconnect when dropped, and charge now and then with idTags from a short list.
import type { OcppVersion } from './frames.js';
import { DEFAULT_ID_TAGS, Fleet } from './fleet.js';

export interface DemoNetworkOptions {
  /** Base OCPP URL, e.g. ws://127.0.0.1:8180/ocpp. */
  url: string;
  stations: { id: string; ocppVersion: OcppVersion; password?: string }[];
  /** Mean idle time of each station between two sessions; a session lasts about as long. Default 60. */
  sessionEverySeconds?: number;
  idTags?: string[];
}

export interface DemoNetwork {
  stop(): Promise<void>;
}

const STOP_SESSIONS_GRACE_MS = 3_000;

export async function startDemoNetwork(opts: DemoNetworkOptions): Promise<DemoNetwork> {
  const everyS = opts.sessionEverySeconds ?? 60;
  const fleet = new Fleet({
    url: opts.url,
    connectors: 2,
    reconnectDelayMs: 2_000,
    meterIntervalS: Math.max(5, Math.min(60, Math.round(everyS / 4))),
  });
  fleet.add(opts.stations.map((s) => ({ id: s.id, ocppVersion: s.ocppVersion, ...(s.password ? { password: s.password } : {}) })));
  // A station that cannot connect yet keeps trying (reconnectDelayMs), so start-up never blocks on it.
  await fleet.connectAll();
  fleet.startSessions({ idleS: everyS, durationS: everyS, idTags: opts.idTags ?? DEFAULT_ID_TAGS });
  return {
    async stop(): Promise<void> {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_SESSIONS_GRACE_MS).unref());
      await Promise.race([fleet.endSessions(), grace]);
      await fleet.closeAll();
    },
  };
}
