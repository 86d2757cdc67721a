// Columns of the sessions view: one row per session with totals, and for
// agents the tool, model, tokens and context use. Pure.
import type { AgentInfo, Session } from '../model/sessions';
import { fit } from './fit';
import { formatBytes, formatGrowth, formatPercent, UNKNOWN } from './format';
import { sanitize } from './sanitize';

export interface SessionColumn {
  key: string;
  header: string;
  width: number;
  align: 'left' | 'right';
  text(s: Session): string;
  priority: number;
}

/** 1234567 -> "1.23M", 45000 -> "45.0k". */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** An agent's token total; `~` before it while its logs are not all read (the count is still growing). */
export function formatTokenTotal(a: Pick<AgentInfo, 'tokens' | 'complete'>): string {
  return (a.complete ? '' : '~') + formatCount(a.tokens.total);
}

export const SESSION_COLUMNS: readonly SessionColumn[] = [
  { key: 'kind', header: 'Kind', width: 6, align: 'left', priority: 100, text: (s) => s.kind },
  { key: 'name', header: 'Session', width: 0, align: 'left', priority: 95, text: (s) => sanitize(s.name) },
  { key: 'procs', header: 'Procs', width: 5, align: 'right', priority: 80, text: (s) => String(s.pids.length) },
  { key: 'cpu', header: 'CPU%', width: 6, align: 'right', priority: 85, text: (s) => formatPercent(s.cpuPercent) },
  { key: 'uss', header: 'ΣUSS', width: 9, align: 'right', priority: 90, text: (s) => formatBytes(s.ussBytes) },
  { key: 'pss', header: 'ΣPSS', width: 9, align: 'right', priority: 75, text: (s) => formatBytes(s.pssBytes) },
  { key: 'rss', header: 'ΣRSS*', width: 9, align: 'right', priority: 40, text: (s) => formatBytes(s.rssBytes) },
  { key: 'growth', header: 'Growth', width: 11, align: 'right', priority: 60, text: (s) => formatGrowth(s.growthBytesPerMin) },
  { key: 'model', header: 'Tool/model', width: 22, align: 'left', priority: 55,
    text: (s) => (s.agent ? sanitize(`${s.agent.tool} ${s.agent.model ?? ''}`.trim()) : '') },
  { key: 'tokens', header: 'Tokens', width: 7, align: 'right', priority: 65, text: (s) => (s.agent ? formatTokenTotal(s.agent) : '') },
  { key: 'ctx', header: 'Ctx%', width: 5, align: 'right', priority: 70,
    text: (s) => (s.agent ? formatPercent(s.agent.contextPercent, 0) : '') },
];

export interface SessionLayout {
  columns: SessionColumn[];
  widths: number[];
}

export function layoutSessionColumns(width: number, minName = 12): SessionLayout {
  let cols = SESSION_COLUMNS.slice();
  const fixed = (cs: SessionColumn[]) => cs.reduce((a, c) => a + c.width, 0) + cs.length - 1;
  while (cols.length > 2 && fixed(cols) + minName > width) {
    const lowest = cols.filter((c) => c.key !== 'name').reduce((lo, c) => (c.priority < lo.priority ? c : lo));
    cols = cols.filter((c) => c !== lowest);
  }
  const widths = cols.map((c) => (c.key === 'name' ? Math.max(1, width - fixed(cols)) : c.width));
  return { columns: cols, widths };
}

export function sessionHeaderCells(l: SessionLayout): string[] {
  return l.columns.map((c, i) => fit(c.header, l.widths[i], c.align));
}

export function sessionRowCells(s: Session, l: SessionLayout): string[] {
  return l.columns.map((c, i) => fit(c.text(s), l.widths[i], c.align));
}

/** Pod first, then the rest by USS, largest first (unknown last). */
export function sortSessions(list: readonly Session[]): Session[] {
  const rank = (s: Session) => (s.kind === 'pod' ? 0 : 1);
  return list.slice().sort((a, b) => rank(a) - rank(b) || (b.ussBytes ?? -1) - (a.ussBytes ?? -1) || a.id.localeCompare(b.id));
}
