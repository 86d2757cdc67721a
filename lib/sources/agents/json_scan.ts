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
  /** Weak: a parser lives as long as its log, and must not keep the last (maybe 8 MiB) line it saw. */
  private buf: WeakRef<Buffer> | null = null;
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
    if (buf !== this.buf?.deref() || start < this.from || (this.hit >= 0 && this.hit < start)) {
      this.buf = new WeakRef(buf);
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
export const MAX_SHORT = 200;

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
