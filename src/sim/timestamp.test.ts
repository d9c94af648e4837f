import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './timestamp.js';

describe('isoTimestamp', () => {
  it('is Date#toISOString for every millisecond padding, across second, day and year boundaries', () => {
    const cases = [
      Date.parse('2025-01-01T00:00:00.000Z'),
      Date.parse('2025-01-01T00:00:00.007Z'),
      Date.parse('2025-01-01T00:00:00.042Z'),
      Date.parse('2025-01-01T00:00:00.999Z'),
      Date.parse('2025-12-31T23:59:59.999Z'),
      Date.parse('2026-01-01T00:00:00.001Z'),
      Date.parse('1970-01-01T00:00:00.000Z'),
    ];
    for (let i = 0; i < 2_000; i++) cases.push(1_700_000_000_000 + Math.floor(Math.random() * 100_000_000_000));
    // Back and forth in time, so the cached second is both hit and missed.
    for (const ms of [...cases, ...cases.reverse()]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('drops a fractional millisecond as Date does', () => {
    const ms = Date.parse('2025-06-01T12:00:00.250Z');
    expect(isoTimestamp(ms + 0.9)).toBe('2025-06-01T12:00:00.250Z');
  });
});
