import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { EventBus } from '../../platform/bus.js';
import type { IdSource } from '../../platform/ids.js';
import { MeterSampleWriter } from './sample-writer.js';
import { GroupCommit } from './group-commit.js';
import { TransactionsService } from './service.js';
import { TransactionsStore } from './store.js';
import { writeStarts, writeStops } from './numbered-writes.js';
import type { TransactionsTables } from './tables.js';
import type { TokenAuthorizer } from './types.js';
import type { ConnectorStatusChanged } from '../stations/index.js';

export interface CreateTransactionsOptions {
  db: Kysely<TransactionsTables>;
  bus: EventBus;
  clock: Clock;
  ids: IdSource;
  authorizer: TokenAuthorizer;
  /** How long a meter sample or transaction event may wait for others to share its statement when the writer is idle. */
  writeLingerMs?: number;
}

export function createTransactionsService(options: CreateTransactionsOptions): TransactionsService {
  const store = new TransactionsStore(options.db);
  const lingerMs = options.writeLingerMs ?? 2;
  const service = new TransactionsService({
    store,
    samples: new MeterSampleWriter((rows) => store.insertSamples(rows), lingerMs),
    // 22 parameters an event: 2,000 a statement stays under PostgreSQL's 65,535.
    events: new GroupCommit((items) => store.applyEvents(items), lingerMs, 2000),
    // 10 and 13 parameters a message: 2,000 a statement stays under PostgreSQL's 65,535 too.
    starts: new GroupCommit((items) => writeStarts(options.db, items), lingerMs, 2000),
    stops: new GroupCommit((items) => writeStops(options.db, items), lingerMs, 2000),
    bus: options.bus,
    clock: options.clock,
    ids: options.ids,
    authorizer: options.authorizer,
  });
  options.bus.subscribe<ConnectorStatusChanged>('ConnectorStatusChanged', (event) =>
    service.connectorStatusChanged(event.tenantId, event.payload.stationId, event.payload.evseId, event.payload.status),
  );
  return service;
}
