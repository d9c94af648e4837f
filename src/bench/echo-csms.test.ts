import { describe, expect, it } from 'vitest';
import { validatorFor } from '../ocpp/rpc/schema-validator.js';
import { runCeiling } from './ceiling.js';
import { echoResult } from './echo-csms.js';

describe('bench ceiling', () => {
  it('the echo CSMS answers every call the sessions load makes with a result the official schema accepts', () => {
    let n = 0;
    const next = (): number => ++n;
    const actions = {
      '1.6': ['BootNotification', 'Heartbeat', 'StatusNotification', 'Authorize', 'StartTransaction', 'MeterValues', 'StopTransaction', 'DataTransfer'],
      '2.0.1': ['BootNotification', 'Heartbeat', 'StatusNotification', 'Authorize', 'TransactionEvent', 'MeterValues', 'NotifyReport', 'DataTransfer'],
    } as const;
    for (const version of ['1.6', '2.0.1'] as const) {
      const validator = validatorFor(version === '1.6' ? 'ocpp1.6' : 'ocpp2.0.1');
      for (const action of actions[version]) {
        expect(() => validator.validate(action, 'response', echoResult(version, action, next)), `${version} ${action}`).not.toThrow();
      }
    }
    expect(echoResult('1.6', 'StartTransaction', next)).toMatchObject({ transactionId: n });
  });

  it('drives real stations over WebSockets against the echo CSMS and measures the rate and CPU per message', async () => {
    const result = await runCeiling(
      { stations: 20, intervalS: 0.2, ocpp: 'mixed', durationS: 3, samplesPerSession: 3, idleIntervals: 1, workers: 1, resultsDir: '/nonexistent' },
      () => undefined,
    );
    expect(result.errors).toBe(0);
    expect(result.messagesPerSecond).toBeGreaterThan(20);
    expect(result.latency.count).toBeGreaterThan(60);
    expect(result.perMessage.simCpuMs).toBeGreaterThan(0);
    expect(result.perMessage.echoCpuMs).toBeGreaterThan(0);
  }, 60_000);
});
