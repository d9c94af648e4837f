import { sql, type Kysely } from 'kysely';
import type { StationsTables } from './tables.js';
import type { ConnectorRow } from './store.js';

/** Columns of `stations` that follow a station's life on the wire; written behind, in batches. */
export interface StationStatePatch {
  online?: boolean;
  connected_at?: Date;
  disconnected_at?: Date;
  last_seen_at?: Date;
  ocpp_version?: string;
  vendor?: string;
  model?: string;
  serial_number?: string | null;
  firmware_version?: string | null;
  iccid?: string | null;
  imsi?: string | null;
  last_boot_status?: string;
  last_boot_at?: Date;
}

const PATCH_COLUMNS = [
  ['online', 'boolean'],
  ['connected_at', 'timestamptz'],
  ['disconnected_at', 'timestamptz'],
  ['last_seen_at', 'timestamptz'],
  ['ocpp_version', 'text'],
  ['vendor', 'text'],
  ['model', 'text'],
  ['serial_number', 'text'],
  ['firmware_version', 'text'],
  ['iccid', 'text'],
  ['imsi', 'text'],
  ['last_boot_status', 'text'],
  ['last_boot_at', 'timestamptz'],
] as const satisfies readonly (readonly [keyof StationStatePatch, string])[];

const ROWS_PER_STATEMENT = 1000;

/**
 * Write-behind for station presence, boot facts and connector status. A reconnect storm of
 * thousands of stations becomes a few multi-row statements per flush instead of several round
 * trips per station. Nothing here is money or energy: the worst a crash can lose is the last
 * flush interval of status, which the stations report again after they reconnect. Readers call
 * `flush()` first, so the API always reads its own writes.
 */
export class StationStateWriter {
  private stations = new Map<string, StationStatePatch>();
  private connectors = new Map<string, ConnectorRow>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<StationsTables>,
    private readonly flushIntervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  patchStation(stationId: string, patch: StationStatePatch): void {
    const current = this.stations.get(stationId);
    this.stations.set(stationId, current ? { ...current, ...patch } : patch);
    this.schedule();
  }

  putConnector(row: ConnectorRow): void {
    const key = `${row.station_id}\u0000${row.evse_id}\u0000${row.connector_id}`;
    const current = this.connectors.get(key);
    if (!current || current.status_at.getTime() <= row.status_at.getTime()) this.connectors.set(key, row);
    this.schedule();
  }

  /** Writes everything pending; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.stations.size === 0 && this.connectors.size === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const stations = this.stations;
    const connectors = this.connectors;
    this.stations = new Map();
    this.connectors = new Map();
    this.running = this.write(stations, [...connectors.values()]).finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private async write(stations: Map<string, StationStatePatch>, connectors: ConnectorRow[]): Promise<void> {
    const entries = [...stations.entries()];
    for (let i = 0; i < entries.length; i += ROWS_PER_STATEMENT) {
      await this.writeStations(entries.slice(i, i + ROWS_PER_STATEMENT));
    }
    for (let i = 0; i < connectors.length; i += ROWS_PER_STATEMENT) {
      await this.writeConnectors(connectors.slice(i, i + ROWS_PER_STATEMENT));
    }
  }

  private async writeStations(entries: [string, StationStatePatch][]): Promise<void> {
    // A NULL in the VALUES list means "leave as is": none of these columns is ever cleared here.
    const rows = entries.map(
      ([id, patch]) =>
        sql`(${sql.join([sql`${id}::text`, ...PATCH_COLUMNS.map(([column, type]) => sql`${patch[column] ?? null}::${sql.raw(type)}`)])})`,
    );
    const columns = sql.raw(['id', ...PATCH_COLUMNS.map(([c]) => c)].join(', '));
    const assignments = sql.raw(PATCH_COLUMNS.map(([c]) => `${c} = coalesce(v.${c}, s.${c})`).join(', '));
    await sql`update stations as s set ${assignments} from (values ${sql.join(rows)}) as v(${columns}) where s.id = v.id`.execute(this.db);
  }

  private async writeConnectors(rows: ConnectorRow[]): Promise<void> {
    await this.db
      .insertInto('station_connectors')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['station_id', 'evse_id', 'connector_id'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            error_code: eb.ref('excluded.error_code'),
            info: eb.ref('excluded.info'),
            vendor_error_code: eb.ref('excluded.vendor_error_code'),
            status_at: eb.ref('excluded.status_at'),
          }))
          .where('station_connectors.status_at', '<=', (eb) => eb.ref('excluded.status_at')),
      )
      .execute();
  }
}
