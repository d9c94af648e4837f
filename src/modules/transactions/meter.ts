import type { MeterReading } from './types.js';

export const ENERGY_REGISTER = 'Energy.Active.Import.Register';
export const POWER_IMPORT = 'Power.Active.Import';

/** Scale to the base unit: kWh → Wh, kW → W, kvarh → varh, kVA → VA, kvar → var. */
const SCALED: Record<string, [string, number]> = {
  kWh: ['Wh', 1000],
  kW: ['W', 1000],
  kvarh: ['varh', 1000],
  kvar: ['var', 1000],
  kVA: ['VA', 1000],
  kVAh: ['VAh', 1000],
  Celcius: ['Celsius', 1],
  Percent: ['%', 1],
};

/** When a station leaves the unit out: OCPP says Wh, which is only right for energy. */
function defaultUnit(measurand: string): string {
  if (measurand.startsWith('Energy.Reactive')) return 'varh';
  if (measurand.startsWith('Energy.Apparent')) return 'VAh';
  if (measurand.startsWith('Energy')) return 'Wh';
  if (measurand.startsWith('Power.Reactive')) return 'var';
  if (measurand === 'Power.Factor') return '';
  if (measurand.startsWith('Power')) return 'W';
  if (measurand.startsWith('Current')) return 'A';
  if (measurand === 'Voltage') return 'V';
  if (measurand === 'SoC') return '%';
  if (measurand === 'Frequency') return 'Hz';
  return '';
}

export interface NormalisedReading {
  value: number | null;
  unit: string;
  normalisedValue: number | null;
  normalisedUnit: string;
}

export function normalise(reading: MeterReading): NormalisedReading {
  const unit = reading.unit ?? defaultUnit(reading.measurand);
  const [normalisedUnit, factor] = SCALED[unit] ?? [unit, 1];
  const multiplier = reading.multiplier ?? 0;
  const value = reading.value;
  const normalisedValue = value === null || !Number.isFinite(value) ? null : roundMicro(value * factor * 10 ** multiplier);
  return { value, unit, normalisedValue, normalisedUnit };
}

function roundMicro(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export interface RegisterSample {
  atMs: number;
  wh: number;
}

/**
 * Energy delivered according to an import register: the sum of increases between consecutive
 * readings in time order. Duplicates (same instant) count once, readings may arrive in any order,
 * and a drop (meter reset or replacement) starts a new baseline instead of counting negative or
 * double: energy is never over-counted.
 */
export function energyFromRegister(samples: readonly RegisterSample[]): { energyWh: number; points: { atMs: number; energyWh: number }[] } {
  const byInstant = new Map<number, number>();
  for (const s of samples) byInstant.set(s.atMs, Math.max(byInstant.get(s.atMs) ?? -Infinity, s.wh));
  const ordered = [...byInstant.entries()].sort((a, b) => a[0] - b[0]);
  let energyWh = 0;
  let previous: number | undefined;
  const points: { atMs: number; energyWh: number }[] = [];
  for (const [atMs, wh] of ordered) {
    if (previous !== undefined && wh > previous) energyWh += wh - previous;
    previous = wh;
    points.push({ atMs, energyWh: Math.round(energyWh) });
  }
  return { energyWh: Math.round(energyWh), points };
}
