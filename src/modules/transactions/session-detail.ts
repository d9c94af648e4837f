import { DomainError } from '../../platform/errors.js';
import { ENERGY_REGISTER, POWER_IMPORT, energyFromRegister } from './meter.js';
import { toView, transactionStatusOf } from './session-view.js';
import type { TransactionsStore } from './store.js';
import type { SessionDetail } from './types.js';

/** One session as the API shows it: its view, sample count, last status check, and energy and power timeline. */
export async function sessionDetail(store: TransactionsStore, tenantId: string, id: string): Promise<SessionDetail> {
  const row = await store.byId(tenantId, id);
  if (!row) throw new DomainError('NotFound', `session ${id} not found`);
  const [samples, count] = await Promise.all([store.timeline(tenantId, id), store.countSamples(tenantId, id)]);
  const energy = energyFromRegister(
    samples.filter((s) => s.measurand === ENERGY_REGISTER).map((s) => ({ atMs: s.sampled_at.getTime(), wh: s.normalised_value as number })),
  );
  return {
    ...toView(row),
    sampleCount: Number(count?.n ?? 0),
    transactionStatus: transactionStatusOf(row),
    timeline: {
      energy: energy.points.map((p) => ({ at: new Date(p.atMs).toISOString(), energyWh: p.energyWh })),
      power: samples.filter((s) => s.measurand === POWER_IMPORT).map((s) => ({ at: s.sampled_at.toISOString(), powerW: s.normalised_value as number })),
    },
  };
}
