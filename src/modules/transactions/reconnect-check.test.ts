import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '../../platform/bus.js';
import type { StationConnected } from '../stations/index.js';
import { ReconnectStatusCheck } from './reconnect-check.js';
import type { ReconnectStatusCheckDeps } from './reconnect-check.js';
import type { TransactionStatusAnswer } from './types.js';

type Transactions = ReconnectStatusCheckDeps['transactions'];

function connected(stationId: string, ocppVersion: '1.6' | '2.0.1'): StationConnected {
  return { type: 'StationConnected', tenantId: 't', occurredAt: new Date(0), payload: { stationId, ocppVersion, remoteAddress: undefined } };
}

function setup() {
  const bus = new InMemoryBus((err) => {
    throw err;
  });
  const asked: string[] = [];
  const recorded: string[] = [];
  const errors: string[] = [];
  const answers: ((a: TransactionStatusAnswer) => void)[] = [];
  const transactions: Transactions = {
    openStationTransactions: async (_tenantId, stationId) => [
      { sessionId: `${stationId}-s1`, transactionId: 'TX-1' },
      { sessionId: `${stationId}-s2`, transactionId: 'TX-2' },
    ],
    recordTransactionStatus: async (_tenantId, sessionId) => {
      recorded.push(sessionId);
      return undefined;
    },
  };
  const check = new ReconnectStatusCheck({
    transactions,
    bus,
    query: {
      transactionStatus: (_tenantId, stationId, transactionId) => {
        asked.push(`${stationId}/${transactionId}`);
        if (transactionId === 'TX-2' && stationId === 'CS-ERR') return Promise.reject(new Error('StationOffline'));
        return new Promise((resolve) => answers.push(resolve));
      },
    },
    onError: (_err, ctx) => errors.push(`${ctx.stationId}/${ctx.transactionId}`),
  });
  check.start();
  const answerNext = async () => {
    for (let i = 0; i < 20 && answers.length === 0; i++) await new Promise((r) => setImmediate(r));
    answers.shift()?.({ ongoingIndicator: true, messagesInQueue: false });
  };
  return { bus, check, asked, recorded, errors, answerNext };
}

describe('ReconnectStatusCheck (E14 after a reconnect)', () => {
  it('asks about each open session one at a time and records each answer; a 1.6 station is not asked', async () => {
    const { bus, check, asked, recorded, answerNext } = setup();
    bus.publish(connected('CS-16', '1.6'));
    const done = check.check('t', 'CS-A');
    await answerNext();
    await answerNext();
    await done;
    expect(asked).toEqual(['CS-A/TX-1', 'CS-A/TX-2']);
    expect(recorded).toEqual(['CS-A-s1', 'CS-A-s2']);
  });

  it('a failed question is reported with the station and transaction, and the next one is still asked', async () => {
    const { check, asked, recorded, errors, answerNext } = setup();
    const done = check.check('t', 'CS-ERR');
    await answerNext();
    await done;
    expect(asked).toEqual(['CS-ERR/TX-1', 'CS-ERR/TX-2']);
    expect(recorded).toEqual(['CS-ERR-s1']);
    expect(errors).toEqual(['CS-ERR/TX-2']);
  });

  it('a reconnect during a running check is not doubled but asked once more when it is done', async () => {
    const { check, asked, answerNext } = setup();
    const first = check.check('t', 'CS-B');
    const second = check.check('t', 'CS-B');
    const third = check.check('t', 'CS-B');
    await second;
    await third;
    for (let i = 0; i < 4; i++) await answerNext();
    await first;
    expect(asked).toEqual(['CS-B/TX-1', 'CS-B/TX-2', 'CS-B/TX-1', 'CS-B/TX-2']);
  });
});
