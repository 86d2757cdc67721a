// Word wrap for lines of prose and status (the --once header): a line never loses its end to a cut.
import { displayWidth, fit } from './fit';

/**
 * `text` in lines of at most `width` columns, broken at spaces; continuation lines start with `indent`.
 * A word longer than a whole line is cut (with '…'). Runs of spaces inside a line are kept.
 */
export function wrapText(text: string, width: number, indent = '  '): string[] {
  if (width <= 0) return [''];
  if (displayWidth(text) <= width) return [text];
  const pad = displayWidth(indent) < width ? indent : '';
  const out: string[] = [];
  let line = '';
  // Words with the spaces before them, so double spaces between items survive inside a line.
  for (const m of text.matchAll(/( *)(\S+)/g)) {
    const [, gap, word] = m;
    const candidate = line === '' ? (out.length > 0 ? pad : '') + word : line + gap + word;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    const start = (out.length > 0 ? pad : '') + word;
    line = displayWidth(start) <= width ? start : fit(start, width);
  }
  if (line !== '') out.push(line);
  return out;
}

/** `text` cut into pieces of at most `width` columns each (a wide character is never split). */
export function chunkByWidth(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let piece = '';
  let used = 0;
  for (const ch of text) {
    const cw = displayWidth(ch);
    if (used + cw > w && piece !== '') {
      out.push(piece);
      piece = '';
      used = 0;
    }
    piece += ch;
    used += cw;
  }
  if (piece !== '') out.push(piece);
  return out;
}
