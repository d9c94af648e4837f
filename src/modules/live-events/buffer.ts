import type { DomainEvent, EventBus } from '../../platform/bus.js';

/** A bus event with the position it got in this process's stream (the SSE `id:`). */
export interface NumberedEvent {
  seq: number;
  event: DomainEvent;
}

/**
 * The recent past of the bus, numbered, for live streams: a subscriber that lost its connection
 * comes back with `Last-Event-ID` and gets what it missed, as long as that is still in the ring.
 * In memory on purpose: a stream is a convenience for consoles; webhooks are the durable path.
 */
export class LiveEventBuffer {
  private readonly ring: NumberedEvent[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(item: NumberedEvent) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly capacity = 1000) {}

  attach(bus: EventBus): void {
    this.unsubscribe = bus.subscribe('*', (event) => this.push(event));
  }

  detach(): void {
    this.unsubscribe?.();
  }

  push(event: DomainEvent): void {
    const item = { seq: this.nextSeq++, event };
    this.ring.push(item);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(item);
  }

  /** Events after `seq` still held; `complete` is false when some were already dropped. */
  since(seq: number): { items: NumberedEvent[]; complete: boolean } {
    const oldest = this.ring[0]?.seq ?? this.nextSeq;
    return { items: this.ring.filter((item) => item.seq > seq), complete: seq < this.nextSeq && seq + 1 >= oldest };
  }

  listen(listener: (item: NumberedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
