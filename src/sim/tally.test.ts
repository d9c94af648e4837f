import { describe, expect, it } from 'vitest';
import { mergeTransactionCounts, TransactionTally } from './tally.js';

const register = (timestamp: string, withPower = true) => ({
  timestamp,
  sampledValue: [
    { value: '100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    ...(withPower ? [{ value: '11000', measurand: 'Power.Active.Import', unit: 'W' }] : []),
  ],
});

describe('transaction tally', () => {
  it('1.6: meterStart and meterStop count as register readings; a sample at the stop instant is one reading', () => {
    const tally = new TransactionTally();
    tally.answered('S1', 'Authorize', { idTag: 'T' }, { idTagInfo: { status: 'Accepted' } });
    tally.answered('S1', 'StartTransaction', { connectorId: 2, idTag: 'T', meterStart: 0, timestamp: 't0' }, { transactionId: 7 });
    tally.answered('S1', 'MeterValues', { connectorId: 2, transactionId: 7, meterValue: [register('t1')] }, {});
    tally.answered('S1', 'MeterValues', { connectorId: 2, transactionId: 7, meterValue: [register('t2')] }, {});
    // The other connector samples at the same instant: a different reading.
    tally.answered('S1', 'MeterValues', { connectorId: 1, meterValue: [register('t2', false)] }, {});
    tally.answered('S1', 'StopTransaction', { transactionId: 7, meterStop: 100, timestamp: 't2' }, {});
    tally.sessionEnded(100);
    expect(tally.counts()).toEqual({
      messages: 5,
      byAction: { StartTransaction: 1, MeterValues: 3, StopTransaction: 1 },
      byEventType: {},
      transactionsStarted: 1,
      transactionsEnded: 1,
      readings: 1 + 2 + 2 + 1 + 1,
      repeatedReadings: 1,
      endedEnergyWh: 100,
    });
  });

  it('2.0.1: TransactionEvents by type, the EVSE remembered from Started; counts merge across workers', () => {
    const tally = new TransactionTally();
    const tx = (eventType: string, seqNo: number, at: string, extra: object = {}) =>
      tally.answered('S2', 'TransactionEvent', { eventType, seqNo, timestamp: at, transactionInfo: { transactionId: 'u-1' }, ...extra }, {});
    tx('Started', 0, 't0', { evse: { id: 1, connectorId: 1 }, meterValue: [register('t0', false)] });
    tx('Updated', 1, 't1', { meterValue: [register('t1')] });
    tx('Ended', 2, 't1', { meterValue: [register('t1', false)] });
    const counts = tally.counts();
    expect(counts).toMatchObject({ messages: 3, transactionsStarted: 1, transactionsEnded: 1, readings: 4, repeatedReadings: 1 });
    expect(counts.byEventType).toEqual({ Started: 1, Updated: 1, Ended: 1 });
    const merged = mergeTransactionCounts([counts, counts]);
    expect(merged).toMatchObject({ messages: 6, readings: 8, repeatedReadings: 2, byAction: { TransactionEvent: 6 } });
    tally.reset();
    expect(tally.counts().messages).toBe(0);
  });
});
