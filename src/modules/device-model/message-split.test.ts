import { describe, expect, it } from 'vitest';
import { splitIntoCalls } from './message-split.js';

const item = (n: number) => ({ component: { name: 'AuthCtrlr' }, variable: { name: `V${n}` } });

describe('splitIntoCalls', () => {
  it('B06.FR.05 never more items per CALL than ItemsPerMessage (TC_B_08_CSMS: 5 items, limit 4 → 4 + 1)', () => {
    const chunks = splitIntoCalls('GetVariables', 'getVariableData', [1, 2, 3, 4, 5].map(item), { items: 4, bytes: undefined });
    expect(chunks.map((c) => c.length)).toEqual([4, 1]);
  });

  it('no frame larger than BytesPerMessage, and no item lost', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(i));
    const chunks = splitIntoCalls('GetVariables', 'getVariableData', items, { items: undefined, bytes: 250 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const frame = JSON.stringify([2, '00000000-0000-0000-0000-000000000000', 'GetVariables', { getVariableData: chunk }]);
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(250);
    }
    expect(chunks.flat()).toEqual(items);
  });

  it('without limits everything goes in one CALL', () => {
    expect(splitIntoCalls('SetVariables', 'setVariableData', [1, 2, 3].map(item), { items: undefined, bytes: undefined })).toHaveLength(1);
  });

  it('an item over the byte limit on its own is still sent, alone', () => {
    const chunks = splitIntoCalls('GetVariables', 'getVariableData', [item(1), item(2)], { items: undefined, bytes: 10 });
    expect(chunks).toEqual([[item(1)], [item(2)]]);
  });
});
