// lib/model/clock.ts: isoTime() is the native toISOString() without V8's date cache (which pages in ICU's time
// zone data), so it must write the same text for every time spmon can meet, and defer to it outside 0000-9999.
import * as fs from 'fs';
import * as path from 'path';
import { displayTime, httpDate, isoTime, monotonicMs } from '../lib/model/clock';

const native = (ms: number) => new Date(ms).toISOString();

test('the same text as toISOString at the edges of days, months, leap years and centuries', () => {
  const edges = [
    '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2000-02-29T12:00:00.000Z', '2000-03-01T00:00:00.000Z',
    '1900-02-28T23:59:59.999Z', '1900-03-01T00:00:00.000Z', '2100-02-28T00:00:00.000Z', '2100-03-01T00:00:00.000Z',
    '2024-02-29T23:59:59.999Z', '2024-12-31T23:59:59.999Z', '2026-12-06T23:01:59.123Z', '0000-01-01T00:00:00.000Z',
    '0000-02-29T00:00:00.000Z', '1600-03-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z',
  ];
  for (const e of edges) {
    const ms = Date.parse(e);
    expect(isoTime(ms)).toBe(e);
    for (const d of [-1, 1, -86400000, 86400000]) expect(isoTime(ms + d)).toBe(native(ms + d));
    for (const d of [0, -1, 1, -86400000, 86400000, 3 * 86400000]) expect(httpDate(ms + d)).toBe(new Date(ms + d).toUTCString());
  }
});

test('the same text as toISOString for random times of every century, and for fractions of a millisecond', () => {
  let seed = 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lo = Date.parse('0000-01-01T00:00:00.000Z');
  const hi = Date.parse('9999-12-31T23:59:59.999Z');
  for (let i = 0; i < 5000; i++) {
    const ms = Math.floor(lo + rand() * (hi - lo));
    expect(isoTime(ms)).toBe(native(ms));
    expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
  }
  for (const ms of [1.5, -1.5, 0.999, -0.999, -0, 1733526119123.7]) expect(isoTime(ms)).toBe(native(ms));
  expect(isoTime(Date.now())).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('outside 0000-9999 the native text (±YYYYYY), and the native RangeError for what is not a time', () => {
  for (const ms of [Date.parse('-000001-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00.000Z'), 8.64e15, -8.64e15]) {
    expect(isoTime(ms)).toBe(native(ms));
    expect(isoTime(ms)).toMatch(/^[+-]\d{6}-/);
    expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
  }
  expect(httpDate(NaN)).toBe('Invalid Date');
  for (const bad of [NaN, Infinity, -Infinity, 8.64e15 + 1]) expect(() => isoTime(bad)).toThrow(RangeError);
});

test('displayTime: to the second in UTC, as the tables show it; isoTime with no time is now', () => {
  expect(displayTime(Date.UTC(2026, 11, 7, 2, 13, 19, 999))).toBe('2026-12-07 02:13:19Z');
  expect(displayTime(0)).toBe('1970-01-01 00:00:00Z');
  const before = Date.now();
  const now = Date.parse(isoTime());
  expect(now).toBeGreaterThanOrEqual(before);
  expect(now).toBeLessThanOrEqual(Date.now());
});

test('monotonicMs never goes back', () => {
  let last = monotonicMs();
  for (let i = 0; i < 2000; i++) {
    const now = monotonicMs();
    expect(now).toBeGreaterThanOrEqual(last);
    last = now;
  }
});

test("lib/ writes dates through clock.ts and compares text without ICU: no toISOString, toUTCString or localeCompare elsewhere", () => {
  // Each pages in ICU's data for good in a long-running spmon (docs/performance.md, fifth round).
  const lib = path.resolve(__dirname, '..', 'lib');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && p !== path.join(lib, 'model', 'clock.ts')) {
        fs.readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
          if (/\.(toISOString|toUTCString|localeCompare|toLocaleString|toLocaleDateString|toLocaleTimeString)\(/.test(line.replace(/\/\/.*$/, ''))) offenders.push(`${path.relative(lib, p)}:${i + 1}`);
        });
      }
    }
  };
  walk(lib);
  expect(offenders).toEqual([]);
});
