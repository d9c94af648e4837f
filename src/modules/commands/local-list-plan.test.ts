import { describe, expect, it } from 'vitest';
import type { TokenView } from '../authorization/index.js';
import { applyMessage, desiredEntries, differences, planMessages } from './local-list-plan.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function token(uid: string, extra: Partial<TokenView> = {}): TokenView {
  return {
    id: uid,
    uid,
    type: 'ISO14443',
    status: 'Accepted',
    expiresAt: null,
    groupId: null,
    driverId: null,
    masterPass: false,
    allowConcurrent: false,
    evseRestrictions: null,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...extra,
  };
}

describe('local list plan', () => {
  it('only tokens valid at the station; an expired Accepted token is listed as Expired', () => {
    const { entries } = desiredEntries(
      [token('A'), token('B', { evseRestrictions: [{ stationId: 'OTHER' }] }), token('C', { evseRestrictions: [{ stationId: 'CS1', evseId: 2 }] }), token('D', { expiresAt: '2026-01-01T00:00:00Z' })],
      'CS1',
      '2.0.1',
      NOW,
    );
    expect([...entries.values()].map((e) => `${e.uid}:${e.status}`)).toEqual(['A:Accepted', 'C:Accepted', 'D:Expired']);
  });

  it('1.6 has no token types: a uid under two types is listed once, the ISO14443 one', () => {
    const { entries } = desiredEntries([token('X', { type: 'KeyCode', status: 'Blocked' }), token('x', { type: 'ISO14443' })], 'CS1', '1.6', NOW);
    expect([...entries.values()]).toEqual([{ uid: 'x', type: '', status: 'Accepted' }]);
  });

  it('differences: changed and new entries carry info, removed ones only their key', () => {
    const before = desiredEntries([token('A'), token('B'), token('C')], 'CS1', '2.0.1', NOW).entries;
    const after = desiredEntries([token('A'), token('B', { status: 'Blocked' }), token('D')], 'CS1', '2.0.1', NOW).entries;
    const changes = differences(before, after);
    expect(changes.map((c) => `${c.uid}:${c.entry?.status ?? 'remove'}`)).toEqual(['B:Blocked', 'D:Accepted', 'C:remove']);
    // Applying the differential to the old list gives the new one.
    const applied = applyMessage(before, { updateType: 'Differential', version: 2, changes });
    expect(applied).toEqual(after);
  });

  it('D01.FR.03 a Full list over the limit: Full first, then Differentials, each a new version', () => {
    const changes = differences(new Map(), desiredEntries(['A', 'B', 'C'].map((u) => token(u)), 'CS1', '2.0.1', NOW).entries);
    expect(planMessages('Full', changes, 5, 2).map((m) => [m.updateType, m.version, m.changes.length])).toEqual([
      ['Full', 5, 2],
      ['Differential', 6, 1],
    ]);
    expect(planMessages('Full', [], 1, 2)).toEqual([{ updateType: 'Full', version: 1, changes: [] }]);
    expect(planMessages('Differential', [], 1, 2)).toEqual([]);
    expect(planMessages('Full', changes, 1, undefined)).toHaveLength(1);
  });
});
