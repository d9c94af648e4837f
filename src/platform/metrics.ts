import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { statementsSent } from './db/statement-count.js';
import { dbThreadTime } from './db/db-thread-time.js';
import type { PoolStats } from './db/pool-like.js';

/** One Prometheus registry per app instance, so tests can run several servers in one process. */
export interface Metrics {
  registry: Registry;
  stationsConnected: Gauge;
  ocppMessages: Counter<'direction' | 'version' | 'action' | 'type'>;
  ocppHandlerSeconds: Histogram<'action'>;
  handshakeRejections: Counter<'reason'>;
}

export function createMetrics(options: { defaultMetrics: boolean; dbPool?: () => PoolStats }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'ampline_' });
  new Counter({
    name: 'ampline_db_statements_total',
    help: 'SQL statements sent to the database by this process',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(statementsSent());
    },
  });
  new Counter({
    name: 'ampline_db_thread_busy_seconds_total',
    help: 'Embedded database only: seconds its thread spent running statements',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(dbThreadTime().busySeconds);
    },
  });
  new Counter({
    name: 'ampline_db_thread_transaction_wait_seconds_total',
    help: 'Embedded database only: seconds its thread waited inside open transactions for the next statement',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(dbThreadTime().transactionWaitSeconds);
    },
  });
  const dbPool = options.dbPool;
  if (dbPool) {
    new Gauge({
      name: 'ampline_db_pool_connections',
      help: 'Database pool connections: size (the most it holds), open, idle (open and held by no caller)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const stats = dbPool();
        this.set({ state: 'size' }, stats.size);
        this.set({ state: 'open' }, stats.open);
        this.set({ state: 'idle' }, stats.idle);
      },
    });
    new Gauge({
      name: 'ampline_db_pool_waiting',
      help: 'Callers waiting for a database connection',
      registers: [registry],
      collect() {
        this.set(dbPool().waiting);
      },
    });
  }
  return {
    registry,
    stationsConnected: new Gauge({ name: 'ampline_stations_connected', help: 'Stations with an open OCPP WebSocket', registers: [registry] }),
    ocppMessages: new Counter({
      name: 'ampline_ocpp_messages_total',
      help: 'OCPP CALLs handled, by direction (in = station to CSMS), version, action and outcome',
      labelNames: ['direction', 'version', 'action', 'type'],
      registers: [registry],
    }),
    ocppHandlerSeconds: new Histogram({
      name: 'ampline_ocpp_handler_seconds',
      help: 'Time to answer an inbound OCPP CALL',
      labelNames: ['action'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    handshakeRejections: new Counter({
      name: 'ampline_ocpp_handshake_rejections_total',
      help: 'WebSocket upgrades refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
