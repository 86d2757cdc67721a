// The dashboard without a UTF-8 locale: blessed prints '?' for every character past ASCII, so gauges read
// "????" and "USS▼" read "USS?". Each glyph the view draws has an ASCII stand-in of the same width here
// (untrusted text was already made ASCII by the terminal's text rule, before it was fitted).
import { displayWidth } from './fit';
import { ASCII_STAND_INS } from './glyphs';
import type { Line } from './styled';

const ASCII = ASCII_STAND_INS;

/** The glyphs the view draws (test/fit.test.ts: each is one column and takes displayWidth's fast path). */
export const VIEW_GLYPHS: readonly string[] = Object.keys(ASCII);

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/u;

/** A string with every non-ASCII character replaced by its stand-in ('?' per column when it has none). */
export function asciiString(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) out += ch < '\x80' ? ch : (ASCII[ch] ?? '?'.repeat(displayWidth(ch)));
  return out;
}

export function asciiLine(line: Line): Line {
  return line.map((s) => (NON_ASCII.test(s.text) ? { text: asciiString(s.text), style: s.style } : s));
}
