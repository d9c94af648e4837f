import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { silentLogger } from '../../../platform/logger.js';
import type { HandlerContext, OcppServices } from '../../handler.js';
import type { TokenVerdict, TransactionEventInput } from '../../../modules/transactions/index.js';
import { transactionEvent, type TransactionEventRequest } from './transaction-event.js';

function context(verdict: TokenVerdict | undefined, seen: TransactionEventInput[]): HandlerContext {
  const transactions = {
    recordTransactionEvent: async (_t: string, _s: string, input: TransactionEventInput) => {
      seen.push(input);
      return { verdict };
    },
  };
  return {
    link: { tenantId: 'default', stationId: 'CS-1', version: 'ocpp2.0.1', setBootStatus: () => undefined },
    services: { transactions } as unknown as OcppServices,
    clock: new ManualClock(),
    logger: silentLogger,
  };
}

const request: TransactionEventRequest = {
  eventType: 'Updated',
  timestamp: '2026-01-01T10:00:00.000Z',
  triggerReason: 'MeterValuePeriodic',
  seqNo: 7,
  offline: true,
  transactionInfo: { transactionId: 'abc', chargingState: 'SuspendedEV' },
  evse: { id: 2, connectorId: 1 },
  meterValue: [{ timestamp: '2026-01-01T10:00:00.000Z', sampledValue: [{ value: 15, unitOfMeasure: { unit: 'Wh', multiplier: 3 } }] }],
};

describe('2.0.1 TransactionEvent adapter', () => {
  it('passes the event key, state and meter values to the transactions module', async () => {
    const seen: TransactionEventInput[] = [];
    expect(await transactionEvent(context(undefined, seen), request)).toEqual({});
    expect(seen[0]).toMatchObject({
      eventType: 'Updated',
      stationTxId: 'abc',
      seqNo: 7,
      offline: true,
      chargingState: 'SuspendedEV',
      evseId: 2,
      connectorId: 1,
      readings: [{ measurand: 'Energy.Active.Import.Register', value: 15, unit: 'Wh', multiplier: 3 }],
    });
  });

  it('E01.FR.12 answers idTokenInfo when the event carried an idToken', async () => {
    const verdict: TokenVerdict = { status: 'Blocked', idTagInfo: { status: 'Blocked' }, idTokenInfo: { status: 'Blocked' } };
    const reply = await transactionEvent(context(verdict, []), { ...request, idToken: { idToken: 'X', type: 'ISO14443' } });
    expect(reply).toEqual({ idTokenInfo: { status: 'Blocked' } });
  });
});
