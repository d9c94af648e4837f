import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { DomainEvent } from '../../platform/bus.js';
import { principalOf } from '../../platform/principal.js';
import type { LiveEventBuffer, NumberedEvent } from './buffer.js';
import { callerMaySee, type EventVisibility } from './visibility.js';

export interface EventStreamDeps {
  buffer: LiveEventBuffer;
  heartbeatMs?: number;
  visibility?: EventVisibility;
  /** A client that stops reading is cut off once this much is queued for it. */
  maxQueuedBytes?: number;
}

/**
 * `GET /api/v1/events/stream`: server-sent events the caller may see (`callerMaySee`). Event ids are
 * `<process epoch>.<seq>`, so a `Last-Event-ID` from before a restart is recognised as a gap.
 */
export function registerEventStreamRoutes(app: FastifyInstance, deps: EventStreamDeps): void {
  const epoch = randomBytes(4).toString('hex');
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const visible = deps.visibility ?? callerMaySee;
  const maxQueuedBytes = deps.maxQueuedBytes ?? 1024 * 1024;
  const open = new Set<() => void>();

  // Streams never end by themselves: close them before the server waits for idle connections.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: { types?: string; stationId?: string; lastEventId?: string } }>(
    '/api/v1/events/stream',
    {
      config: { minRole: 'viewer' },
      schema: {
        summary: 'Live domain events as text/event-stream (heartbeat comments, Last-Event-ID resume)',
        tags: ['events'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            types: { type: 'string', maxLength: 2000, pattern: '^[A-Za-z0-9,]*$', description: 'Comma-separated event types; all when absent.' },
            stationId: { type: 'string', minLength: 1, maxLength: 48 },
            lastEventId: { type: 'string', maxLength: 64, description: 'For clients that cannot send the Last-Event-ID header.' },
          },
        },
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', maxLength: 64 } } },
      },
    },
    (request, reply) => {
      const principal = principalOf(request);
      const types = request.query.types ? new Set(request.query.types.split(',').filter(Boolean)) : undefined;
      const stationId = request.query.stationId;
      const wanted = (event: DomainEvent): boolean => {
        if (!visible(principal, event)) return false;
        if (types && !types.has(event.type)) return false;
        return stationId === undefined || (event.payload as { stationId?: unknown } | null)?.stationId === stationId;
      };
      const lastEventId = (request.headers['last-event-id'] as string | undefined) ?? request.query.lastEventId;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        stopListening();
        clearInterval(heartbeat);
        open.delete(end);
        res.end();
      };
      const write = (text: string): void => {
        if (ended) return;
        res.write(text);
        if (res.writableLength > maxQueuedBytes) {
          request.log.warn({ principal: principal.id }, 'event stream client too slow; closing');
          end();
        }
      };
      const send = (item: NumberedEvent): void => {
        if (!wanted(item.event)) return;
        const { event } = item;
        const data = JSON.stringify({ type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.payload });
        write(`id: ${epoch}.${item.seq}\nevent: ${event.type}\ndata: ${data}\n\n`);
      };

      // Events arrive from the bus on later ticks, so listening before the replay cannot interleave.
      const stopListening = deps.buffer.listen(send);
      const heartbeat = setInterval(() => write(`: heartbeat\n\n`), heartbeatMs);
      open.add(end);
      write(`retry: 3000\n: connected\n\n`);
      let missed = false;
      if (lastEventId !== undefined) {
        const [idEpoch, seqText] = lastEventId.split('.');
        const seq = Number(seqText);
        if (idEpoch === epoch && Number.isInteger(seq)) {
          const { items, complete } = deps.buffer.since(seq);
          missed = !complete;
          for (const item of items) send(item);
        } else {
          missed = true;
        }
      }
      // The client asked to resume but the buffer no longer holds everything after its id.
      if (missed) write(`event: gap\ndata: {"detail":"some events since Last-Event-ID are no longer buffered"}\n\n`);
      // The response's close, not the request's: a GET request is over once its headers are read.
      res.on('close', end);
      res.on('error', end);
    },
  );
}
