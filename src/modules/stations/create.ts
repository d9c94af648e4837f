import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { ScryptCost } from '../../platform/passwords.js';
import { StationsService } from './service.js';
import { StationStateWriter } from './state-writer.js';
import { StationsStore } from './store.js';
import type { StationsTables } from './tables.js';

export interface CreateStationsOptions {
  db: Kysely<StationsTables>;
  bus: EventBus;
  clock: Clock;
  heartbeatIntervalS: number;
  bootRetryIntervalS: number;
  passwordCost?: ScryptCost | undefined;
  /** How long station state may wait to be written in one batch. */
  flushIntervalMs?: number;
  onWriteError: (err: unknown) => void;
}

export function createStationsService(options: CreateStationsOptions): StationsService {
  return new StationsService({
    store: new StationsStore(options.db),
    writer: new StationStateWriter(options.db, options.flushIntervalMs ?? 100, options.onWriteError),
    bus: options.bus,
    clock: options.clock,
    heartbeatIntervalS: options.heartbeatIntervalS,
    bootRetryIntervalS: options.bootRetryIntervalS,
    ...(options.passwordCost ? { passwordCost: options.passwordCost } : {}),
  });
}
