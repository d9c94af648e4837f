/**
 * Tracks the parts of one report (NotifyReport / NotifyMonitoringReport share requestId, seqNo and
 * tbc: B07.FR.10, B08.FR.14). Parts may arrive out of order; the report is complete once the part
 * with tbc=false has arrived and every seqNo before it too.
 */
export class ReportAssembly {
  private readonly seen = new Set<number>();
  private lastSeqNo: number | undefined;
  readonly startedAtMs: number;

  constructor(nowMs: number) {
    this.startedAtMs = nowMs;
  }

  /** Records a part; true when this part completed the report. A repeated part changes nothing. */
  add(seqNo: number, tbc: boolean): boolean {
    if (this.seen.has(seqNo)) return false;
    this.seen.add(seqNo);
    if (!tbc) this.lastSeqNo = seqNo;
    return this.complete;
  }

  get complete(): boolean {
    if (this.lastSeqNo === undefined) return false;
    for (let i = 0; i <= this.lastSeqNo; i++) if (!this.seen.has(i)) return false;
    return true;
  }

  get parts(): number {
    return this.seen.size;
  }
}

/** Open reports per station and requestId; a report left incomplete is dropped after maxAgeMs. */
export class OpenReports {
  private readonly open = new Map<string, ReportAssembly>();

  constructor(private readonly maxAgeMs: number) {}

  /** Records a part; returns the part count when the report just completed, else undefined. */
  add(stationId: string, requestId: number, seqNo: number, tbc: boolean, nowMs: number): number | undefined {
    this.expire(nowMs);
    const key = `${stationId}\u0000${requestId}`;
    let report = this.open.get(key);
    if (!report) {
      report = new ReportAssembly(nowMs);
      this.open.set(key, report);
    }
    if (!report.add(seqNo, tbc)) return undefined;
    this.open.delete(key);
    return report.parts;
  }

  private expire(nowMs: number): void {
    for (const [key, report] of this.open) if (nowMs - report.startedAtMs > this.maxAgeMs) this.open.delete(key);
  }
}
