import { describe, expect, it } from 'vitest';
import { OpenReports, ReportAssembly } from './report-assembly.js';

describe('ReportAssembly', () => {
  it('B07.FR.10 complete once seqNo 0..last (tbc=false) are all in, whatever the order', () => {
    const report = new ReportAssembly(0);
    expect(report.add(2, false)).toBe(false);
    expect(report.add(0, true)).toBe(false);
    expect(report.add(1, true)).toBe(true);
    expect(report.parts).toBe(3);
  });

  it('a repeated part neither completes nor counts twice', () => {
    const report = new ReportAssembly(0);
    report.add(0, true);
    expect(report.add(0, true)).toBe(false);
    expect(report.add(1, false)).toBe(true);
    expect(report.parts).toBe(2);
  });

  it('a one-part report is complete at once; reports are kept apart per station and requestId', () => {
    const open = new OpenReports(60_000);
    expect(open.add('A', 1, 0, true, 0)).toBeUndefined();
    expect(open.add('B', 1, 0, false, 0)).toBe(1);
    expect(open.add('A', 2, 0, false, 0)).toBe(1);
    expect(open.add('A', 1, 1, false, 0)).toBe(2);
  });

  it('an abandoned report expires', () => {
    const open = new OpenReports(1000);
    open.add('A', 1, 0, true, 0);
    expect(open.add('A', 1, 1, false, 5000)).toBeUndefined();
  });
});
