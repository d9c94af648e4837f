import { describe, expect, it } from 'vitest';
import { energyFromRegister, ENERGY_REGISTER } from './meter.js';
import { registerRuns } from './session-energy.js';
import type { NewSampleRow } from './session-rows.js';

function reading(sessionId: string | null, atMs: number, wh: number, measurand = ENERGY_REGISTER, phase = ''): NewSampleRow {
  return {
    tenant_id: 't',
    session_id: sessionId,
    station_id: 'S',
    evse_id: 1,
    sampled_at: new Date(atMs),
    measurand,
    phase,
    location: '',
    context: '',
    value: wh,
    unit: 'Wh',
    normalised_value: wh,
    normalised_unit: 'Wh',
    signed_data: null,
  };
}

describe('registerRuns (incremental session energy)', () => {
  it('summarises each session in time order, one reading per instant (the highest), like energyFromRegister', () => {
    const rows = [reading('a', 3000, 130), reading('a', 1000, 100), reading('a', 2000, 90), reading('a', 2000, 95), reading('b', 5000, 7)];
    const runs = registerRuns(rows);
    expect(runs).toEqual([
      { sessionId: 'a', firstAtMs: 1000, firstWh: 100, lastAtMs: 3000, lastWh: 130, innerWh: 35 },
      { sessionId: 'b', firstAtMs: 5000, firstWh: 7, lastAtMs: 5000, lastWh: 7, innerWh: 0 },
    ]);
    const a = rows.filter((r) => r.session_id === 'a').map((r) => ({ atMs: (r.sampled_at as Date).getTime(), wh: r.normalised_value as number }));
    expect(runs[0]?.innerWh).toBe(energyFromRegister(a).energyWh);
  });

  it('leaves out readings without a session, other measurands and per-phase registers', () => {
    expect(registerRuns([reading(null, 1, 5), reading('a', 1, 5, 'Power.Active.Import'), reading('a', 1, 5, ENERGY_REGISTER, 'L1')])).toEqual([]);
  });
});
