import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { BOOT_16, type RawStation } from './support/raw-station.js';
import { nextEvent } from './support/events.js';
import { bootStation, connectStation, registerStation, statusNotification } from './helpers/stations.js';
import type { TransactionEnded } from '../src/modules/transactions/index.js';

/**
 * Issue 3's test list, the parts other suites did not cover: 1.6 local start card first and cable
 * first, 1.6 remote start with the cable in first and with AuthorizeRemoteTxRequests true, every
 * stop reason of both versions (power loss after a reboot included), and unknown and expired
 * tokens in transaction messages. 2.0.1 card/cable first are TC_E_09/TC_E_10
 * (transactions-start-stop-points), 2.0.1 remote start TC_F_01/TC_F_02 (remote-control).
 */
type Frame = unknown[];
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('charging journeys end to end (1.6 §4.2 §4.8 §4.10 §5.11, 2.0.1 E01 E05 E06 C01)', () => {
  let server: TestServer;
  let s16: RawStation;
  let s201: RawStation;
  let connector = 0;
  let tx = 0;

  const ok = (frame: Frame) => {
    expect(frame[0], JSON.stringify(frame)).toBe(3);
    return frame[2] as Record<string, any>;
  };
  const sessionOf = async (stationId: string, transactionId: string) => {
    const items = (await server.api('GET', `/api/v1/sessions?stationId=${stationId}`)).body.items as { transactionId: string }[];
    return items.find((s) => s.transactionId === transactionId) as Record<string, unknown> | undefined;
  };
  const endedOf = (transactionId: string) => nextEvent<TransactionEnded>(server.app.bus, 'TransactionEnded', (e) => e.payload.transactionId === transactionId);

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'JOURNEY', type: 'ISO14443', allowConcurrent: true })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/tokens', { uid: 'JOURNEY-EXPIRED', type: 'ISO14443', expiresAt: '2020-01-01T00:00:00Z' })).status).toBe(201);
    for (const id of ['JOURNEY-16', 'JOURNEY-201']) await registerStation(server, id);
    s16 = await bootStation(server, 'JOURNEY-16', '1.6');
    s201 = await bootStation(server, 'JOURNEY-201', '2.0.1');
  });
  afterAll(async () => {
    await s16?.close();
    await s201?.close();
    await server?.close();
  });

  describe('1.6 local start', () => {
    it('§4.2 §4.8 card first: Authorize Accepted, then the cable (Preparing), then StartTransaction makes a charging session', async () => {
      const connectorId = ++connector;
      expect(ok(await s16.call('Authorize', { idTag: 'JOURNEY' })).idTagInfo.status).toBe('Accepted');
      ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'Preparing')));
      const start = ok(await s16.call('StartTransaction', { connectorId, idTag: 'JOURNEY', meterStart: 100, timestamp: ago(1) }));
      expect(start.idTagInfo.status).toBe('Accepted');
      expect(await sessionOf('JOURNEY-16', String(start.transactionId))).toMatchObject({ status: 'charging', idToken: 'JOURNEY', evseId: connectorId });
    });

    it('§4.2 §4.8 cable first: Preparing, then Authorize, then StartTransaction makes a charging session', async () => {
      const connectorId = ++connector;
      ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'Preparing')));
      expect(ok(await s16.call('Authorize', { idTag: 'JOURNEY' })).idTagInfo.status).toBe('Accepted');
      const start = ok(await s16.call('StartTransaction', { connectorId, idTag: 'JOURNEY', meterStart: 100, timestamp: ago(1) }));
      expect(await sessionOf('JOURNEY-16', String(start.transactionId))).toMatchObject({ status: 'charging', idToken: 'JOURNEY' });
    });

    it('§4.8 an unknown idTag is Invalid and an expired one Expired in StartTransaction.conf; each still gets a transactionId and a session', async () => {
      for (const [idTag, status] of [['JOURNEY-NOBODY', 'Invalid'], ['JOURNEY-EXPIRED', 'Expired']] as const) {
        const start = ok(await s16.call('StartTransaction', { connectorId: ++connector, idTag, meterStart: 0, timestamp: ago(1) }));
        expect(start.idTagInfo.status).toBe(status);
        expect(await sessionOf('JOURNEY-16', String(start.transactionId))).toMatchObject({ idToken: idTag, status: 'pending' });
      }
    });
  });

  describe('1.6 remote start (§5.11)', () => {
    const remoteStart = async (beforeStart: (station: RawStation, connectorId: number) => Promise<void>, first?: (connectorId: number) => Promise<void>) => {
      const connectorId = ++connector;
      await first?.(connectorId);
      const api = server.api('POST', '/api/v1/sessions/remote-start', { stationId: 'JOURNEY-16', evseId: connectorId, idToken: 'JOURNEY', waitSeconds: 10 });
      const call = await s16.nextCall('RemoteStartTransaction');
      expect(call[3]).toEqual({ idTag: 'JOURNEY', connectorId });
      s16.reply(String(call[1]), { status: 'Accepted' });
      await beforeStart(s16, connectorId);
      const start = ok(await s16.call('StartTransaction', { connectorId, idTag: 'JOURNEY', meterStart: 0, timestamp: ago(0) }));
      const answer = await api;
      expect(answer.body).toMatchObject({ status: 'Accepted', sessionId: expect.any(String) });
      expect((await server.api('GET', `/api/v1/sessions/${answer.body.sessionId}`)).body).toMatchObject({ transactionId: String(start.transactionId), status: 'charging' });
    };

    it('§5.11 cable plugged in first (Preparing), then RemoteStartTransaction: the StartTransaction that follows is the session', async () => {
      await remoteStart(
        async () => undefined,
        async (connectorId) => void ok(await s16.call('StatusNotification', statusNotification('1.6', connectorId, 'Preparing'))),
      );
    });

    it('§5.11 AuthorizeRemoteTxRequests true: the station sends Authorize before StartTransaction; both answered Accepted', async () => {
      await remoteStart(async (station) => {
        expect(ok(await station.call('Authorize', { idTag: 'JOURNEY' })).idTagInfo.status).toBe('Accepted');
      });
    });
  });

  describe('1.6 stops of every kind (§4.10 StopTransaction reason, §7.54 Reason)', () => {
    const REASONS = ['Local', 'Remote', 'EVDisconnected', 'DeAuthorized', 'EmergencyStop', 'HardReset', 'SoftReset', 'PowerLoss', 'Reboot', 'UnlockCommand', 'Other'];
    for (const reason of REASONS) {
      it(`§4.10 reason ${reason}: the session is finished with that reason and TransactionEnded says it`, async () => {
        const connectorId = ++connector;
        const start = ok(await s16.call('StartTransaction', { connectorId, idTag: 'JOURNEY', meterStart: 1000, timestamp: ago(30) }));
        const transactionId = String(start.transactionId);
        const ended = endedOf(transactionId);
        ok(await s16.call('StopTransaction', { transactionId: start.transactionId, meterStop: 1600, timestamp: ago(2), reason }));
        expect((await ended).payload).toMatchObject({ stopReason: reason, energyWh: 600 });
        expect(await sessionOf('JOURNEY-16', transactionId)).toMatchObject({ status: 'finished', stopReason: reason, energyWh: 600 });
      });
    }

    it('§4.10 no reason means Local', async () => {
      const start = ok(await s16.call('StartTransaction', { connectorId: ++connector, idTag: 'JOURNEY', meterStart: 0, timestamp: ago(3) }));
      ok(await s16.call('StopTransaction', { transactionId: start.transactionId, meterStop: 5, timestamp: ago(1) }));
      expect(await sessionOf('JOURNEY-16', String(start.transactionId))).toMatchObject({ status: 'finished', stopReason: 'Local' });
    });

    it('§4.10 power loss: the station reboots (BootNotification) and delivers its queued PowerLoss stop with the old time', async () => {
      await registerStation(server, 'JOURNEY-16-POWER');
      let station = await bootStation(server, 'JOURNEY-16-POWER', '1.6');
      const start = ok(await station.call('StartTransaction', { connectorId: 1, idTag: 'JOURNEY', meterStart: 2000, timestamp: ago(120) }));
      await station.close();
      station = await connectStation(server, 'JOURNEY-16-POWER', '1.6');
      expect(ok(await station.call('BootNotification', { ...BOOT_16 })).status).toBe('Accepted');
      const stoppedAt = ago(90);
      ok(await station.call('StopTransaction', { transactionId: start.transactionId, meterStop: 2900, timestamp: stoppedAt, reason: 'PowerLoss' }));
      const items = (await server.api('GET', '/api/v1/sessions?stationId=JOURNEY-16-POWER')).body.items;
      expect(items).toMatchObject([{ status: 'finished', stopReason: 'PowerLoss', stoppedAt, energyWh: 900 }]);
      await station.close();
    });
  });

  describe('2.0.1 stops of every kind (E06, TransactionInfo.stoppedReason)', () => {
    const STOPS: [stoppedReason: string, triggerReason: string][] = [
      ['Local', 'StopAuthorized'],
      ['Remote', 'RemoteStop'],
      ['EVDisconnected', 'EVCommunicationLost'],
      ['DeAuthorized', 'Deauthorized'],
      ['EmergencyStop', 'AbnormalCondition'],
      ['EnergyLimitReached', 'EnergyLimitReached'],
      ['GroundFault', 'AbnormalCondition'],
      ['ImmediateReset', 'ResetCommand'],
      ['LocalOutOfCredit', 'StopAuthorized'],
      ['MasterPass', 'StopAuthorized'],
      ['OvercurrentFault', 'AbnormalCondition'],
      ['PowerLoss', 'AbnormalCondition'],
      ['PowerQuality', 'AbnormalCondition'],
      ['Reboot', 'ResetCommand'],
      ['SOCLimitReached', 'ChargingStateChanged'],
      ['StoppedByEV', 'ChargingStateChanged'],
      ['TimeLimitReached', 'TimeLimitReached'],
      ['Timeout', 'EVConnectTimeout'],
      ['Other', 'AbnormalCondition'],
    ];
    for (const [stoppedReason, triggerReason] of STOPS) {
      it(`E06 stoppedReason ${stoppedReason} (trigger ${triggerReason}): finished with that reason, TransactionEnded says it`, async () => {
        const transactionId = `JOURNEY-TX-${++tx}`;
        const energy = (wh: number, at: string) => [{ timestamp: at, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }];
        ok(await s201.call('TransactionEvent', {
          eventType: 'Started', timestamp: ago(30), triggerReason: 'Authorized', seqNo: 0, evse: { id: 1, connectorId: 1 },
          transactionInfo: { transactionId, chargingState: 'Charging' }, idToken: { idToken: 'JOURNEY', type: 'ISO14443' }, meterValue: energy(100, ago(30)),
        }));
        const ended = endedOf(transactionId);
        ok(await s201.call('TransactionEvent', {
          eventType: 'Ended', timestamp: ago(1), triggerReason, seqNo: 1,
          transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason }, meterValue: energy(400, ago(1)),
        }));
        expect((await ended).payload).toMatchObject({ stopReason: stoppedReason, energyWh: 300 });
        expect(await sessionOf('JOURNEY-201', transactionId)).toMatchObject({ status: 'finished', stopReason: stoppedReason, energyWh: 300 });
      });
    }
  });

  describe('2.0.1 tokens in TransactionEvent (E01.FR.11/12, C01)', () => {
    it('TC_C_02_CSMS TC_C_07_CSMS an unknown idToken is Unknown and an expired one Expired in idTokenInfo; the event is still recorded', async () => {
      for (const [idToken, status] of [['JOURNEY-NOBODY', 'Unknown'], ['JOURNEY-EXPIRED', 'Expired']] as const) {
        const transactionId = `JOURNEY-TX-${++tx}`;
        const answer = ok(await s201.call('TransactionEvent', {
          eventType: 'Started', timestamp: ago(2), triggerReason: 'Authorized', seqNo: 0, evse: { id: 1, connectorId: 1 },
          transactionInfo: { transactionId }, idToken: { idToken, type: 'ISO14443' },
        }));
        expect(answer.idTokenInfo.status).toBe(status);
        expect(await sessionOf('JOURNEY-201', transactionId)).toMatchObject({ idToken });
      }
    });
  });
});
