/**
 * The domain event bus. In one process it is a synchronous in-memory fan-out; a Redis-backed bus
 * with the same interface carries events between nodes of a cluster.
 */
export interface DomainEvent<TType extends string = string, TPayload = unknown> {
  /**
   * Stable id of an event delivered at least once (the transactions outbox, ADR 008): the same
   * id seen twice is the same event, so a consumer that must not double-count dedupes on it.
   */
  id?: string;
  type: TType;
  tenantId: string;
  occurredAt: Date;
  payload: TPayload;
}

export type EventHandler<E extends DomainEvent = DomainEvent> = (event: E) => void | Promise<void>;

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe<E extends DomainEvent>(type: E['type'] | '*', handler: EventHandler<E>): () => void;
}

export interface BusErrorSink {
  (err: unknown, event: DomainEvent): void;
}

export class InMemoryBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler>>();

  constructor(private readonly onHandlerError: BusErrorSink) {}

  publish(event: DomainEvent): void {
    for (const key of [event.type, '*']) {
      const set = this.handlers.get(key);
      if (!set) continue;
      for (const handler of set) {
        try {
          const result = handler(event);
          if (result && typeof (result as Promise<void>).catch === 'function') {
            (result as Promise<void>).catch((err: unknown) => this.onHandlerError(err, event));
          }
        } catch (err) {
          this.onHandlerError(err, event);
        }
      }
    }
  }

  subscribe<E extends DomainEvent>(type: E['type'] | '*', handler: EventHandler<E>): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(handler as EventHandler);
    return () => set.delete(handler as EventHandler);
  }
}
