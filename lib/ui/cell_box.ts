// A box that draws styled lines straight into blessed's screen buffer. blessed's own path turns every line
// into tags, and on every change parses them again with regular expressions (tags, then SGR attributes,
// then wrapping): at idle, with ~70 processes, that was a third of the dashboard's JavaScript and half of
// what it allocated per tick (docs/performance.md). The view has already fitted each line to its columns
// and made its text drawable (terminal_text.ts), so here each character goes into one cell with the
// attribute of its style, as blessed's Element.render would put it: a wide character in its cell and
// '\x03' in the next (Screen.draw eats that one), a combining mark added to the cell before. Screen.draw
// still sends only the cells that changed.
import type blessed from 'blessed';
import type { Line, Style } from '../view/styled';
import { blessedCells } from './terminal_text';
import type { StylePalette } from './tags';

/** blessed's cell: [attribute, character]; a row has `dirty` when any cell changed. */
type Cell = [number, string];
type Row = Cell[] & { dirty?: boolean };

/** What Element.render uses of blessed's element internals (untyped in @types/blessed). */
interface ElementInternals {
  screen: { lines: Row[]; fullUnicode: boolean; height: number };
  style: Record<string, unknown>;
  lpos?: unknown;
  _emit(event: string, ...args: unknown[]): void;
  _getCoords(get: boolean): { xi: number; xl: number; yi: number; yl: number } | undefined;
  sattr(style: Record<string, unknown>): number;
}

const INVERSE = 8 << 18;

// Cells of a BMP code point past ASCII, as blessed draws it: 0 (combining), 1, 2, or 3 when blessed's layout
// and drawing disagree (the view never sends those: terminal_text.ts makes them U+FFFD); 255: not yet known.
const cellsKnown = new Uint8Array(0x10000).fill(255);
function cellsOf(code: number): number {
  let w = cellsKnown[code];
  if (w === 255) {
    const b = blessedCells(String.fromCharCode(code));
    w = cellsKnown[code] = b < 0 ? 3 : b;
  }
  return w;
}

/**
 * The cells the UTF-16 code unit `code` takes where blessed draws it: 0 (a combining mark, drawn in the cell
 * before), 1, 2, or 3 when it cannot be drawn there (a control character, a surrogate, anything past ASCII
 * without a UTF-8 locale), which is drawn as one '?'. The dashboard's first frame (first_paint.ts) follows
 * the same rule, so that blessed's first draw over it changes no cell.
 */
export function cellsAt(code: number, unicode: boolean): number {
  return code >= 0x20 && code < 0x7f ? 1 : code < 0x20 || code === 0x7f ? 3 : !unicode ? 3 : code >= 0xd800 && code <= 0xdfff ? 3 : cellsOf(code);
}

export interface CellBox {
  readonly element: blessed.Widgets.BoxElement;
  /** The lines to draw from the box's top-left, one per row; row `inverse` (if any) drawn inverted. */
  setLines(lines: readonly Line[], inverse?: number): void;
}

/** Make `element` (a box without border or padding) draw `setLines`' lines with `palette`'s styles. */
export function cellBox(element: blessed.Widgets.BoxElement, palette: StylePalette): CellBox {
  const el = element as unknown as ElementInternals;
  let lines: readonly Line[] = [];
  let inverseRow = -1;
  const attrs = new Map<Style, number>();
  let attrsFor: number | null = null;

  const set = (row: Row, x: number, attr: number, ch: string) => {
    const cell = row[x];
    if (cell[0] !== attr || cell[1] !== ch) {
      cell[0] = attr;
      cell[1] = ch;
      row.dirty = true;
    }
  };

  (element as unknown as { render(): void }).render = function render(): void {
    el._emit('prerender');
    const coords = el._getCoords(true);
    if (!coords) {
      delete el.lpos;
      return;
    }
    if (coords.xl - coords.xi <= 0 || coords.yl - coords.yi <= 0) return;
    el.lpos = coords;
    const dattr = el.sattr(el.style);
    // The style's attribute over the box's own colours (as blessed composes tags over its default).
    if (attrsFor !== dattr) {
      attrs.clear();
      attrsFor = dattr;
    }
    const screenLines = el.screen.lines;
    const unicode = el.screen.fullUnicode;
    for (let y = coords.yi; y < coords.yl; y++) {
      const row = screenLines[y];
      if (!row) {
        if (y >= el.screen.height) break;
        continue;
      }
      const xl = Math.min(coords.xl, row.length);
      let x = coords.xi;
      const i = y - coords.yi;
      const line = i < lines.length ? lines[i] : null;
      const flip = i === inverseRow ? INVERSE : 0;
      if (line) {
        // Indexed loops: the dashboard runs without V8's optimizing compiler, and a for-of allocates an
        // iterator result per step, every cell of every redraw (docs/performance.md, eleventh round).
        outer: for (let j = 0; j < line.length; j++) {
          const segment = line[j];
          let attr = attrs.get(segment.style);
          if (attr === undefined) {
            const s = palette[segment.style];
            attr = el.sattr({ ...el.style, ...s, fg: s.fg ?? el.style.fg });
            attrs.set(segment.style, attr);
          }
          attr |= flip;
          const text = segment.text;
          for (let k = 0; k < text.length; k++) {
            const code = text.charCodeAt(k);
            let ch = text[k];
            let w = code >= 0x20 && code < 0x7f ? 1 : cellsAt(code, unicode);
            if (w === 0) {
              // A combining mark joins the character before it, in that cell.
              if (x > coords.xi) {
                row[x - 1][1] += ch;
                row.dirty = true;
              }
              continue;
            }
            if (w === 3) {
              // Not drawable here (cannot come from the view): one '?', as blessed shows what it cannot draw.
              if (code >= 0xd800 && code <= 0xdbff && k + 1 < text.length) k++;
              ch = '?';
              w = 1;
            }
            if (x >= xl) break outer;
            if (w === 2 && x + 1 >= xl) {
              ch = ' ';
              w = 1;
            }
            set(row, x++, attr, ch);
            if (w === 2) set(row, x++, attr, '\x03');
          }
        }
      }
      for (; x < xl; x++) set(row, x, dattr, ' ');
    }
    el._emit('render', [coords]);
  };

  return {
    element,
    setLines(next: readonly Line[], inverse = -1): void {
      lines = next;
      inverseRow = inverse;
    },
  };
}
