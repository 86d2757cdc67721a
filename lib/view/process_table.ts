// Sorting, filtering and the columns of the process table, shared by the dashboard grid and
// `spmon --once`: driven by the field table (lib/fields/process_fields.ts). Pure.
import type { FieldContext, ProcessField } from '../fields/field';
import { GRID_FIELDS, isSortKey, processField, SORT_KEYS, SortKey } from '../fields/process_fields';
import type { ProcessStat } from '../model/process_stat';
import { cellText, displayCmdline, displayName } from './cell';
import { headerCells as tableHeaderCells, layoutTable, rowCellsOf, TableLayout } from './table';

export { SORT_KEYS, isSortKey, displayName, displayCmdline };
export type { SortKey };

export type Layout = TableLayout<ProcessField>;

/**
 * Whether a process matches a filter or search text (lower case, trimmed): a substring of its name or
 * cmdline. `nameOnly` are pids matched by name alone: spmon and its ancestors, whose command lines hold
 * the very text given with --filter (else `--filter x` always matched spmon's own row).
 */
export function matchesText(p: ProcessStat, q: string, nameOnly?: ReadonlySet<number>): boolean {
  if (p.name.toLowerCase().includes(q)) return true;
  if (nameOnly?.has(p.pid)) return false;
  return p.cmdline?.toLowerCase().includes(q) ?? false;
}

/** Case-insensitive substring match on name or cmdline (see matchesText); empty matches all. */
export function filterProcesses<T extends ProcessStat>(list: readonly T[], text: string, nameOnly?: ReadonlySet<number>): T[] {
  const q = text.trim().toLowerCase();
  if (!q) return list.slice();
  return list.filter((p) => matchesText(p, q, nameOnly));
}

/** spmon and its ancestors, from a protection guard: matched by name only (matchesText). */
export function selfAndAncestors(guard: { selfPid: number; ancestors: ReadonlySet<number> } | undefined): ReadonlySet<number> | undefined {
  return guard ? new Set([guard.selfPid, ...guard.ancestors]) : undefined;
}

/**
 * Sort by a field in its natural direction (numbers largest first, text A to Z),
 * flipped by `reverse`. Unknown values sort last either way; ties by pid.
 */
export function sortProcesses<T extends ProcessStat>(list: readonly T[], key: SortKey, reverse = false): T[] {
  const f = processField(key);
  const value = f.sort ?? (() => null);
  const dir = (f.descending ? -1 : 1) * (reverse ? -1 : 1);
  const keyed = list.map((p) => ({ p, v: value(p) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v === b.v) return a.p.pid - b.p.pid;
      return a.v === null ? 1 : -1;
    }
    if (a.v < b.v) return -dir;
    if (a.v > b.v) return dir;
    return a.p.pid - b.p.pid;
  });
  return keyed.map((k) => k.p);
}

/**
 * The columns of a terminal `width` wide: Cmdline takes what is left; when even its minimum does not
 * fit, the lowest-priority columns go. The Session column only when there are sessions besides the pod.
 */
export function layoutColumns(width: number, opts: { session?: boolean; minCmdline?: number; keep?: string } = {}): Layout {
  const fields = GRID_FIELDS.filter((f) => f.key !== 'session' || opts.session === true);
  return layoutTable(fields, width, { flexMin: opts.minCmdline ?? 12, narrowSecondTo: 6, keep: opts.keep });
}

export function headerCells(layout: Layout): string[] {
  return tableHeaderCells(layout);
}

/** A process field's cell text. */
export function processCellText(f: ProcessField, p: ProcessStat, ctx: FieldContext): string {
  if (f.unit === 'name') return displayName(p);
  if (f.unit === 'cmdline') return displayCmdline(p);
  return cellText(f.unit, f.value(p, ctx));
}

/** A row's cells; `clean` adapts text to where it is drawn (the dashboard's terminal) before it is fitted. */
export function rowCells(p: ProcessStat, layout: Layout, ctx: FieldContext, clean?: (text: string) => string): string[] {
  return rowCellsOf(layout, clean ? (f) => clean(processCellText(f, p, ctx)) : (f) => processCellText(f, p, ctx));
}
