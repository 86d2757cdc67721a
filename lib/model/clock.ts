// Clocks without what they would page in: a monotonic clock in milliseconds, as `performance.now()` counts
// (from an arbitrary start), without Node's `performance` global (its first use loads perf_hooks and what it
// needs, ~1.7 ms and ~0.3 MB of every long-running spmon: docs/performance.md, "fourth round"), and ISO 8601
// UTC and HTTP date text without V8's date cache (isoTime, httpDate).

/** Milliseconds on a clock that never goes back (process.hrtime: CLOCK_MONOTONIC). */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** The wall time (ms since the epoch) at which monotonicMs() read 0, fixed when this module loaded. */
export const MONOTONIC_ORIGIN_MS = Date.now() - monotonicMs();

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const MIN_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253402300800000; // 10000-01-01T00:00:00.000Z

interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Sunday
  h: number;
  m: number;
  s: number;
  ms: number;
}

/** The UTC calendar fields of a whole time value in 0000-9999 (proleptic Gregorian, as Date counts). */
function civil(t: number): Civil {
  const days = Math.floor(t / 86400000);
  let rest = t - days * 86400000;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, eras of 400 years from 0000-03-01).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const h = Math.floor(rest / 3600000);
  rest -= h * 3600000;
  const m = Math.floor(rest / 60000);
  rest -= m * 60000;
  const s = Math.floor(rest / 1000);
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    h,
    m,
    s,
    ms: rest - s * 1000,
  };
}

/** A time value as Date keeps it (whole milliseconds, toward zero, no -0), or null outside 0000-9999 or not finite. */
function inRange(ms: number): number | null {
  if (!Number.isFinite(ms)) return null;
  const t = Math.trunc(ms) + 0;
  return t >= MIN_MS && t < MAX_MS ? t : null;
}

/*
 * V8's own Date text (toISOString, toUTCString) sets up its date cache, which loads ICU's time zone data:
 * ~0.65 MB of the node binary paged in for good by the first timestamp a dashboard or a daemon writes
 * (docs/performance.md, fifth round). These write the same text by arithmetic; what they cannot (years
 * outside 0000-9999, what is not a time) goes to the native one, with its ±YYYYYY form and its RangeError.
 */

/** The time as people read it in a table: `2026-12-07 02:13:19Z` (UTC, to the second). */
export function displayTime(ms: number): string {
  return `${isoTime(ms).replace('T', ' ').slice(0, 19)}Z`;
}

/** `new Date(ms).toISOString()`; now when no time is given. */
export function isoTime(ms: number = Date.now()): string {
  const t = inRange(ms);
  if (t === null) return new Date(ms).toISOString();
  const c = civil(t);
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}T${pad(c.h, 2)}:${pad(c.m, 2)}:${pad(c.s, 2)}.${pad(c.ms, 3)}Z`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `new Date(ms).toUTCString()`: an HTTP date (IMF-fixdate, RFC 9110 §5.6.7), as Node's http server writes its Date header. */
export function httpDate(ms: number): string {
  const t = inRange(ms);
  if (t === null) return new Date(ms).toUTCString();
  const c = civil(t);
  return `${WEEKDAYS[c.weekday]}, ${pad(c.day, 2)} ${MONTHS[c.month - 1]} ${pad(c.year, 4)} ${pad(c.h, 2)}:${pad(c.m, 2)}:${pad(c.s, 2)} GMT`;
}
