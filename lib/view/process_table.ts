// Sorting, filtering and column layout of the process table, shared by the
// dashboard grid and `spmon --once`. Pure: plain objects in, strings out.
import type { ProcessStat } from '../model/sampler';
import { fit } from './fit';
import { formatBytes, formatGrowth, formatPercent, formatRate } from './format';
import { sanitize } from './sanitize';

export const SORT_KEYS = ['pid', 'name', 'cmdline', 'cpu', 'uss', 'pss', 'rss', 'growth', 'read', 'write'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function isSortKey(s: string): s is SortKey {
  return (SORT_KEYS as readonly string[]).includes(s);
}

type Value = number | string | null;

export interface ColumnSpec {
  key: SortKey | 'session';
  header: string;
  /** Width in columns; the cmdline column takes what is left. */
  width: number;
  align: 'left' | 'right';
  /** Numbers sort largest first by default, text A to Z. */
  descending: boolean;
  value(p: ProcessStat): Value;
  text(p: ProcessStat): string;
  /** Lower drops first when the terminal is narrow. */
  priority: number;
}

/** How a process is named on screen: kernel threads in brackets, as ps does. */
export function displayName(p: ProcessStat): string {
  return sanitize(p.kernelThread ? `[${p.name}]` : p.name);
}

export function displayCmdline(p: ProcessStat): string {
  if (p.cmdline !== null) return sanitize(p.cmdline);
  return p.kernelThread ? '(kernel thread)' : p.state === 'Z' ? '(zombie)' : '-';
}

export const COLUMNS: readonly ColumnSpec[] = [
  { key: 'pid', header: 'PID', width: 7, align: 'right', descending: false, priority: 100,
    value: (p) => p.pid, text: (p) => String(p.pid) },
  { key: 'name', header: 'Name', width: 15, align: 'left', descending: false, priority: 90,
    value: (p) => p.name.toLowerCase(), text: displayName },
  { key: 'cmdline', header: 'Cmdline', width: 0, align: 'left', descending: false, priority: 40,
    value: (p) => (p.cmdline === null ? null : p.cmdline.toLowerCase()), text: displayCmdline },
  { key: 'cpu', header: 'CPU%', width: 6, align: 'right', descending: true, priority: 80,
    value: (p) => p.cpuPercent, text: (p) => formatPercent(p.cpuPercent) },
  { key: 'uss', header: 'USS', width: 9, align: 'right', descending: true, priority: 85,
    value: (p) => p.ussBytes, text: (p) => formatBytes(p.ussBytes) },
  { key: 'pss', header: 'PSS', width: 9, align: 'right', descending: true, priority: 70,
    value: (p) => p.pssBytes, text: (p) => formatBytes(p.pssBytes) },
  { key: 'rss', header: 'RSS', width: 9, align: 'right', descending: true, priority: 60,
    value: (p) => p.rssBytes, text: (p) => formatBytes(p.rssBytes) },
  { key: 'growth', header: 'Growth', width: 11, align: 'right', descending: true, priority: 65,
    value: (p) => p.growthBytesPerMin, text: (p) => formatGrowth(p.growthBytesPerMin) },
  { key: 'session', header: 'Session', width: 14, align: 'left', descending: false, priority: 45,
    value: (p) => p.sessionLabel, text: (p) => (p.sessionLabel === null ? '' : sanitize(p.sessionLabel)) },
  { key: 'read', header: 'Read', width: 11, align: 'right', descending: true, priority: 35,
    value: (p) => p.readBytesPerSec, text: (p) => formatRate(p.readBytesPerSec) },
  { key: 'write', header: 'Write', width: 11, align: 'right', descending: true, priority: 36,
    value: (p) => p.writeBytesPerSec, text: (p) => formatRate(p.writeBytesPerSec) },
];

export function columnFor(key: SortKey): ColumnSpec {
  return COLUMNS.find((c) => c.key === key)!;
}

/** Case-insensitive substring match on name or cmdline; empty matches all. */
export function filterProcesses<T extends ProcessStat>(list: readonly T[], text: string): T[] {
  const q = text.trim().toLowerCase();
  if (!q) return list.slice();
  return list.filter((p) => p.name.toLowerCase().includes(q) || (p.cmdline?.toLowerCase().includes(q) ?? false));
}

/**
 * Sort by a column in its natural direction (numbers largest first, text A to Z),
 * flipped by `reverse`. Unknown values sort last either way; ties by pid.
 */
export function sortProcesses<T extends ProcessStat>(list: readonly T[], key: SortKey, reverse = false): T[] {
  const col = columnFor(key);
  const dir = (col.descending ? -1 : 1) * (reverse ? -1 : 1);
  const keyed = list.map((p) => ({ p, v: col.value(p) }));
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

export interface Layout {
  columns: ColumnSpec[];
  widths: number[];
}

/**
 * Choose the columns and widths for a terminal `width` wide (one space between
 * columns). Cmdline takes what is left; when even its minimum does not fit,
 * the lowest-priority columns go.
 */
export function layoutColumns(width: number, opts: { session?: boolean; minCmdline?: number } = {}): Layout {
  const minCmdline = opts.minCmdline ?? 12;
  let cols = COLUMNS.filter((c) => c.key !== 'session' || opts.session === true);
  const fixed = (cs: ColumnSpec[]) => cs.reduce((s, c) => s + (c.key === 'cmdline' ? 0 : c.width), 0) + (cs.length - 1);
  const needs = (cs: ColumnSpec[]) => fixed(cs) + (cs.some((c) => c.key === 'cmdline') ? minCmdline : 0);
  const minName = 6;
  while (cols.length > 1 && needs(cols) > width) {
    // PID and a narrowed Name are worth more than any other pair.
    if (cols.length === 2 && cols[1].key === 'name' && cols[0].width + 1 + minName <= width) break;
    const lowest = cols.reduce((lo, c) => (c.priority < lo.priority ? c : lo));
    cols = cols.filter((c) => c !== lowest);
  }
  const widths = cols.map((c) => (c.key === 'cmdline' ? Math.max(minCmdline, width - fixed(cols)) : c.width));
  if (cols.length === 2 && cols[1].key === 'name') widths[1] = Math.min(widths[1], width - cols[0].width - 1);
  // A single surviving column may still be too wide: clip it.
  if (cols.length === 1) widths[0] = Math.max(1, Math.min(widths[0], width));
  return { columns: cols, widths };
}

/** The header line and one line per process, each exactly as wide as the layout. */
export function headerCells(layout: Layout): string[] {
  return layout.columns.map((c, i) => fit(c.header, layout.widths[i], c.align));
}

export function rowCells(p: ProcessStat, layout: Layout): string[] {
  return layout.columns.map((c, i) => fit(c.text(p), layout.widths[i], c.align));
}
