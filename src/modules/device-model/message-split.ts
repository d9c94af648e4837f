/** Per-message limits a 2.0.1 station reports in DeviceDataCtrlr (ItemsPerMessage / BytesPerMessage). */
export interface MessageLimits {
  items: number | undefined;
  bytes: number | undefined;
}

/** A message id as long as the gateway's (a UUID), so the byte estimate is the frame's real size. */
const ID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

function frameBytes(action: string, payload: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify([2, ID_PLACEHOLDER, action, payload]), 'utf8');
}

/**
 * Splits items into as few CALL payloads as the station's limits allow (B06.FR.05 for
 * GetVariables, B05.FR.11 for SetVariables; TC_B_08_CSMS): no payload holds more than `items` entries nor, as a whole frame,
 * more than `bytes` bytes. An item too large for the byte limit on its own still goes alone:
 * refusing it here would hide it from the operator, the station answers it instead.
 */
export function splitIntoCalls<T>(action: string, field: string, items: readonly T[], limits: MessageLimits): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  for (const item of items) {
    const candidate = [...current, item];
    const tooMany = limits.items !== undefined && candidate.length > limits.items;
    const tooBig = limits.bytes !== undefined && frameBytes(action, { [field]: candidate }) > limits.bytes;
    if (current.length > 0 && (tooMany || tooBig)) {
      chunks.push(current);
      current = [item];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
