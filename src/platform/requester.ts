/**
 * Who asked for a CSMS-initiated CALL, as the command history records it: the id of the API
 * principal (user, API key, driver) whose request made it, or SYSTEM_REQUESTER for a CALL the
 * CSMS makes on its own (a reconnect check, a boot template, a firmware campaign's later waves).
 * It is passed along every command path as a value, from the route to the gateway's send: no
 * AsyncLocalStorage, whose promise hooks cost every async call in the process a few percent.
 */
export type RequestedBy = string;

export const SYSTEM_REQUESTER: RequestedBy = 'system';

/** How one CSMS-initiated CALL is sent: who asked for it, and how long to wait for the answer. */
export interface CallOptions {
  requestedBy: RequestedBy;
  /** Absent: the gateway's call time-out. */
  timeoutMs?: number | undefined;
}
