// One table layout for every grid and table (processes, sessions, tokens): choose the columns that fit a
// width, dropping the least important first, and cut or pad each cell to its column. Pure.
import type { ColumnSpec } from '../fields/field';
import { fit } from './fit';

export interface TableLayout<C> {
  columns: C[];
  widths: number[];
}

export interface LayoutOptions {
  /** The flexible column (width 0) gets at least this much while other columns can still go. Default 12. */
  flexMin?: number;
  /** Never fewer columns than this. Default 1. */
  minColumns?: number;
  /**
   * When only two columns are left and the second one may narrow to this width, narrow it rather than drop
   * it (PID and a narrowed Name are worth more than PID alone).
   */
  narrowSecondTo?: number;
  /** The key of a column that stays while others can go (the sort column: its ▼ says how rows are ordered). */
  keep?: string;
}

/**
 * The columns of `all` (in their order) that fit `width` (one space between columns): the flexible column
 * takes what the others leave; while even its minimum does not fit, the lowest-priority column goes.
 */
export function layoutTable<C extends { column: ColumnSpec | null; key?: string }>(all: readonly C[], width: number, opts: LayoutOptions = {}): TableLayout<C> {
  const flexMin = opts.flexMin ?? 12;
  const minColumns = Math.max(1, opts.minColumns ?? 1);
  let cols = all.filter((c) => c.column !== null);
  const spec = (c: C) => c.column!;
  const fixed = (cs: C[]) => cs.reduce((s, c) => s + spec(c).width, 0) + (cs.length - 1);
  const needs = (cs: C[]) => fixed(cs) + (cs.some((c) => spec(c).width === 0) ? flexMin : 0);
  const narrow = opts.narrowSecondTo;
  while (cols.length > minColumns && needs(cols) > width) {
    if (narrow !== undefined && cols.length === 2 && spec(cols[1]).width > 0 && spec(cols[0]).width + 1 + narrow <= width) break;
    // The lowest priority goes first; a kept column ranks just below the two most important ones.
    const top2 = cols.map((c) => spec(c).priority).sort((a, b) => b - a)[1] ?? 0;
    const rank = (c: C) => (opts.keep !== undefined && c.key === opts.keep ? Math.max(spec(c).priority, top2 - 0.5) : spec(c).priority);
    const lowest = cols.reduce((lo, c) => (rank(c) < rank(lo) ? c : lo));
    cols = cols.filter((c) => c !== lowest);
  }
  const widths = cols.map((c) => (spec(c).width === 0 ? Math.max(1, width - fixed(cols)) : spec(c).width));
  if (narrow !== undefined && cols.length === 2 && spec(cols[1]).width > 0) widths[1] = Math.min(widths[1], width - widths[0] - 1);
  // A single surviving column may still be too wide: clip it.
  if (cols.length === 1) widths[0] = Math.max(1, Math.min(widths[0], width));
  return { columns: cols, widths };
}

/** The header cells of a layout, each exactly as wide as its column. */
export function headerCells<C extends { column: ColumnSpec | null }>(layout: TableLayout<C>): string[] {
  return layout.columns.map((c, i) => fit(c.column!.header, layout.widths[i], c.column!.align));
}

/** One row's cells: `text` gives each column's (sanitised) text, cut or padded to the column. */
export function rowCellsOf<C extends { column: ColumnSpec | null }>(layout: TableLayout<C>, text: (c: C) => string): string[] {
  return layout.columns.map((c, i) => fit(text(c), layout.widths[i], c.column!.align));
}
