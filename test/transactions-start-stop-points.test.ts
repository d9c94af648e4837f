import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { RawStation, BOOT_201 } from './support/raw-station.js';

const PASSWORD = 'station-password-points';
const TOKEN = { idToken: 'POINTS-CARD-1', type: 'ISO14443' };

interface Step {
  eventType: 'Started' | 'Updated' | 'Ended';
  trigger: string;
  chargingState?: string;
  stoppedReason?: string;
  idToken?: boolean;
  evse?: boolean;
  registerWh?: number;
  signed?: boolean;
}

/**
 * Every TxStartPoint / TxStopPoint the station may be configured with (E01–E07, TC_E_01/02/09/
 * 10/11/12_CSMS for starts, TC_E_07/08/14/15/16/19_CSMS for stops) produces one session with the
 * token, the energy and the stop reason, whichever event carried them.
 */
const SCENARIOS: { name: string; steps: Step[]; stopReason: string }[] = [
  {
    name: 'TC_E_12_CSMS start ParkingBayOccupied, stop ParkingBayUnoccupied (TC_E_19_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'EVDetected', chargingState: 'Idle', evse: true, registerWh: 1000 },
      { eventType: 'Updated', trigger: 'CablePluggedIn', chargingState: 'EVConnected' },
      { eventType: 'Updated', trigger: 'Authorized', idToken: true },
      { eventType: 'Updated', trigger: 'ChargingStateChanged', chargingState: 'Charging', registerWh: 1500 },
      { eventType: 'Updated', trigger: 'EVCommunicationLost', chargingState: 'Idle', registerWh: 3000 },
      { eventType: 'Ended', trigger: 'EVDeparted', stoppedReason: 'EVDisconnected', registerWh: 3000 },
    ],
    stopReason: 'EVDisconnected',
  },
  {
    name: 'TC_E_09_CSMS start EVConnected (cable first, E02), stop EVDisconnected (TC_E_14_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'CablePluggedIn', chargingState: 'EVConnected', evse: true, registerWh: 1000 },
      { eventType: 'Updated', trigger: 'Authorized', idToken: true },
      { eventType: 'Updated', trigger: 'ChargingStateChanged', chargingState: 'Charging', registerWh: 1200 },
      { eventType: 'Ended', trigger: 'EVCommunicationLost', stoppedReason: 'EVDisconnected', registerWh: 2200 },
    ],
    stopReason: 'EVDisconnected',
  },
  {
    name: 'TC_E_10_CSMS start Authorized (card first, E03), stop StopAuthorized (TC_E_15_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'Authorized', idToken: true, evse: true, registerWh: 500 },
      { eventType: 'Updated', trigger: 'CablePluggedIn', chargingState: 'EVConnected' },
      { eventType: 'Updated', trigger: 'ChargingStateChanged', chargingState: 'Charging', registerWh: 600 },
      { eventType: 'Ended', trigger: 'StopAuthorized', stoppedReason: 'Local', idToken: true, registerWh: 1600 },
    ],
    stopReason: 'Local',
  },
  {
    name: 'TC_E_11_CSMS start DataSigned, stop Deauthorized (TC_E_16_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'SignedDataReceived', chargingState: 'EVConnected', idToken: true, evse: true, registerWh: 100, signed: true },
      { eventType: 'Updated', trigger: 'ChargingStateChanged', chargingState: 'Charging', registerWh: 200 },
      { eventType: 'Ended', trigger: 'Deauthorized', stoppedReason: 'DeAuthorized', registerWh: 900, signed: true },
    ],
    stopReason: 'DeAuthorized',
  },
  {
    name: 'TC_E_01_CSMS start PowerPathClosed, stop PowerPathClosed local (TC_E_07_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'ChargingStateChanged', chargingState: 'Charging', idToken: true, evse: true, registerWh: 10_000 },
      { eventType: 'Updated', trigger: 'MeterValuePeriodic', registerWh: 12_000 },
      { eventType: 'Ended', trigger: 'StopAuthorized', stoppedReason: 'Local', registerWh: 14_500 },
    ],
    stopReason: 'Local',
  },
  {
    name: 'TC_E_02_CSMS start EnergyTransfer, stop EnergyTransfer by the EV (TC_E_08_CSMS)',
    steps: [
      { eventType: 'Started', trigger: 'ChargingStateChanged', chargingState: 'Charging', idToken: true, evse: true, registerWh: 0 },
      { eventType: 'Updated', trigger: 'ChargingStateChanged', chargingState: 'SuspendedEV', registerWh: 700 },
      { eventType: 'Ended', trigger: 'ChargingStateChanged', chargingState: 'SuspendedEV', stoppedReason: 'StoppedByEV', registerWh: 700 },
    ],
    stopReason: 'StoppedByEV',
  },
];

