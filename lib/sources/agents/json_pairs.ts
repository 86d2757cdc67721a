// The pairs of a JSON object read on its bytes, for the lines json_scan.ts says need not be decoded:
// LeadingPairs walks an object's scalar pairs (giving offsets, allocating nothing) and steps over small
// nested objects; keyIs compares a key; LastText and isoMs turn a value into a string or a time only
// when needed.
import { MAX_SHORT, startsWith } from './json_scan';

/** Longest string value LeadingPairs steps over (paths can be long; tool output never comes first). */
const MAX_LEADING_STRING = 4096;

/**
 * Walks the `"key":value` pairs of an object as long as the values are scalars: short strings without
 * escapes, numbers, true, false, null. Each pair goes to `visit` as offsets (nothing is decoded or
 * allocated). The walk stops at the first value that is an object or an array (its key and where it starts
 * are kept in `key0`, `key1`, `valueAt`), or at the object's `}` (`key0` -1, `closeAt` there). It fails
 * (false) on anything else: blanks, an escape, a long string; the caller then parses the line whole.
 * Every pair it visits is a pair of this object, at this depth. One instance is reused line after line.
 */
export class LeadingPairs {
  key0 = -1;
  key1 = -1;
  valueAt = -1;
  closeAt = -1;

  /**
   * `at`: just after the object's `{` (first = true), or just after a value of it (at its `,` or `}`).
   * visit(k0, k1, v0, v1, isString): the key's and the value's bytes (a string's without quotes).
   */
  walk(
    buf: Buffer,
    at: number,
    end: number,
    visit: ((k0: number, k1: number, v0: number, v1: number, isString: boolean) => void) | null,
    first = true,
  ): boolean {
    this.key0 = -1;
    let i = at;
    if (buf[i] === 0x7d) {
      this.closeAt = i;
      return true;
    }
    if (!first) {
      if (buf[i] !== 0x2c) return false;
      i++;
    }
    for (;;) {
      if (buf[i] !== 0x22) return false;
      const k0 = i + 1;
      let k1 = k0;
      const kLimit = Math.min(end, k0 + MAX_SHORT);
      while (k1 < kLimit && buf[k1] !== 0x22 && buf[k1] !== 0x5c) k1++;
      if (buf[k1] !== 0x22 || buf[k1 + 1] !== 0x3a) return false;
      i = k1 + 2;
      const c = buf[i];
      if (c === 0x7b || c === 0x5b) {
        this.key0 = k0;
        this.key1 = k1;
        this.valueAt = i;
        return true;
      }
      if (c === 0x22) {
        let j = i + 1;
        const limit = Math.min(end, j + MAX_LEADING_STRING);
        while (j < limit && buf[j] !== 0x22 && buf[j] !== 0x5c) j++;
        if (j >= limit || buf[j] !== 0x22) return false;
        if (visit !== null) visit(k0, k1, i + 1, j, true);
        i = j + 1;
      } else {
        let j = i;
        // A number or a literal: up to the next , or } (blanks fail isScalar).
        while (j < end && j - i < 32 && buf[j] !== 0x2c && buf[j] !== 0x7d) j++;
        if (j === i || j >= end || !isScalar(buf, i, j)) return false;
        if (visit !== null) visit(k0, k1, i, j, false);
        i = j;
      }
      if (buf[i] === 0x7d) {
        this.closeAt = i;
        return true;
      }
      if (buf[i] !== 0x2c) return false;
      i++;
    }
  }

  /**
   * Walks a whole small object from its `{` at `at`: its scalar pairs to `visit`, its object values (of
   * scalars only) stepped over. The offset just after its `}`, or -1 when it is not so.
   */
  object(buf: Buffer, at: number, end: number, visit: ((k0: number, k1: number, v0: number, v1: number, isString: boolean) => void) | null): number {
    if (buf[at] !== 0x7b) return -1;
    let i = at + 1;
    let first = true;
    for (;;) {
      if (!this.walk(buf, i, end, visit, first)) return -1;
      if (this.key0 < 0) return this.closeAt + 1;
      // A nested value: only an object of scalars is stepped over.
      if (buf[this.valueAt] !== 0x7b || !this.walk(buf, this.valueAt + 1, end, null, true) || this.key0 >= 0) return -1;
      i = this.closeAt + 1;
      first = false;
    }
  }
}

