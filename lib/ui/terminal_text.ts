// Text the dashboard can draw: what blessed lays out in exactly the columns that spmon's fitting (string-width)
// and the terminal give it. blessed's width table knows no emoji and puts any character outside the Basic
// Multilingual Plane in one cell, while terminals draw emoji two columns wide: one emoji in a name shifted
// the rest of its row (a PSS of "1.46 MiB" read "1647 MiB") and left stray characters behind. So, for the
// dashboard only (`--once` prints through no blessed), a grapheme with any character the three may disagree
// on becomes one U+FFFD before the view fits it: outside the BMP, emoji presentation, format and private
// characters, unassigned ones, combining marks other than U+0300-U+036F (string-width counts them as one
// column, blessed and terminals as none), and wherever blessed's cell count differs from string-width's.
// Without a UTF-8 locale, blessed prints '?' for anything past ASCII: each such grapheme becomes as many '?'
// as its columns, so widths still hold.
import { unicode as blessedUnicode } from './blessed_parts';
import stringWidth from 'string-width';

interface BlessedUnicode {
  combining: Record<number, boolean>;
  charWidth(s: string, i?: number): number;
  chars: { all: RegExp };
}
// The width rule blessed draws with (neo-blessed exports it; its types do not declare it).
const unicode = blessedUnicode as BlessedUnicode;

/** Cells blessed gives one BMP character, or -1 when its layout and its drawing disagree. */
export function blessedCells(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (unicode.combining[cp]) return 0;
  // A wide character gets a second cell in layout (chars.all) and eats it when drawn (charWidth 2).
  unicode.chars.all.lastIndex = 0;
  const wide = unicode.chars.all.test(ch);
  unicode.chars.all.lastIndex = 0;
  const w = unicode.charWidth(ch, 0);
  if (wide && w === 2) return 2;
  if (!wide && w === 1) return 1;
  return -1;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NEVER = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Emoji_Presentation}]$/u;
const MARK = /^[\p{Mn}\p{Me}]$/u;

// 0: not yet known, 1: drawable, 2: not.
const known = new Uint8Array(0x10000);

/** Whether blessed, string-width and terminals agree on the width of this code point. */
export function drawable(cp: number): boolean {
  if (cp > 0xffff) return false;
  if (cp >= 0x20 && cp < 0x7f) return true;
  if (known[cp] === 0) {
    const ch = String.fromCharCode(cp);
    const ok = !NEVER.test(ch) && (!MARK.test(ch) || (cp >= 0x300 && cp <= 0x36f)) && blessedCells(ch) === stringWidth(ch);
    known[cp] = ok ? 1 : 2;
  }
  return known[cp] === 1;
}

let segmenter: Intl.Segmenter | null = null;
function graphemes(text: string): Iterable<{ segment: string }> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

function allDrawable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate half means a character outside the BMP.
    if (c >= 0xd800 && c <= 0xdfff) return false;
    if (!drawable(c)) return false;
  }
  return true;
}

/** Sanitised text as the dashboard may draw it with a UTF-8 terminal: each doubtful grapheme is one U+FFFD. */
export function drawableText(text: string): string {
  if (PRINTABLE_ASCII.test(text) || allDrawable(text)) return text;
  let out = '';
  for (const { segment } of graphemes(text)) out += allDrawable(segment) ? segment : '\ufffd';
  return out;
}

/** Sanitised text for a terminal without UTF-8: every grapheme past ASCII is '?', once per column. */
export function asciiText(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  let out = '';
  for (const { segment } of graphemes(text)) out += PRINTABLE_ASCII.test(segment) ? segment : '?'.repeat(Math.max(1, stringWidth(segment)));
  return out;
}

/** The text rule of a dashboard drawn with or without UTF-8. */
export function terminalText(utf8: boolean): (text: string) => string {
  return utf8 ? drawableText : asciiText;
}

/**
 * Whether the locale's character set is UTF-8 (LC_ALL, else LC_CTYPE, else LANG: the first one set decides,
 * as for setlocale). Unset everywhere is the C locale: ASCII.
 */
export function localeIsUtf8(env: NodeJS.ProcessEnv): boolean {
  const v = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(v);
}
