// Fit already-sanitised text into a cell of a given display width.
import stringWidth from 'string-width';
import { ASCII_STAND_INS } from './glyphs';

// One column per UTF-16 unit: printable ASCII (most cells: numbers, units, most names), box drawing and blocks,
// the glyphs the view draws itself every tick (glyphs.ts: arrows, ▼, Σ, …) and the control pictures of ESC and
// DEL (sanitize.ts), which string-width also counts as one column each (test/fit.test.ts checks every one).
// string-width builds its emoji regex anew on every call, and its first call compiles it.
export const NARROW_TEXT = new RegExp(
  `^[\\x20-\\x7e\\u2500-\\u259f\\u241b\\u2421${Object.keys(ASCII_STAND_INS)
    .map((g) => `\\u${g.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('')}]*$`,
);

export function displayWidth(text: string): number {
  if (NARROW_TEXT.test(text)) return text.length;
  return stringWidth(text);
}

/** Cut to `width` columns (ending in '…' when cut); pad to exactly `width`. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const narrow = NARROW_TEXT.test(text);
  let w = narrow ? text.length : stringWidth(text);
  let out = text;
  if (w > width) {
    if (narrow) {
      out = text.slice(0, width - 1) + '…';
      w = width;
    } else {
      // Walk by code points, accumulating width, leaving one column for the ellipsis.
      let acc = 0;
      let cut = '';
      for (const ch of text) {
        const cw = displayWidth(ch);
        if (acc + cw > width - 1) break;
        cut += ch;
        acc += cw;
      }
      out = cut + '…';
      w = acc + 1;
    }
  }
  const pad = w < width ? spaces(width - w) : '';
  return align === 'right' ? pad + out : out + pad;
}

// Runs of spaces, made once each: every cell of every redraw pads, and a fresh ' '.repeat() was a tenth of
// what the idle dashboard allocated (docs/performance.md, eleventh round).
const SPACES: (string | undefined)[] = [];
/** `n` spaces (n >= 0), the same string each time for widths up to 512. */
export function spaces(n: number): string {
  if (n > 512) return ' '.repeat(n);
  return (SPACES[n] ??= ' '.repeat(n));
}

/** A styled line cut to `width` columns (the last segment that does not fit ends in '…'); never padded. */
export function fitLine<S extends { text: string }>(line: readonly S[], width: number): S[] {
  const out: S[] = [];
  let used = 0;
  for (let i = 0; i < line.length; i++) {
    const s = line[i];
    const w = displayWidth(s.text);
    if (used + w <= width) {
      out.push(s);
      used += w;
      continue;
    }
    // This segment does not fit whole: cut it, leaving room for the ellipsis.
    if (width - used > 0) out.push({ ...s, text: fit(s.text, width - used).trimEnd() });
    return out;
  }
  return out;
}
