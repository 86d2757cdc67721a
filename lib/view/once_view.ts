// What `spmon --once` prints: a table sized to a width, or the JSON document. Pure: a frame in, text out.
import type { Settings } from '../config';
import type { Frame } from '../engine/frame';
import type { ProcessStat } from '../model/process_stat';
import { displayWidth, fit } from './fit';
import { formatBytes, formatCores, formatDuration, formatPercent } from './format';
import { hiddenMemoryCount, podMemory } from './pod_memory';
import { RSS_FALLBACK_SORTS } from '../fields/process_fields';
import { filterProcesses, headerCells, layoutColumns, rowCells, sortProcesses } from './process_table';
import { sanitize, toSafeJson } from './sanitize';
import { layoutSessionColumns, sessionHeaderCells, sessionRowCells, sortSessions } from './session_table';
import { snapshotJson } from './snapshot_json';
import { wrapText } from './wrap';
import { displayTime } from '../model/clock';

/** The processes the options ask for, in order; `nameOnly`: pids the filter matches by name alone (spmon, its ancestors). */
export function selectProcesses(
  frame: Pick<Frame, 'processes'>,
  s: Pick<Settings, 'filter' | 'sort' | 'reverse' | 'limit'>,
  nameOnly?: ReadonlySet<number>,
): ProcessStat[] {
  const sorted = sortProcesses(filterProcesses(frame.processes, s.filter, nameOnly), s.sort, s.reverse);
  return s.limit === null ? sorted : sorted.slice(0, s.limit);
}

export function renderJson(frame: Frame, settings: Settings, nameOnly?: ReadonlySet<number>): string {
  const doc = snapshotJson({ ...frame, processes: selectProcesses(frame, settings, nameOnly), sessions: sortSessions(frame.sessions), ctx: frame });
  return toSafeJson(doc, 2) + '\n';
}

export function renderTable(frame: Frame, settings: Settings, width: number, nameOnly?: ReadonlySet<number>): string {
  const lines: string[] = [];
  const pm = podMemory(frame);
  const c = frame.cgroup;
  lines.push(
    `spmon  ${displayTime(frame.wallMs)}  host ${sanitize(frame.host.name ?? '-')}  up ${formatDuration(frame.host.uptimeSec)}  ${frame.host.cpuCount} CPUs`,
  );
  const limitText =
    pm.limitSource === 'cgroup' ? formatBytes(pm.limitBytes) : pm.limitSource === 'host' ? `${formatBytes(pm.limitBytes)} (host; no cgroup limit)` : '-';
  lines.push(
    `Pod memory: ${formatBytes(pm.usedBytes)} / ${limitText}  (${formatPercent(pm.percent)}%)  threshold ${pm.thresholdPercent}%` +
      (pm.level === 'danger' ? '  ABOVE THRESHOLD' : '') +
      `  OOM kills ${c.memory.oomKills ?? '-'}`,
  );
  const quota = c.cpu.quotaCores === null ? `no quota (${frame.host.cpuCount} cores)` : `quota ${formatCores(c.cpu.quotaCores)} cores`;
  const used = c.cpu.usageCores !== null ? `${formatCores(Math.round(c.cpu.usageCores * 100) / 100)} cores used (${formatPercent(c.cpu.usagePercent)}%)` : 'usage -';
  lines.push(`Pod CPU: ${used}, ${quota}`);
  lines.push(c.version === null ? 'cgroup none (host view)' : `cgroup v${c.version} ${sanitize(c.path ?? '')}`);
  const hidden = hiddenMemoryCount(frame);
  if (hidden > 0)
    lines.push(
      `Note: USS/PSS of ${hidden} process${hidden === 1 ? '' : 'es'} unreadable (other users' or protected; needs root or CAP_SYS_PTRACE): shown as -` +
        (RSS_FALLBACK_SORTS.has(settings.sort) ? `, sorted by ${hidden === 1 ? 'its' : 'their'} RSS` : ''),
    );
  const shown = selectProcesses(frame, settings, nameOnly);
  lines.push(
    `Processes: ${frame.processes.length}${shown.length !== frame.processes.length ? `, showing ${shown.length}` : ''}, sorted by ${settings.sort}${settings.reverse ? ' (reversed)' : ''}${settings.filter ? `, filter "${sanitize(settings.filter)}"` : ''}`,
  );
  const others = sortSessions(frame.sessions).filter((x) => x.kind !== 'pod');
  if (others.length > 0) {
    lines.push('');
    const sl = layoutSessionColumns(width, { run: others.some((x) => x.kind === 'run') });
    lines.push(sessionHeaderCells(sl).join(' ').trimEnd());
    for (const x of others) lines.push(sessionRowCells(x, sl).join(' ').trimEnd());
  }
  lines.push('');
  const layout = layoutColumns(width, { session: others.length > 0, keep: settings.sort });
  lines.push(headerCells(layout).join(' ').trimEnd());
  for (const p of shown) lines.push(rowCells(p, layout, frame).join(' ').trimEnd());
  // Every line within the width: the header lines above the tables wrap (none loses its end, such as the
  // OOM kills), table rows are cut to the width.
  const tableStart = lines.indexOf('');
  return (
    lines
      .flatMap((l, i) => (displayWidth(l) <= width ? [l] : i < tableStart ? wrapText(l, width) : [fit(l, width)]))
      .join('\n') + '\n'
  );
}