/** buf[k0, k1) is exactly `name` (an ASCII key as bytes). */
export function keyIs(buf: Buffer, k0: number, k1: number, name: Buffer): boolean {
  if (k1 - k0 !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[k0 + i] !== name[i]) return false;
  return true;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** true, false, null or a JSON number (-?int frac? exp?), exactly. */
function isScalar(buf: Buffer, a: number, b: number): boolean {
  const n = b - a;
  const c = buf[a];
  if (c === 0x74) return n === 4 && startsWith(buf, a, b, TRUE);
  if (c === 0x66) return n === 5 && startsWith(buf, a, b, FALSE);
  if (c === 0x6e) return n === 4 && startsWith(buf, a, b, NULL);
  let i = a;
  if (buf[i] === 0x2d) i++;
  const d0 = i;
  while (i < b && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
  if (i === d0 || (buf[d0] === 0x30 && i - d0 > 1)) return false;
  if (i < b && buf[i] === 0x2e) {
    const f0 = ++i;
    while (i < b && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === f0) return false;
  }
  if (i < b && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (i < b && (buf[i] === 0x2b || buf[i] === 0x2d)) i++;
    const e0 = i;
    while (i < b && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === e0) return false;
  }
  return i === b;
}

/**
 * The text of a string value that is the same line after line (a cwd, a session id): decoded (Latin-1 when
 * ASCII, else UTF-8; exact, as it has no escapes) only when its bytes differ from the last ones.
 */
export class LastText {
  private bytes: Buffer = Buffer.alloc(0);
  private text = '';
  of(buf: Buffer, v0: number, v1: number): string {
    // Compared byte by byte: these values are short, and Buffer.compare's argument checks cost more.
    const b = this.bytes;
    const n = v1 - v0;
    if (n === b.length) {
      let i = 0;
      while (i < n && buf[v0 + i] === b[i]) i++;
      if (i === n) return this.text;
    }
    this.bytes = Buffer.from(buf.subarray(v0, v1));
    this.text = bytesText(buf, v0, v1);
    return this.text;
  }
}

/** Milliseconds of an ISO 8601 UTC time written as YYYY-MM-DDTHH:MM:SS[.fff…]Z, else of Date.parse; null when invalid. */
export function isoMs(buf: Buffer, v0: number, v1: number): number | null {
  const n = v1 - v0;
  if (n >= 20 && buf[v0 + 4] === 0x2d && buf[v0 + 7] === 0x2d && buf[v0 + 10] === 0x54 && buf[v0 + 13] === 0x3a && buf[v0 + 16] === 0x3a && buf[v1 - 1] === 0x5a) {
    const year = digits(buf, v0, 4);
    const month = digits(buf, v0 + 5, 2);
    const day = digits(buf, v0 + 8, 2);
    const hour = digits(buf, v0 + 11, 2);
    const min = digits(buf, v0 + 14, 2);
    const sec = digits(buf, v0 + 17, 2);
    let ms = 0;
    let ok = year >= 0 && month >= 0 && day >= 0 && hour >= 0 && min >= 0 && sec >= 0;
    if (n > 20) {
      // .f, .ff, .fff or more: milliseconds from the first three digits.
      if (buf[v0 + 19] !== 0x2e || n < 22) ok = false;
      for (let i = 20, scale = 100; i < n - 1; i++, scale /= 10) {
        const x = buf[v0 + i] - 0x30;
        if (x < 0 || x > 9) ok = false;
        else if (scale >= 1) ms += x * scale;
      }
    }
    if (ok) {
      // Computed without a Date. A day the month does not have (Feb 30) or a time past 23:59:59 is no
      // time (null), where Date.parse would roll it over.
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) return null;
      return daysFromCivil(year, month, day) * 86400000 + hour * 3600000 + min * 60000 + sec * 1000 + ms;
    }
  }
  return parsedMs(buf, v0, v1);
}

/** Date.parse of a time written otherwise. Apart, so that isoMs stays small to optimize. */
function parsedMs(buf: Buffer, v0: number, v1: number): number | null {
  const ms = Date.parse(buf.toString('latin1', v0, v1));
  return Number.isFinite(ms) ? ms : null;
}

/** The decimal number of `count` digits at `at`; -1 when one of them is not a digit. */
function digits(buf: Buffer, at: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const d = buf[at + i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A leading string value as text: Latin-1 when ASCII, else UTF-8 (exact: it has no escapes). */
export function bytesText(buf: Buffer, v0: number, v1: number): string {
  for (let i = v0; i < v1; i++) if (buf[i] > 0x7f) return buf.toString('utf8', v0, v1);
  return buf.toString('latin1', v0, v1);
}

