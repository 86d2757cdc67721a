// Reading JSON Lines without decoding most of them. What the parsers need from a big line (a tool's output,
// a file's content) is a few short fields near its start, or nothing at all; what costs is turning its
// bytes into a string. These helpers work on the bytes: a needle search that scans each buffer once,
// the object's shape, and a reader of leading `"key":"value"` pairs. A line they cannot answer for exactly
// is parsed whole.
//
// Why a match of `"key":` is always a key: inside a JSON string every `"` is escaped as `\"`, so an
// unescaped `"` followed by `:` closes an object key. A match is a key at some depth, not necessarily the
// top level; callers decide by position (leading pairs) or by count (a key that occurs once).
import { JsonObject, asObject } from './json_fields';

/**
 * Finds a byte string in the lines of one buffer, searching that buffer once: the next hit is remembered
 * and reused for the following lines until they pass it. Lines must be asked for in order.
 */
export class Finder {
  private readonly needle: Buffer;
  private buf: Buffer | null = null;
  private from = 0;
  private hit = -1;

  constructor(needle: string) {
    this.needle = Buffer.from(needle, 'latin1');
  }

  get length(): number {
    return this.needle.length;
  }

  /** Offset of the first occurrence in buf[start, end), or -1. */
  find(buf: Buffer, start: number, end: number): number {
    if (buf !== this.buf || start < this.from || (this.hit >= 0 && this.hit < start)) {
      this.buf = buf;
      this.from = start;
      this.hit = buf.indexOf(this.needle, start);
    }
    return this.hit >= 0 && this.hit + this.needle.length <= end ? this.hit : -1;
  }

  /** 0, 1 or 2 (two or more) occurrences in buf[start, end). */
  countUpToTwo(buf: Buffer, start: number, end: number): 0 | 1 | 2 {
    const first = this.find(buf, start, end);
    if (first < 0) return 0;
    return this.find(buf, first + 1, end) < 0 ? 1 : 2;
  }
}

const isBlank = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a || b === 0x0c || b === 0x0b;

/** The line without surrounding blanks, when it is shaped like an object ({ ... }); null otherwise. */
export function objectSpan(buf: Buffer, start: number, end: number): { start: number; end: number } | null {
  while (start < end && isBlank(buf[start])) start++;
  while (end > start && isBlank(buf[end - 1])) end--;
  return end - start >= 2 && buf[start] === 0x7b && buf[end - 1] === 0x7d ? { start, end } : null;
}

/** buf[at, ...) begins with `prefix` (ASCII). */
export function startsWith(buf: Buffer, at: number, end: number, prefix: Buffer): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

/** Longest string value the pair reader accepts: ids, types and ISO timestamps are short. */
const MAX_SHORT = 200;

/**
 * Reads `"<key>":"<value>"` at `at` (no blanks, as JSON.stringify and serde_json write): the value's bounds and
 * the offset after its closing quote. Null when the bytes there are anything else, or the value is long or has
 * an escape (the caller then parses the line whole).
 */
export function shortStringPair(buf: Buffer, at: number, end: number, key: Buffer): { v0: number; v1: number; next: number } | null {
  if (!startsWith(buf, at, end, key)) return null;
  const v0 = at + key.length;
  const limit = Math.min(end, v0 + MAX_SHORT);
  for (let i = v0; i < limit; i++) {
    const c = buf[i];
    if (c === 0x22) return { v0, v1: i, next: i + 1 };
    if (c === 0x5c || c < 0x20) return null;
  }
  return null;
}

/** `"key":"` as bytes, for shortStringPair. */
export const keyOpening = (key: string): Buffer => Buffer.from(`"${key}":"`, 'latin1');

/**
 * JSON.parse of a line decoded as Latin-1: one byte, one character, several times faster to decode than
 * UTF-8 and the same structure (bytes 0x80-0xFF never stand for a quote, a backslash or a control character).
 * ASCII strings come out as they are; any other string comes out as its UTF-8 bytes, so a caller that keeps
 * one (a cwd, a model name) checks it with `hasNonAscii` and parses the line again with `parseUtf8`.
 */
