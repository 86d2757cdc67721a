// What `spmon ps` prints: the supervised sessions as a table, or `spmon.ps/v1` JSON. Pure.
import type { ColumnSpec } from '../fields/field';
import type { PsRow } from '../daemon/handlers';
import { formatBytes, formatDuration, formatPercent, UNKNOWN } from './format';
import { sanitize } from './sanitize';
import { headerCells, layoutTable, rowCellsOf } from './table';

export const PS_SCHEMA = 'spmon.ps/v1';

export function psJson(rows: readonly PsRow[]) {
  return { schema: PS_SCHEMA, sessions: rows };
}

/** "exit 1", "SIGKILL", "-" (unknown or none). */
export function exitText(e: PsRow['lastExit']): string {
  if (!e) return UNKNOWN;
  if (e.signal) return e.signal;
  return e.code === null ? '?' : `exit ${e.code}`;
}

interface PsColumn {
  column: ColumnSpec;
  text(r: PsRow): string;
}

const col = (header: string, width: number, align: 'left' | 'right', priority: number, text: (r: PsRow) => string): PsColumn => ({
  column: { header, width, align, priority },
  text,
});

const PS_COLUMNS: readonly PsColumn[] = [
  col('ID', 18, 'left', 100, (r) => sanitize(r.id)),
  col('State', 8, 'left', 95, (r) => r.state),
  col('PID', 7, 'right', 80, (r) => (r.pid === null ? UNKNOWN : String(r.pid))),
  col('Restarts', 8, 'right', 70, (r) => String(r.restarts)),
  col('Up', 9, 'right', 60, (r) => (r.runTimeSec === null ? UNKNOWN : formatDuration(r.runTimeSec))),
  col('Procs', 5, 'right', 50, (r) => (r.processes === null ? UNKNOWN : String(r.processes))),
  col('CPU%', 6, 'right', 65, (r) => formatPercent(r.cpuPercent)),
  col('ΣUSS', 9, 'right', 75, (r) => formatBytes(r.ussBytes)),
  col('ΣPSS', 9, 'right', 55, (r) => formatBytes(r.pssBytes)),
  col('Last exit', 9, 'left', 45, (r) => exitText(r.lastExit)),
  col('Command', 0, 'left', 40, (r) => sanitize(r.command.join(' ')) + (r.reason ? `  (${sanitize(r.reason)})` : '')),
];

export function psTable(rows: readonly PsRow[], width: number): string {
  if (rows.length === 0) return 'No supervised sessions (start one with: spmon run -- CMD ARG...).\n';
  const layout = layoutTable(PS_COLUMNS, width, { flexMin: 12, minColumns: 2 });
  const lines = [headerCells(layout).join(' ').trimEnd()];
  for (const r of rows) lines.push(rowCellsOf(layout, (c) => c.text(r)).join(' ').trimEnd());
  return lines.join('\n') + '\n';
}
