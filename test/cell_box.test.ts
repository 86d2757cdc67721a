// cellBox writes styled lines straight into blessed's cells: the cells must be those blessed's own path (tags,
// parsed by Element.render) gives for the same line, on a real blessed screen writing to a stream.
import { PassThrough } from 'stream';
import type blessed from 'blessed';
import { box, screen as makeScreen } from '../lib/ui/blessed_parts';
import { cellBox } from '../lib/ui/cell_box';
import { COLOURS, NO_COLOURS, STYLE_COLOURS, STYLE_NO_COLOURS, toTags } from '../lib/ui/tags';
import type { Line } from '../lib/view/styled';

type Cell = [number, string];

function withScreen(fullUnicode: boolean, fn: (s: blessed.Widgets.Screen) => void): void {
  const output = new PassThrough() as unknown as NodeJS.WriteStream & { columns: number; rows: number };
  output.columns = 30;
  output.rows = 6;
  output.on('data', () => void 0);
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  const s = makeScreen({ input, output, terminal: 'xterm-256color', fullUnicode, forceUnicode: fullUnicode, warnings: false, autoPadding: false } as blessed.Widgets.IScreenOptions, {});
  try {
    fn(s);
  } finally {
    s.destroy();
  }
}

const rowsOf = (s: blessed.Widgets.Screen, y0: number, n: number, x0 = 0, width = 30): Cell[][] =>
  (s as unknown as { lines: Cell[][] }).lines.slice(y0, y0 + n).map((r) => r.slice(x0, x0 + width).map((c) => [c[0], c[1]] as Cell));

const lines: Line[] = [
  [{ text: 'PID ', style: 'title' }, { text: 'node', style: 'normal' }, { text: ' 1.0', style: 'dim' }, { text: ' ✕', style: 'gone' }],
  [{ text: '日本語', style: 'warn' }, { text: 'e\u0301x', style: 'normal' }, { text: '▁▃█', style: 'barOk' }, { text: ' {b}', style: 'danger' }],
  [{ text: 'selected row', style: 'normal' }, { text: ' tag', style: 'tagged' }],
  [{ text: 'a line longer than the box is wide, cut', style: 'marker' }],
];

describe('cellBox against blessed tags', () => {
  for (const [name, styles, tags] of [['colours', STYLE_COLOURS, COLOURS], ['NO_COLOR', STYLE_NO_COLOURS, NO_COLOURS]] as const) {
    test(`the same cells as the tagged box (${name}), a selected row inverted, the rest of the box blank`, () => {
      withScreen(true, (s) => {
        const tagged = box({ parent: s, top: 0, left: 0, width: 30, height: 5, tags: true, wrap: false } as blessed.Widgets.BoxOptions);
        tagged.setContent(lines.map((l, i) => (i === 2 ? `{inverse}${toTags(l, tags)}{/inverse}` : toTags(l, tags))).join('\n'));
        s.render();
        const want = rowsOf(s, 0, 5);
        tagged.detach();
        s.render();
        const cells = cellBox(box({ parent: s, top: 0, left: 0, width: 30, height: 5 }), styles);
        cells.setLines(lines, 2);
        s.render();
        const got = rowsOf(s, 0, 5);
        expect(got).toEqual(want);
        // What the comparison covers: a wide character and the cell it eats, a combining mark in its base's
        // cell, the inverted row, a cut line and a blank last row.
        expect(got[1].slice(0, 2).map((c) => c[1])).toEqual(['日', '\x03']);
        expect(got[1].map((c) => c[1])).toContain('e\u0301');
        expect(got[2][0][0]).not.toBe(got[0][4][0]);
        expect(got[3].map((c) => c[1]).join('')).toBe('a line longer than the box is ');
        expect(got[4].every((c) => c[1] === ' ')).toBe(true);
      });
    });
  }

  test('a box placed inside the screen writes only its own cells, and a redraw with the same lines changes none', () => {
    withScreen(true, (s) => {
      const cells = cellBox(box({ parent: s, top: 1, left: 5, width: 10, height: 2 }), STYLE_COLOURS);
      cells.setLines([[{ text: 'abcdefghijklmnop', style: 'normal' }]]);
      s.render();
      const all = rowsOf(s, 0, 4);
      expect(all[1].slice(5, 15).map((c) => c[1]).join('')).toBe('abcdefghij');
      expect(all[1][4][1]).toBe(' ');
      expect(all[1][15][1]).toBe(' ');
      expect(all[0].every((c) => c[1] === ' ')).toBe(true);
      const screenLines = (s as unknown as { lines: (Cell[] & { dirty?: boolean })[] }).lines;
      for (const l of screenLines) l.dirty = false;
      (cells.element as unknown as { render(): void }).render();
      expect(screenLines.some((l) => l.dirty)).toBe(false);
      cells.setLines([[{ text: 'abcdefghiX', style: 'normal' }]]);
      (cells.element as unknown as { render(): void }).render();
      expect(screenLines.map((l) => !!l.dirty)).toEqual([false, true, false, false, false, false]);
    });
  });

  test('a wide character that does not fit the last column becomes a space; without UTF-8 anything past ASCII is ?', () => {
    withScreen(true, (s) => {
      const cells = cellBox(box({ parent: s, top: 0, left: 0, width: 3, height: 1 }), STYLE_COLOURS);
      cells.setLines([[{ text: 'ab日', style: 'normal' }]]);
      s.render();
      expect(rowsOf(s, 0, 1, 0, 3)[0].map((c) => c[1])).toEqual(['a', 'b', ' ']);
    });
    withScreen(false, (s) => {
      const cells = cellBox(box({ parent: s, top: 0, left: 0, width: 6, height: 1 }), STYLE_COLOURS);
      cells.setLines([[{ text: 'a日\ud83d\ude42b', style: 'normal' }]]);
      s.render();
      expect(rowsOf(s, 0, 1, 0, 6)[0].map((c) => c[1]).join('')).toBe('a??b  ');
    });
  });
});
