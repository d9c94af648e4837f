import type { WebSocket } from 'ws';
import type { RpcConnection } from '../rpc/rpc-connection.js';
import type { OcppVersion } from '../rpc/versions.js';

export type LinkBootStatus = 'Accepted' | 'Pending' | 'Rejected' | 'NotBooted';

/** What the dispatcher and handlers may know and change about the connection they serve. */
export interface LinkContext {
  readonly tenantId: string;
  readonly stationId: string;
  readonly version: OcppVersion;
  setBootStatus(status: LinkBootStatus): void;
}

/** One live station socket and its protocol state. */
export class StationLink implements LinkContext {
  bootStatus: LinkBootStatus;
  /** Answered a ping or sent anything since the last keep-alive tick. */
  alive = true;
  /** Actions the station may send while not Accepted because we asked for them (B02.FR.09). */
  readonly triggered = new Set<string>();
  /** When lastSeen was last written: connecting writes it, so it starts there. */
  seenReportedMs: number;
  rpc!: RpcConnection;

  constructor(
    readonly tenantId: string,
    readonly stationId: string,
    readonly version: OcppVersion,
    readonly socket: WebSocket,
    readonly remoteAddress: string | undefined,
    bootStatus: LinkBootStatus,
    nowMs: number,
  ) {
    this.bootStatus = bootStatus;
    this.seenReportedMs = nowMs;
  }

  setBootStatus(status: LinkBootStatus): void {
    this.bootStatus = status;
    this.triggered.clear();
  }
}
