// lib/ui/first_paint.ts, the dashboard's first frame before blessed, on its own: where rows go, what is cut,
// what cannot be drawn. (test/e2e/first_paint.test.ts compares it with blessed's draw in a real tmux.)
import { PassThrough } from 'stream';
import type blessed from 'blessed';
import { box, screen as makeScreen } from '../lib/ui/blessed_parts';
import { cellBox } from '../lib/ui/cell_box';
import { canPaintFirst, firstPaint } from '../lib/ui/first_paint';
import { STYLE_COLOURS, STYLE_NO_COLOURS } from '../lib/ui/tags';
import type { DashboardView } from '../lib/view/dashboard_view';
import { seg } from '../lib/view/styled';

function viewOf(header: number, gridRows: number, rows: string[], selected = -1): DashboardView {
  return {
    layout: { header, detail: 0, gridRows },
    header: Array.from({ length: header }, (_, i) => [seg(`head${i}`, 'title')]),
    gridHeader: [seg('PID Name', 'bold')],
    columns: [],
    grid: rows.map((t, i) => ({ line: [seg(t)], selected: i === selected })),
    position: '',
    detail: null,
    status: [seg('sort uss', 'dim')],
    overlay: null,
  };
}

/** The text written at each row, SGR removed (rows from 1, as the sequences number them). */
function rowsOf(out: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const part of out.split(/\x1b\[(\d+);1H/).slice(1).reduce<string[][]>((acc, x, i) => (i % 2 === 0 ? acc.push([x]) : acc[acc.length - 1].push(x), acc), [])) {
    m.set(Number(part[0]), part[1].replace(/\x1b\[[0-9;]*m/g, ''));
  }
  return m;
}

test('rows go where blessed puts them: header, grid header, grid, status bar on the last row', () => {
  const out = firstPaint(viewOf(4, 3, ['1 a', '2 b', '3 c'], 1), { width: 40, height: 10 }, STYLE_COLOURS, true);
  expect(out.startsWith('\x1b[?1049h')).toBe(true);
  expect([...rowsOf(out)]).toEqual([[1, 'head0'], [2, 'head1'], [3, 'head2'], [4, 'head3'], [5, 'PID Name'], [6, '1 a'], [7, '2 b'], [8, '3 c'], [10, 'sort uss']]);
  // The selected row is inverted, dim text is gray (90), a title bold cyan.
  expect(out).toContain('\x1b[0;7m2 b');
  expect(out).toContain('\x1b[0;90msort uss');
  expect(out).toContain('\x1b[0;1;36mhead0');
  // NO_COLOR: attributes only.
  expect(firstPaint(viewOf(1, 1, ['x']), { width: 40, height: 5 }, STYLE_NO_COLOURS, true)).not.toMatch(/\x1b\[[0-9;]*(3\d|9\d)m/);
});

test('cut at the width as blessed cuts; a wide character that does not fit is a space; what cannot be drawn is "?"', () => {
  const rows = rowsOf(firstPaint(viewOf(0, 3, ['abcdefgh', 'abc日本', 'a\x01b\u0301c']), { width: 6, height: 6 }, STYLE_COLOURS, true));
  expect(rows.get(2)).toBe('abcdef');
  expect(rows.get(3)).toBe('abc日 ');
  expect(rows.get(4)).toBe('a?b\u0301c');
  // Without a UTF-8 locale, anything past ASCII is one "?" per code unit blessed would draw.
  expect(rowsOf(firstPaint(viewOf(0, 1, ['é日x']), { width: 10, height: 4 }, STYLE_COLOURS, false)).get(2)).toBe('??x');
});

test('a terminal shorter than the layout: nothing is written below its last row', () => {
  const out = firstPaint(viewOf(0, 5, ['1', '2', '3', '4', '5']), { width: 10, height: 3 }, STYLE_COLOURS, true);
  expect(Math.max(...rowsOf(out).keys())).toBe(3);
  expect(rowsOf(out).get(3)).toBe('sort uss'.slice(0, 10));
});

test('only on a terminal that speaks these sequences', () => {
  expect(canPaintFirst({ isTTY: true }, { TERM: 'xterm-256color' })).toBe(true);
  expect(canPaintFirst({ isTTY: true }, { TERM: 'tmux-256color' })).toBe(true);
  expect(canPaintFirst({ isTTY: true }, { TERM: 'screen' })).toBe(true);
  expect(canPaintFirst({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
  expect(canPaintFirst({ isTTY: true }, { TERM: 'vt52' })).toBe(false);
  expect(canPaintFirst({ isTTY: true }, {})).toBe(false);
});

describe('the same text as cellBox puts in blessed\'s cells (lib/ui/cell_box.ts)', () => {
  // The text a terminal shows for a row of blessed's cells: a wide character's second cell (and what was added
  // to it) is not drawn.
  const shown = (row: [number, string][]) => row.filter((c) => !c[1].startsWith('\x03')).map((c) => c[1]).join('').trimEnd();
  const tricky = [
    'plain ascii',
    'a日\u0301b e\u0301 end',
    `${'x'.repeat(29)}日 cut wide`,
    'ctl\x01 and \ud83d\ude00 pair',
    'é日本語 ░▒▓ …',
  ];
  for (const unicode of [true, false]) {
    test(`row by row (${unicode ? 'UTF-8' : 'no UTF-8 locale'})`, () => {
      const output = new PassThrough() as unknown as NodeJS.WriteStream & { columns: number; rows: number };
      output.columns = 30;
      output.rows = 6;
      output.on('data', () => void 0);
      const input = new PassThrough() as unknown as NodeJS.ReadStream;
      const s = makeScreen({ input, output, terminal: 'xterm-256color', fullUnicode: unicode, forceUnicode: unicode, warnings: false, autoPadding: false } as blessed.Widgets.IScreenOptions, {});
      try {
        const cells = cellBox(box({ parent: s, top: 0, left: 0, width: 30, height: 5 }), STYLE_COLOURS);
        cells.setLines(tricky.map((t) => [seg(t)]));
        s.render();
        const blessedRows = (s as unknown as { lines: [number, string][][] }).lines.slice(0, 5).map(shown);
        const view = viewOf(0, 4, tricky.slice(1));
        view.gridHeader = [seg(tricky[0])];
        const painted = rowsOf(firstPaint(view, { width: 30, height: 6 }, STYLE_COLOURS, unicode));
        expect([1, 2, 3, 4, 5].map((y) => (painted.get(y) ?? '').trimEnd())).toEqual(blessedRows);
      } finally {
        s.destroy();
      }
    });
  }
});
