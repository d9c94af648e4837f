// ISO 8601 timestamps for the messages the sim sends (`2025-01-01T00:00:00.123Z`, what
// Date#toISOString gives). Every meter sample, status and transaction message carries one, so
// the date-and-second part is formatted once per second and only the milliseconds per call.

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `new Date(ms).toISOString()`, for a time between the years 0 and 9999. */
export function isoTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    // 'YYYY-MM-DDTHH:MM:SS.' of this second.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const milli = whole - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
