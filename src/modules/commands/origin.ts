import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who asked for the CALLs made while handling one request. The API enters it for each
 * authenticated request; a CALL made outside any request (a reconnect check, a boot template)
 * has no origin and is recorded as 'system'.
 */
const origin = new AsyncLocalStorage<{ requestedBy: string }>();

export const SYSTEM_ORIGIN = 'system';

export function runAs<T>(requestedBy: string, fn: () => T): T {
  return origin.run({ requestedBy }, fn);
}

export function currentRequester(): string {
  return origin.getStore()?.requestedBy ?? SYSTEM_ORIGIN;
}
