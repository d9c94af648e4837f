import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { CommandsTables, CustomerInformationReportsTable } from './tables.js';
import { PartCollector, type Collected } from './part-collector.js';
import { mapPage, type ListWindowQuery } from '../../platform/list-sort.js';
import type { Page } from '../../platform/pagination.js';
import { CUSTOMER_INFORMATION_SORT } from './command-sort.js';

/** One NotifyCustomerInformation (2.0.1 N09/N10). */
export interface CustomerInformationPart {
  requestId: number;
  seqNo: number;
  data: string;
  tbc: boolean;
  generatedAt: string;
}

export interface CustomerInformationReport {
  stationId: string;
  requestId: number;
  requestedBy: string;
  /** The station's CustomerInformationResponse status. */
  status: string;
  data: string;
  parts: number;
  complete: boolean;
  generatedAt: string | null;
  createdAt: string;
}

/**
 * Customer information reports: the request's answer is stored when it is sent, and the data
 * parts, ordered by seqNo, when the last one (tbc=false) arrives, whether or not a caller still waits.
 */
export class CustomerInformationReports {
  private readonly collector = new PartCollector<CustomerInformationPart>();

  constructor(private readonly deps: { db: Kysely<CommandsTables>; clock: Clock }) {}

  wait(tenantId: string, stationId: string, requestId: number, timeoutMs: number): Promise<Collected<CustomerInformationPart>> {
    return this.collector.wait(PartCollector.key(tenantId, stationId, requestId), timeoutMs);
  }

  cancel(tenantId: string, stationId: string, requestId: number): void {
    this.collector.cancel(PartCollector.key(tenantId, stationId, requestId));
  }

  async requested(tenantId: string, stationId: string, requestId: number, requestedBy: string, status: string): Promise<void> {
    await this.deps.db
      .insertInto('customer_information_reports')
      .values({ tenant_id: tenantId, station_id: stationId, request_id: requestId, requested_by: requestedBy, status, created_at: this.deps.clock.now() })
      .onConflict((oc) => oc.columns(['tenant_id', 'station_id', 'request_id']).doUpdateSet({ status, requested_by: requestedBy }))
      .execute();
  }

  /** A part from the station; the report is stored when it is complete. */
  async deliver(tenantId: string, stationId: string, part: CustomerInformationPart): Promise<void> {
    const key = PartCollector.key(tenantId, stationId, part.requestId);
    // The API call waiting for this report reads it back from the table: it resumes once the row is written.
    const parts = this.collector.add(key, part, !part.tbc, true);
    if (!parts) return;
    try {
      await this.store(tenantId, stationId, part.requestId, parts);
    } finally {
      this.collector.settle(key, parts);
    }
  }

  private async store(tenantId: string, stationId: string, requestId: number, parts: CustomerInformationPart[]): Promise<void> {
    const ordered = [...parts].sort((a, b) => a.seqNo - b.seqNo);
    const values = {
      data: ordered.map((p) => p.data).join(''),
      parts: ordered.length,
      generated_at: new Date(ordered[0]?.generatedAt ?? this.deps.clock.now()),
      completed_at: this.deps.clock.now(),
    };
    await this.deps.db
      .insertInto('customer_information_reports')
      // A report for a request made outside the typed endpoint (the passthrough) is kept too.
      .values({ tenant_id: tenantId, station_id: stationId, request_id: requestId, requested_by: 'unknown', status: 'Accepted', created_at: this.deps.clock.now(), ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'station_id', 'request_id']).doUpdateSet(values))
      .execute();
  }

  async list(tenantId: string, stationId: string, query: ListWindowQuery): Promise<Page<CustomerInformationReport>> {
    const window = CUSTOMER_INFORMATION_SORT.window(query);
    return mapPage(window.page(await window.apply(this.query(tenantId, stationId)).limit(window.limit + 1).execute()), toReport);
  }

  async get(tenantId: string, stationId: string, requestId: number): Promise<CustomerInformationReport | undefined> {
    const row = await this.query(tenantId, stationId).where('request_id', '=', requestId).executeTakeFirst();
    return row ? toReport(row) : undefined;
  }

  private query(tenantId: string, stationId: string) {
    return this.deps.db.selectFrom('customer_information_reports').selectAll().where('tenant_id', '=', tenantId).where('station_id', '=', stationId);
  }
}

function toReport(r: Selectable<CustomerInformationReportsTable>): CustomerInformationReport {
  return {
    stationId: r.station_id,
    requestId: r.request_id,
    requestedBy: r.requested_by,
    status: r.status,
    data: r.data,
    parts: r.parts,
    complete: r.completed_at !== null,
    generatedAt: r.generated_at ? new Date(r.generated_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
