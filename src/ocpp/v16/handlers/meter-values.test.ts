import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { silentLogger } from '../../../platform/logger.js';
import type { HandlerContext, OcppServices } from '../../handler.js';
import type { MeterValuesInput } from '../../../modules/transactions/index.js';
import { meterValues, readings16 } from './meter-values.js';

describe('1.6 MeterValues adapter (§4.7)', () => {
  it('maps connector to EVSE, transactionId to the CSMS-numbered transaction (else the connector session), string values to numbers', async () => {
    const calls: MeterValuesInput[] = [];
    const services = { transactions: { recordMeterValues: async (_t: string, _s: string, input: MeterValuesInput) => void calls.push(input) } };
    const ctx: HandlerContext = {
      link: { tenantId: 'default', stationId: 'CP-1', version: 'ocpp1.6', setBootStatus: () => undefined },
      services: services as unknown as OcppServices,
      clock: new ManualClock(),
      logger: silentLogger,
    };
    const reply = await meterValues(ctx, {
      connectorId: 2,
      transactionId: 17,
      meterValue: [{ timestamp: '2026-01-01T10:00:00.000Z', sampledValue: [{ value: '12.5', unit: 'kWh', phase: 'L1' }] }],
    });
    expect(reply).toEqual({});
    expect(calls).toEqual([
      {
        evseId: 2,
        transaction: { csmsTransactionId: 17 },
        // §4.7: without a transactionId the readings would join the session open on the connector.
        connectorSession: true,
        readings: [expect.objectContaining({ measurand: 'Energy.Active.Import.Register', value: 12.5, unit: 'kWh', phase: 'L1' })],
      },
    ]);
  });

  it('keeps SignedData verbatim with no number, and an unparseable value as null', () => {
    const readings = readings16([
      {
        timestamp: '2026-01-01T10:00:00.000Z',
        sampledValue: [
          { value: 'AP;0;3;ALCV3ABBBISHMA2RYEGAZE3HV5YQBQRQAEHJR', format: 'SignedData' },
          { value: 'n/a', measurand: 'Voltage' },
        ],
      },
    ]);
    expect(readings[0]).toMatchObject({ value: null, signedData: 'AP;0;3;ALCV3ABBBISHMA2RYEGAZE3HV5YQBQRQAEHJR' });
    expect(readings[1]).toMatchObject({ value: null, measurand: 'Voltage' });
  });
});