describe('TxStartPoint / TxStopPoint combinations (E01–E07)', () => {
  let server: TestServer;
  let station: RawStation;

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api('POST', '/api/v1/tokens', { uid: TOKEN.idToken, type: TOKEN.type })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/stations', { id: 'POINTS-1', password: PASSWORD })).status).toBe(201);
    station = await RawStation.connect({ baseUrl: server.app.ocppUrl, id: 'POINTS-1', password: PASSWORD });
    expect((await station.call('BootNotification', BOOT_201))[2]).toMatchObject({ status: 'Accepted' });
  });
  afterAll(async () => {
    await station?.close();
    await server?.close();
  });

  it.each(SCENARIOS.map((s, i) => [s.name, s, i] as const))('%s', async (_name, scenario, index) => {
    const transactionId = `POINTS-TX-${index}`;
    const start = Date.now() - 60 * 60_000;
    let sawIdTokenInfo = false;
    for (const [seqNo, step] of scenario.steps.entries()) {
      const timestamp = new Date(start + seqNo * 60_000).toISOString();
      const payload = {
        eventType: step.eventType,
        timestamp,
        triggerReason: step.trigger,
        seqNo,
        transactionInfo: {
          transactionId,
          ...(step.chargingState ? { chargingState: step.chargingState } : {}),
          ...(step.stoppedReason ? { stoppedReason: step.stoppedReason } : {}),
        },
        ...(step.evse ? { evse: { id: 1, connectorId: 1 } } : {}),
        ...(step.idToken ? { idToken: TOKEN } : {}),
        ...(step.registerWh !== undefined
          ? {
              meterValue: [
                {
                  timestamp,
                  sampledValue: [
                    {
                      value: step.registerWh,
                      measurand: 'Energy.Active.Import.Register',
                      context: step.eventType === 'Started' ? 'Transaction.Begin' : step.eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic',
                      ...(step.signed ? { signedMeterValue: { signedMeterData: 'c2lnbmVk', signingMethod: 'ECDSA', encodingMethod: 'OCMF', publicKey: '' } } : {}),
                    },
                  ],
                },
              ],
            }
          : {}),
      };
      const reply = await station.call('TransactionEvent', payload);
      expect(reply[0]).toBe(3);
      const body = reply[2] as { idTokenInfo?: { status: string } };
      // E01.FR.11/12: an event carrying an idToken is answered with its idTokenInfo.
      if (step.idToken) {
        expect(body.idTokenInfo?.status).toBe('Accepted');
        sawIdTokenInfo = true;
      } else {
        expect(body.idTokenInfo).toBeUndefined();
      }
    }
    expect(sawIdTokenInfo).toBe(true);
    const list = await server.api('GET', '/api/v1/sessions?stationId=POINTS-1&limit=100');
    const sessions = list.body.items.filter((s: { transactionId: string }) => s.transactionId === transactionId);
    expect(sessions).toHaveLength(1);
    const registers = scenario.steps.map((s) => s.registerWh).filter((v): v is number => v !== undefined);
    expect(sessions[0]).toMatchObject({
      status: 'finished',
      stopReason: scenario.stopReason,
      idToken: TOKEN.idToken,
      evseId: 1,
      energyWh: Math.max(...registers) - registers[0]!,
      startedAt: new Date(start).toISOString(),
    });
  });
});
