import { describe, expect, it } from 'vitest';
import { energyFromRegister, normalise } from './meter.js';

const at = (minute: number) => Date.UTC(2026, 0, 1, 10, minute);

describe('meter value normalisation (J01 sampled values)', () => {
  it('scales kWh to Wh and kW to W, applies the 2.0.1 multiplier', () => {
    expect(normalise({ sampledAt: new Date(), measurand: 'Energy.Active.Import.Register', value: 12.5, unit: 'kWh' })).toMatchObject({
      normalisedValue: 12500,
      normalisedUnit: 'Wh',
    });
    expect(normalise({ sampledAt: new Date(), measurand: 'Power.Active.Import', value: 7.4, unit: 'kW' }).normalisedValue).toBe(7400);
    expect(normalise({ sampledAt: new Date(), measurand: 'Energy.Active.Import.Register', value: 15, unit: 'Wh', multiplier: 3 })).toMatchObject({
      normalisedValue: 15000,
      normalisedUnit: 'Wh',
    });
  });

  it('defaults the unit by measurand when the station leaves it out', () => {
    expect(normalise({ sampledAt: new Date(), measurand: 'Current.Import', value: 16 }).normalisedUnit).toBe('A');
    expect(normalise({ sampledAt: new Date(), measurand: 'SoC', value: 80, unit: 'Percent' }).normalisedUnit).toBe('%');
    expect(normalise({ sampledAt: new Date(), measurand: 'Energy.Active.Import.Register', value: null }).normalisedValue).toBeNull();
  });
});

describe('session energy from the import register', () => {
  it('is the difference from the first to the latest reading', () => {
    expect(energyFromRegister([{ atMs: at(0), wh: 1000 }, { atMs: at(5), wh: 1600 }, { atMs: at(10), wh: 2500 }]).energyWh).toBe(1500);
  });

  it('does not care about arrival order or duplicates', () => {
    const samples = [
      { atMs: at(10), wh: 2500 },
      { atMs: at(0), wh: 1000 },
      { atMs: at(5), wh: 1600 },
      { atMs: at(5), wh: 1600 },
    ];
    expect(energyFromRegister(samples).energyWh).toBe(1500);
  });

  it('survives a meter reset: a drop starts a new baseline and is never counted negative', () => {
    const samples = [
      { atMs: at(0), wh: 1000 },
      { atMs: at(5), wh: 1600 },
      { atMs: at(6), wh: 0 },
      { atMs: at(10), wh: 400 },
    ];
    expect(energyFromRegister(samples).energyWh).toBe(1000);
  });

  it('gives 0 for a single reading and the cumulative points for the timeline', () => {
    expect(energyFromRegister([{ atMs: at(0), wh: 5 }]).energyWh).toBe(0);
    expect(energyFromRegister([{ atMs: at(0), wh: 5 }, { atMs: at(1), wh: 15 }]).points.map((p) => p.energyWh)).toEqual([0, 10]);
  });
});
