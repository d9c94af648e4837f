import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.js';

describe('LatencyHistogram', () => {
  it('quantiles are within 2.5 % of the exact value', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 10); // 0.1 ms ... 1000 ms
    expect(h.count).toBe(10_000);
    expect(h.quantile(0.5)).toBeGreaterThan(500 * 0.975);
    expect(h.quantile(0.5)).toBeLessThan(500 * 1.025);
    expect(h.quantile(0.99)).toBeGreaterThan(990 * 0.975);
    expect(h.quantile(0.99)).toBeLessThan(990 * 1.025);
    expect(h.quantile(1)).toBeLessThanOrEqual(1000);
    expect(h.maxMs).toBe(1000);
  });

  it('merges through its sparse JSON form, as workers send it', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i++) a.record(1);
    for (let i = 0; i < 100; i++) b.record(100);
    const json = b.toJSON();
    expect(json.buckets).toHaveLength(1);
    const merged = LatencyHistogram.fromJSON(a.toJSON());
    merged.merge(json);
    expect(merged.count).toBe(200);
    expect(merged.quantile(0.25)).toBeCloseTo(1, 1);
    expect(merged.quantile(0.75)).toBeGreaterThan(97);
    expect(merged.meanMs()).toBeCloseTo(50.5, 5);
  });

  it('is empty until something is recorded', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBeNull();
    h.record(0);
    expect(h.quantile(0.5)).toBe(0);
  });
});
