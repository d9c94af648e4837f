import type { DomainEvent, EventBus } from '../../src/platform/bus.js';

/** Resolves with the first event of that type matching the predicate (no sleeping in tests). */
export function nextEvent<E extends DomainEvent>(bus: EventBus, type: E['type'], match: (e: E) => boolean = () => true): Promise<E> {
  return new Promise((resolve) => {
    const unsubscribe = bus.subscribe<E>(type, (event) => {
      if (!match(event)) return;
      unsubscribe();
      resolve(event);
    });
  });
}