export function parseLatin1(buf: Buffer, start: number, end: number): JsonObject | null {
  try {
    return asObject(JSON.parse(buf.toString('latin1', start, end)));
  } catch {
    return null;
  }
}

export function parseUtf8(buf: Buffer, start: number, end: number): JsonObject | null {
  try {
    return asObject(JSON.parse(buf.toString('utf8', start, end)));
  } catch {
    return null;
  }
}

/** Whether any of these (kept) strings has a character outside ASCII. */
export function hasNonAscii(...values: unknown[]): boolean {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) return true;
  }
  return false;
}

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
    const n = v1 - v0;
    if (n === this.bytes.length && buf.compare(this.bytes, 0, n, v0, v1) === 0) return this.text;
    this.bytes = Buffer.from(buf.subarray(v0, v1));
    this.text = bytesText(buf, v0, v1);
    return this.text;
  }
}

/** Milliseconds of an ISO 8601 UTC time written as YYYY-MM-DDTHH:MM:SS[.fff…]Z, else of Date.parse; null when invalid. */
export function isoMs(buf: Buffer, v0: number, v1: number): number | null {
  const d = (i: number): number => buf[v0 + i] - 0x30;
  const n = v1 - v0;
  if (n >= 20 && buf[v0 + 4] === 0x2d && buf[v0 + 7] === 0x2d && buf[v0 + 10] === 0x54 && buf[v0 + 13] === 0x3a && buf[v0 + 16] === 0x3a && buf[v1 - 1] === 0x5a) {
    let ok = true;
    for (const i of DIGITS) if (d(i) < 0 || d(i) > 9) ok = false;
    let ms = 0;
    if (n > 20) {
      // .f, .ff, .fff or more: milliseconds from the first three digits.
      if (buf[v0 + 19] !== 0x2e || n < 22) ok = false;
      for (let i = 20, scale = 100; i < n - 1; i++, scale /= 10) {
        const x = d(i);
        if (x < 0 || x > 9) ok = false;
        else if (scale >= 1) ms += x * scale;
      }
    }
    if (ok) {
      const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
      const month = d(5) * 10 + d(6);
      const day = d(8) * 10 + d(9);
      const hour = d(11) * 10 + d(12);
      const min = d(14) * 10 + d(15);
      const sec = d(17) * 10 + d(18);
      const t = Date.UTC(year, month - 1, day, hour, min, sec, ms);
      // Date.UTC rolls over (Feb 30 is Mar 2); Date.parse refuses such a date: same answer as it.
      const back = new Date(t);
      if (back.getUTCDate() === day && back.getUTCMonth() === month - 1 && hour < 24 && min < 60 && sec < 60) return t;
      return null;
    }
  }
  const ms = Date.parse(buf.toString('latin1', v0, v1));
  return Number.isFinite(ms) ? ms : null;
}
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** A leading string value as text: Latin-1 when ASCII, else UTF-8 (exact: it has no escapes). */
export function bytesText(buf: Buffer, v0: number, v1: number): string {
  for (let i = v0; i < v1; i++) if (buf[i] > 0x7f) return buf.toString('utf8', v0, v1);
  return buf.toString('latin1', v0, v1);
}

/**
 * The last pair of an object ending at `end` (its `}` at end - 1), when it is `"key":"short string"`:
 * the value's bounds. Being last, it is a pair of that object, at that depth. Null otherwise.
 */
export function trailingStringPair(buf: Buffer, end: number, key: Buffer): { v0: number; v1: number } | null {
  const close = end - 1;
  if (buf[close] !== 0x7d || buf[close - 1] !== 0x22) return null;
  const v1 = close - 1;
  let j = v1 - 1;
  const limit = Math.max(0, v1 - MAX_SHORT);
  while (j > limit && buf[j] !== 0x22 && buf[j] !== 0x5c) j--;
  if (buf[j] !== 0x22) return null;
  // buf[j] opens the value: `"key":"` ends at j, preceded by `,` or `{`.
  const k0 = j + 1 - key.length;
  if (k0 < 1 || !startsWith(buf, k0, j + 1, key) || (buf[k0 - 1] !== 0x2c && buf[k0 - 1] !== 0x7b)) return null;
  return { v0: j + 1, v1 };
}
