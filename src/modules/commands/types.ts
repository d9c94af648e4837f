/** One CSMS-initiated CALL as the history shows it. */
export interface CommandRecord {
  id: string;
  stationId: string;
  action: string;
  request: unknown;
  requestedBy: string;
  startedAt: string;
  durationMs: number;
  /** The answer's status ('Accepted', 'Rejected', 'Scheduled', ...), 'Answered' without one, 'Error' when it failed. */
  outcome: string;
  error: string | null;
  response: unknown;
}

export interface NewCommandRecord {
  tenantId: string;
  stationId: string;
  action: string;
  request: Record<string, unknown>;
  requestedBy: string;
  startedAt: Date;
  durationMs: number;
  response?: Record<string, unknown> | undefined;
  error?: string | undefined;
}

export interface CommandFilter {
  limit: number;
  /** The previous page's nextCursor. */
  cursor?: string | undefined;
  /** The older name of `cursor`: also the id of a record, to list from the one before it (default sort). */
  before?: string | undefined;
  /** One of COMMAND_SORT's values; default newest first. */
  sort?: string | undefined;
  action?: string | undefined;
}
