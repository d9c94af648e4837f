import type { DomainEvent } from '../../platform/bus.js';

/** DiagnosticsStatusNotification (1.6 §4.4) or LogStatusNotification (2.0.1 N01, 1.6 security) arrived. */
export type LogStatusChanged = DomainEvent<'LogStatusChanged', { stationId: string; requestId: number | null; status: string }>;
/** A station uploaded a log file to its signed upload link. */
export type LogUploaded = DomainEvent<'LogUploaded', { stationId: string; requestId: number; fileId: string; fileName: string; sizeBytes: number; sha256: string }>;

export type DiagnosticsEvent = LogStatusChanged | LogUploaded;
