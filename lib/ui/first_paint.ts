// The dashboard's first frame, written to the terminal before blessed is loaded. Loading blessed and making its
// screen took ~40 % of the time from the start to the first frame (docs/performance.md); the first sample and
// the view do not need it. So the dashboard samples, builds its view and writes these rows as plain escape
// sequences, then loads blessed, whose first draw (the same frame, in the same write as the clear blessed
// makes as its screen starts) replaces them cell for cell and adds the detail pane's frame. The text follows
// the rule blessed's cells follow (cell_box.ts cellsAt: the same '?' for what cannot be drawn), so nothing
// moves when blessed takes over (test/first_paint.test.ts compares the two in a real tmux).
import * as fs from 'fs';
import type { DashboardView } from '../view/dashboard_view';
import type { Line } from '../view/styled';
import { cellsAt } from './cell_box';
import type { CellStyle, StylePalette } from './tags';

// blessed's colour names as SGR foregrounds, as blessed writes colours 0-15 (gray, 8, is 90: lib/ui/app.ts).
const FOREGROUND: Record<string, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90, grey: 90 };

/** SGR for a style (all attributes off first), inverted when `inverse`. */
function sgr(style: CellStyle, inverse: boolean): string {
  let out = '\x1b[0';
  if (style.bold) out += ';1';
  if (style.underline) out += ';4';
  if (style.inverse || inverse) out += ';7';
  const fg = style.fg === undefined ? undefined : FOREGROUND[style.fg];
  if (fg !== undefined) out += `;${fg}`;
  return `${out}m`;
}

/** One line from column 0 of row `y`, cut at `width` columns as blessed's cells cut it. */
function row(line: Line, y: number, width: number, palette: StylePalette, unicode: boolean, inverse: boolean): string {
  let out = `\x1b[${y + 1};1H`;
  let x = 0;
  let open = '';
  // blessed puts a combining mark into the cell before; after a wide character that is the second half, which
  // it does not draw: the mark is dropped there too.
  let lastWide = false;
  for (const segment of line) {
    const text = segment.text;
    if (text === '') continue;
    const attr = sgr(palette[segment.style], inverse);
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(k);
      let ch = text[k];
      let w = code >= 0x20 && code < 0x7f ? 1 : cellsAt(code, unicode);
      if (w === 0) {
        if (x > 0 && !lastWide) out += ch; // joins the character before, in its cell
        continue;
      }
      if (w === 3) {
        if (code >= 0xd800 && code <= 0xdbff && k + 1 < text.length) k++;
        ch = '?';
        w = 1;
      }
      if (x >= width) return `${out}\x1b[0m`;
      if (w === 2 && x + 1 >= width) {
        ch = ' ';
        w = 1;
      }
      if (attr !== open) {
        out += attr;
        open = attr;
      }
      out += ch;
      x += w;
      lastWide = w === 2;
    }
  }
  return `${out}\x1b[0m`;
}

/**
 * The escape sequences that draw `view` on a terminal of `size`: the alternate screen, cleared, the cursor
 * hidden, then the header, the grid's header and rows (the selected one inverted) and the status bar where
 * blessed puts them. The detail pane is left blank: its frame is blessed's.
 */
export function firstPaint(view: DashboardView, size: { width: number; height: number }, palette: StylePalette, unicode: boolean): string {
  const { layout } = view;
  const width = Math.max(1, size.width);
  const height = Math.max(1, size.height);
  // On a terminal too short for the layout, what would fall below its last row is left to blessed.
  const at = (line: Line, y: number, inverse = false) => (y < height ? row(line, y, width, palette, unicode, inverse) : '');
  let out = '\x1b[?1049h\x1b[?25l\x1b[0m\x1b[H\x1b[2J';
  for (let i = 0; i < layout.header && i < view.header.length; i++) out += at(view.header[i], i);
  out += at(view.gridHeader, layout.header);
  for (let i = 0; i < layout.gridRows && i < view.grid.length; i++) out += at(view.grid[i].line, layout.header + 1 + i, view.grid[i].selected);
  // The status bar is blessed's last row, over anything else there.
  out += row(view.status, height - 1, width, palette, unicode, false);
  return out;
}

/**
 * Whether to write the first frame before blessed: the output is a terminal that speaks the ANSI sequences
 * written here (as every terminal whose name starts so does); for any other TERM blessed draws the first frame.
 */
export function canPaintFirst(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return out.isTTY === true && /^(xterm|screen|tmux|rxvt|linux|alacritty|foot|kitty|wezterm|vte|gnome|konsole|putty|st-|st$)/.test(env.TERM ?? '');
}

/**
 * Write all of `text` to `fd` (the terminal, before Node has made its stream for it). A terminal left
 * non-blocking by whoever shares it may take part of a write or none (EAGAIN): the rest is written again.
 */
export function writeFd(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  for (let tries = 0; buf.length > 0; ) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf));
      tries = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++tries > 1000) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
