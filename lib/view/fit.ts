// Fit already-sanitised text into a cell of a given display width.
import stringWidth from 'string-width';

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** Cut to `width` columns (ending in '…' when cut); pad to exactly `width`. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  let w = displayWidth(text);
  let out = text;
  if (w > width) {
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
  const pad = ' '.repeat(Math.max(0, width - w));
  return align === 'right' ? pad + out : out + pad;
}
