import type { WebSocket } from 'ws';

/**
 * With no context takeover, ws 8 only *resets* its zlib streams after each message and keeps
 * them until the socket closes: about 25 kB after one compressed frame in and 210 kB after one
 * out, per connection, forever. Measured over 5,000 connections (bench/results/deflate-*.json):
 * 250 kB per connection after compressed traffic both ways, 29 kB with this release. Without
 * context takeover there is no state worth keeping, so close the streams once the connection is
 * idle; ws creates new ones for the next compressed message.
 *
 * This reaches into ws internals (`_extensions`, `_inflate`, `_deflate`, `_sender`); the test
 * `zlib-release.test.ts` pins that shape so a ws upgrade that changes it fails loudly.
 */
interface ZlibStream {
  close(): void;
}

interface PerMessageDeflateInternals {
  params: Record<string, unknown> | null;
  _inflate: ZlibStream | null;
  _deflate: ZlibStream | null;
}

interface WebSocketInternals {
  _extensions: Record<string, PerMessageDeflateInternals | undefined>;
  _sender: { _state: number; _queue: unknown[] } | null;
}

const SENDER_IDLE = 0;

function extension(ws: WebSocket): PerMessageDeflateInternals | undefined {
  const pmd = (ws as unknown as WebSocketInternals)._extensions?.['permessage-deflate'];
  return pmd?.params ? pmd : undefined;
}

/**
 * Call from the 'message' handler only: ws emits messages synchronously (allowSynchronousEvents,
 * its default) and starts inflating the next message only after the handler returns, so the
 * stream is idle here. Anywhere else a decompression may be in flight.
 */
export function releaseIdleInflate(ws: WebSocket): void {
  const pmd = extension(ws);
  if (pmd?._inflate && pmd.params?.['client_no_context_takeover']) {
    pmd._inflate.close();
    pmd._inflate = null;
  }
}

/** Call from a send callback: frees the deflate stream unless the sender is still busy. */
export function releaseIdleDeflate(ws: WebSocket): void {
  const pmd = extension(ws);
  const sender = (ws as unknown as WebSocketInternals)._sender;
  if (pmd?._deflate && pmd.params?.['server_no_context_takeover'] && sender && sender._state === SENDER_IDLE && sender._queue.length === 0) {
    pmd._deflate.close();
    pmd._deflate = null;
  }
}
