// Mouse events -> actions, from where the view model says things are: a click on a row selects it, on a
// column header sorts by it (again: reverses), the wheel moves the selection. Pure, tested without a terminal.
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
