// Mouse events -> actions, from where the view model says things are: a click on a row selects it, on a
// column header sorts by it (again: reverses), the wheel moves the selection; and terminal input cut so that
// blessed sees every mouse report (splitMouseReports). Pure, tested without a terminal.
import type { Action, Mode } from '../view/dashboard_state';
import type { DashboardView } from '../view/dashboard_view';

export interface MouseInfo {
  /** Screen column and row, from 0. */
  x: number;
  y: number;
  action: string;
  button?: string;
}

/** Rows the wheel moves the selection per notch. */
export const WHEEL_ROWS = 3;

export function mouseToAction(view: DashboardView, mode: Mode, m: MouseInfo): Action | null {
  if (m.action === 'wheelup' || m.action === 'wheeldown') {
    if (mode === 'menu') return { type: 'menuMove', delta: m.action === 'wheelup' ? -1 : 1 };
    if (mode !== 'grid') return null;
    return { type: 'move', delta: m.action === 'wheelup' ? -WHEEL_ROWS : WHEEL_ROWS };
  }
  // A click is a press of the left button; dialogs take no clicks.
  if (m.action !== 'mousedown' || (m.button !== undefined && m.button !== 'left') || mode !== 'grid') return null;
  const top = view.layout.header;
  if (m.y === top) {
    const col = view.columns.find((c) => m.x >= c.start && m.x < c.end);
    return col ? { type: 'sortBy', key: col.key } : null;
  }
  const row = m.y - (top + 1);
  if (row >= 0 && row < view.grid.length) return { type: 'clickRow', row };
  return null;
}

/** An SGR mouse report (`CSI < b ; x ; y M` or `m`), as terminals send it once the dashboard asks for the mouse. */
const SGR_MOUSE_REPORT = /\x1b\[<\d+;\d+;\d+[mM]/g;

/**
 * A chunk of terminal input cut so that each SGR mouse report stands alone, what lies between kept in order.
 * neo-blessed reads a mouse report only at the start of a chunk, and its key parser drops a whole chunk that
 * holds one: a key pressed together with a wheel notch (read at once) was lost with it, and of two reports only
 * the first counted.
 */
export function splitMouseReports(chunk: Buffer): Buffer[] {
  const text = chunk.toString('latin1'); // one character per byte: the indices are the buffer's
  const parts: Buffer[] = [];
  let at = 0;
  SGR_MOUSE_REPORT.lastIndex = 0;
  for (let m = SGR_MOUSE_REPORT.exec(text); m !== null; m = SGR_MOUSE_REPORT.exec(text)) {
    if (m.index > at) parts.push(chunk.subarray(at, m.index));
    at = m.index + m[0].length;
    parts.push(chunk.subarray(m.index, at));
  }
  if (parts.length === 0) return [chunk];
  if (at < chunk.length) parts.push(chunk.subarray(at));
  return parts;
}

/** Make `input` hand its 'data' listeners (blessed's) each mouse report of a chunk on its own: splitMouseReports. */
export function separateMouseReports(input: NodeJS.EventEmitter): void {
  const emit = input.emit;
  input.emit = function (this: NodeJS.EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data' && Buffer.isBuffer(args[0])) {
      const parts = splitMouseReports(args[0]);
      if (parts.length > 1) {
        let heard = false;
        for (const p of parts) heard = emit.call(this, 'data', p) || heard;
        return heard;
      }
    }
    return emit.call(this, event, ...args);
  };
}
