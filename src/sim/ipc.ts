// Messages between the station pool (parent) and its worker processes (child_process IPC,
// JSON serialization).
import type { FleetSettings, FleetStats, SessionPlan, StationSpec } from './fleet.js';

export type WorkerCommand =
  | { kind: 'connect' }
  | { kind: 'disconnect' }
  | { kind: 'close' }
  | { kind: 'stats' }
  | { kind: 'reset-stats' }
  | { kind: 'start-sessions'; plan: SessionPlan }
  | { kind: 'stop-sessions' }
  /** Every ready station sends one DataTransfer padded to `bytes` characters of data. */
  | { kind: 'large-frame'; bytes: number };

export type ToWorker =
  | { type: 'init'; settings: FleetSettings; stations: StationSpec[]; statsIntervalMs: number }
  | { type: 'command'; id: number; command: WorkerCommand };

export type FromWorker =
  | { type: 'initialized'; stats: FleetStats }
  | { type: 'reply'; id: number; stats: FleetStats; error?: string }
  | { type: 'stats'; stats: FleetStats };

export function isToWorker(value: unknown): value is ToWorker {
  return typeof value === 'object' && value !== null && 'type' in value && (value.type === 'init' || value.type === 'command');
}

export function isFromWorker(value: unknown): value is FromWorker {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    (value.type === 'initialized' || value.type === 'reply' || value.type === 'stats')
  );
}
