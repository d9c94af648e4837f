import { describe, expect, it } from 'vitest';
import { MeterSampleWriter } from './sample-writer.js';
import type { NewSampleRow } from './session-rows.js';

const row = (i: number): NewSampleRow => ({
  tenant_id: 't',
  session_id: null,
  station_id: 's',
  evse_id: 1,
  sampled_at: new Date(i * 1000),
  measurand: 'Energy.Active.Import.Register',
  phase: '',
  location: '',
  context: '',
  value: i,
  unit: 'Wh',
  normalised_value: i,
  normalised_unit: 'Wh',
  signed_data: null,
});

describe('MeterSampleWriter (group commit, persist before acknowledge)', () => {
  it('a burst of 1,000 writes becomes a handful of INSERTs and every writer waits for its own', async () => {
    const statements: number[] = [];
    let release!: () => void;
    const firstGate = new Promise<void>((r) => (release = r));
    const writer = new MeterSampleWriter(async (rows) => {
      statements.push(rows.length);
      if (statements.length === 1) await firstGate;
    }, 1);
    const first = writer.write([row(0)]);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await new Promise((r) => setTimeout(r, 5));
    // The first batch is being written; the burst piles up behind it.
    const burst = Array.from({ length: 1000 }, (_, i) => writer.write([row(i + 1)]));
    expect(firstDone).toBe(false);
    release();
    await Promise.all([first, ...burst]);
    expect(statements).toEqual([1, 1000]);
  });

  it('a failed write rejects only the writers of that batch; the next batch is written', async () => {
    let calls = 0;
    const writer = new MeterSampleWriter(async () => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
    }, 0);
    await expect(writer.write([row(1)])).rejects.toThrow('disk full');
    await expect(writer.write([row(2)])).resolves.toBeUndefined();
    await writer.flush();
    expect(calls).toBe(2);
  });
});
