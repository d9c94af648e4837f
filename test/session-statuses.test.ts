import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RawStation } from './support/raw-station.js';
import { bootStation, registerStation, statusNotification } from './helpers/stations.js';
import type { SessionStatus } from '../src/modules/transactions/index.js';

/**
 * Issue 3, "session states the driver and operator see": pending, charging, suspended by EV,
 * suspended by EVSE, idle (plugged, not charging) and finished with its stop reason, each reached
 * from a 1.6 and from a 2.0.1 station. 1.6 says charging states by StatusNotification (§4.9), 2.0.1
 * by TransactionEvent chargingState (E02, TransactionInfo).
 */
type Frame = unknown[];
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('session statuses reachable from both versions', () => {
  let server: TestServer;
  let s16: RawStation;
  let s201: RawStation;
  let connector = 0;
  let tx = 0;

  const ok = (frame: Frame) => {
    expect(frame[0], JSON.stringify(frame)).toBe(3);
    return frame[2] as Record<string, any>;
  };
  const statusOf = async (stationId: string, transactionId: string) => {
    const items = (await server.api('GET', `/api/v1/sessions?stationId=${stationId}`)).body.items as { transactionId: string; status: SessionStatus; stopReason: string | null }[];
    return items.find((s) => s.transactionId === transactionId);
  };

  /** A 1.6 session on a fresh connector; returns its transactionId and connector. */
  const start16 = async (idTag = 'STATUS-TAG') => {
    const connectorId = ++connector;
    const start = ok(await s16.call('StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: ago(5) }));
    return { transactionId: String(start['transactionId']), connectorId };
  };
  /** A 2.0.1 Started in the given charging state (or none); returns the transactionId. */
  const start201 = async (chargingState: string | undefined) => {
    const transactionId = `STATUS-TX-${++tx}`;
    ok(
      await s201.call('TransactionEvent', {
        eventType: 'Started', timestamp: ago(5), triggerReason: 'CablePluggedIn', seqNo: 0,
        transactionInfo: { transactionId, ...(chargingState ? { chargingState } : {}) }, evse: { id: 1, connectorId: 1 },
      }),
    );
    return transactionId;
  };
  const update201 = async (transactionId: string, seqNo: number, chargingState: string) =>
    ok(await s201.call('TransactionEvent', { eventType: 'Updated', timestamp: ago(4), triggerReason: 'ChargingStateChanged', seqNo, transactionInfo: { transactionId, chargingState } }));

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'STATUS-TAG', type: 'ISO14443' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'STATUS-TAG-2', type: 'ISO14443', allowConcurrent: true })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'STATUS-BLOCKED', type: 'ISO14443', status: 'Blocked' })).status).toBe(201);
    await registerStation(server, 'STATUS-16');
    await registerStation(server, 'STATUS-201');
    s16 = await bootStation(server, 'STATUS-16', '1.6');
    s201 = await bootStation(server, 'STATUS-201', '2.0.1');
  });
  afterAll(async () => {
    await s16?.close();
    await s201?.close();
    await server?.close();
  });

  describe('1.6', () => {
    it('pending: a start whose idTag is not Accepted (the station suspends it, §4.8 SuspendedEVSE) is pending', async () => {
      const { transactionId } = await start16('STATUS-BLOCKED');
      expect(await statusOf('STATUS-16', transactionId)).toMatchObject({ status: 'pending' });
    });

    it('charging: an Accepted StartTransaction, and StatusNotification Charging (§4.9)', async () => {
      const { transactionId, connectorId } = await start16('STATUS-TAG-2');
      expect(await statusOf('STATUS-16', transactionId)).toMatchObject({ status: 'charging' });
      ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'SuspendedEV')));
      ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'Charging')));
      expect(await statusOf('STATUS-16', transactionId)).toMatchObject({ status: 'charging' });
    });

    for (const [connectorStatus, status] of [
      ['SuspendedEV', 'suspended_ev'],
      ['SuspendedEVSE', 'suspended_evse'],
      ['Finishing', 'idle'],
    ] as const) {
      it(`${status}: StatusNotification ${connectorStatus} on the connector of the open session (§4.9)`, async () => {
        const { transactionId, connectorId } = await start16('STATUS-TAG-2');
        ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, connectorStatus)));
        expect(await statusOf('STATUS-16', transactionId)).toMatchObject({ status });
      });
    }

    it('finished with stop reason: StopTransaction; a later Finishing does not reopen it (§4.10)', async () => {
      const { transactionId, connectorId } = await start16('STATUS-TAG-2');
      ok(await s16.call('StopTransaction', { transactionId: Number(transactionId), meterStop: 10, timestamp: ago(1), reason: 'EVDisconnected' }));
      ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'Finishing')));
      expect(await statusOf('STATUS-16', transactionId)).toMatchObject({ status: 'finished', stopReason: 'EVDisconnected' });
    });
  });

  describe('2.0.1', () => {
    it('pending: Started with chargingState Idle, or without one (E01)', async () => {
      expect(await statusOf('STATUS-201', await start201('Idle'))).toMatchObject({ status: 'pending' });
      expect(await statusOf('STATUS-201', await start201(undefined))).toMatchObject({ status: 'pending' });
    });

    for (const [chargingState, status] of [
      ['Charging', 'charging'],
      ['SuspendedEV', 'suspended_ev'],
      ['SuspendedEVSE', 'suspended_evse'],
      ['EVConnected', 'idle'],
    ] as const) {
      it(`${status}: an Updated with chargingState ${chargingState} (E02 ChargingStateChanged)`, async () => {
        const transactionId = await start201('Idle');
        await update201(transactionId, 1, chargingState);
        expect(await statusOf('STATUS-201', transactionId)).toMatchObject({ status });
      });
    }

    it('finished with stop reason: Ended with stoppedReason, absent means Local (E06)', async () => {
      const withReason = await start201('Charging');
      ok(await s201.call('TransactionEvent', {
        eventType: 'Ended', timestamp: ago(1), triggerReason: 'EnergyLimitReached', seqNo: 1,
        transactionInfo: { transactionId: withReason, chargingState: 'EVConnected', stoppedReason: 'EnergyLimitReached' },
      }));
      expect(await statusOf('STATUS-201', withReason)).toMatchObject({ status: 'finished', stopReason: 'EnergyLimitReached' });
      const without = await start201('Charging');
      ok(await s201.call('TransactionEvent', { eventType: 'Ended', timestamp: ago(1), triggerReason: 'StopAuthorized', seqNo: 1, transactionInfo: { transactionId: without } }));
      expect(await statusOf('STATUS-201', without)).toMatchObject({ status: 'finished', stopReason: 'Local' });
    });
  });
});
