// Word wrap for lines of prose and status (the --once header): a line never loses its end to a cut.
import { displayWidth, fit } from './fit';
import type { Line, Style } from './styled';

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
  // By code point, as a for-of would, but indexed: the detail pane cuts its command line so every tick.
  for (let k = 0; k < text.length; ) {
    const n = (text.codePointAt(k) as number) > 0xffff ? 2 : 1;
    const ch = n === 1 ? text[k] : text.slice(k, k + 2);
    k += n;
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

/**
 * A styled line word-wrapped to `width` columns, its continuation rows indented by `indent` spaces (the
 * help's descriptions); a word longer than a row is cut (chunkByWidth). Styles stay with their text.
 */
export function wrapLine(line: Line, width: number, indent: number): Line[] {
  if (line.reduce((a, s) => a + displayWidth(s.text), 0) <= width || width <= indent + 1) return [line];
  const rows: Line[] = [];
  let row: Line = [];
  let used = 0;
  const push = (text: string, style: Style) => {
    const last = row[row.length - 1];
    if (last && last.style === style) last.text += text;
    else row.push({ text, style });
    used += displayWidth(text);
  };
  const newRow = () => {
    const last = row[row.length - 1];
    if (last) last.text = last.text.replace(/ +$/, ''); // trailing spaces go with the break
    rows.push(row);
    row = [];
    used = 0;
    push(' '.repeat(indent), 'normal');
  };
  for (const s of line) {
    for (const word of s.text.split(/( +)/)) {
      if (word === '') continue;
      if (used + displayWidth(word) <= width) push(word, s.style);
      else if (/^ +$/.test(word)) newRow();
      else {
        if (used > indent) newRow();
        // Rows after the first have width - indent columns: pieces no wider than that fit every row.
        const pieces = displayWidth(word) <= width - used ? [word] : chunkByWidth(word, width - Math.max(used, indent));
        pieces.forEach((piece, i) => {
          if (i > 0) newRow();
          push(piece, s.style);
        });
      }
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
