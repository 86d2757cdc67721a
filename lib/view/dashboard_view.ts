// The dashboard's view model: everything the screen shows, as styled lines.
// Pure: the UI draws it and nothing else.
import type { Frame } from '../engine/frame';
import type { ProcessField } from '../fields/field';
import { sessionTotals } from '../fields/session_fields';
import type { ProcessHistory, ProcessStat } from '../model/process_stat';
import type { ConfirmRequest, DashboardState, Rows } from './dashboard_state';
import { selectedIndex } from './dashboard_state';
import { displayWidth, fit } from './fit';
import { formatBytes, formatCores, formatDuration, formatGrowth, formatPercent, UNKNOWN } from './format';
import { gaugeBar } from './gauge';
import { hiddenMemoryCount, podMemory } from './pod_memory';
import type { Session } from '../model/sessions';
import { displayName, headerCells, layoutColumns, rowCells } from './process_table';
import { contextLevel } from '../model/context_level';
import { formatCount, layoutSessionColumns, sessionHeaderCells, sessionRowCells } from './session_table';
import { sanitize } from './sanitize';
import { Line, seg, Style } from './styled';

export interface ScreenSize {
  width: number;
  height: number;
}

export interface DashboardLayout {
  header: number;
  detail: number;
  gridRows: number;
}

/** How many lines each part gets; a tiny terminal keeps only the grid and status bar. */
export function dashboardLayout(size: ScreenSize): DashboardLayout {
  const h = Math.max(1, size.height);
  const header = h >= 14 ? 4 : h >= 9 ? 1 : 0;
  const detail = h >= 30 ? 9 : 0;
  const gridRows = Math.max(1, h - header - detail - 2);
  return { header, detail, gridRows };
}

export interface GridRow {
  line: Line;
  selected: boolean;
}

export interface EndedRecord {
  pid: number;
  name: string;
  outcome: string;
  requestedAt: number;
  finishedAt: number | null;
  message: string;
}

export interface DashboardInputs {
  snap: Frame | null;
  state: DashboardState;
  rows: Rows;
  /** The sessions view's rows, in order. */
  sessionRows: readonly Session[];
  size: ScreenSize;
  history: ProcessHistory | undefined;
  detail: { cgroup: string | null; cwd: string | null; exe: string | null } | null;
  /** Messages of terminations under way. */
  jobs: string[];
  ended: readonly EndedRecord[];
  tickMs: number | null;
  error: string | null;
  graceSec: number;
}

export interface DashboardView {
  layout: DashboardLayout;
  header: Line[];
  gridHeader: Line;
  grid: GridRow[];
  /** "12-40 of 230" */
  position: string;
  detail: { lines: Line[]; uss: number[]; cpu: number[]; ussLabel: string; cpuLabel: string } | null;
  status: Line;
  overlay: { title: string; lines: Line[]; tone: 'normal' | 'danger' } | null;
}

const STATE_NAMES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk wait',
  Z: 'zombie',
  T: 'stopped',
  t: 'traced',
  I: 'idle',
  X: 'exited',
};

export const KEY_HELP: [string, string][] = [
  ['↑/↓ PgUp/PgDn Home/End', 'move the selection'],
  ['s', 'cycle the sort column'],
  ['S / r', 'reverse the sort'],
  ['/', 'filter by name or cmdline (Enter keeps it, Esc clears)'],
  ['Esc', 'clear the filter, or cancel'],
  ['t', 'tree view on/off'],
  ['Tab', 'switch between processes and sessions (tmux, agents, picked trees, the pod)'],
  ['Enter', 'in sessions: show the session\'s processes (Esc goes back)'],
  ['T', 'make the selected process and its descendants a session'],
  ['k', 'kill the selected process (SIGTERM, then SIGKILL after the grace)'],
  ['K / F9', 'kill the selected process and all its descendants'],
  ['k (sessions)', 'end the whole session: leaves first, one grace period'],
  ['y / n', 'confirm / spare'],
  ['h', 'history of ended processes'],
  ['?', 'this help'],
  ['q / Ctrl-C', 'quit'],
];

function headerLines(snap: Frame, width: number, count: number): Line[] {
  const pm = podMemory(snap);
  const c = snap.cgroup;
  let pssSum: number | null = null;
  let ussSum: number | null = null;
  for (const p of snap.processes) {
    if (p.pssBytes !== null) pssSum = (pssSum ?? 0) + p.pssBytes;
    if (p.ussBytes !== null) ussSum = (ussSum ?? 0) + p.ussBytes;
  }
  const hidden = hiddenMemoryCount(snap);
  const line1: Line = [
    seg('spmon', 'title'),
    seg(`  host ${sanitize(snap.host.name ?? UNKNOWN)}`, 'normal'),
    seg(`  up ${formatDuration(snap.host.uptimeSec)}`, 'normal'),
    seg(`  ${snap.processes.length} procs`, 'normal'),
    seg('  OOM kills ', 'normal'),
    seg(String(c.memory.oomKills ?? UNKNOWN), c.memory.oomKills ? 'danger' : 'normal'),
    seg(`  cgroup ${c.version === null ? 'none' : `v${c.version} ${sanitize(c.path ?? '')}`}`, 'dim'),
  ];
  if (hidden > 0) line1.push(seg(`  USS of ${hidden} hidden (needs root)`, 'warn'));
  if (count === 1) return [line1];

  const level = pm.level === 'unknown' ? 'ok' : pm.level;
  const levelStyle: Style = level === 'danger' ? 'danger' : level === 'warn' ? 'warn' : 'ok';
  const memText = ` ${formatBytes(pm.usedBytes)} / ${formatBytes(pm.limitBytes)}${pm.limitSource === 'host' ? ' (host)' : ''} | avail ${formatBytes(pm.availableBytes)} | ${formatPercent(pm.percent)}%  ΣPSS ${formatBytes(pssSum)}`;
  const barW = Math.max(5, Math.min(40, width - memText.length - 7));
  const line2: Line = [seg('Mem  ', 'bold'), ...gaugeBar(pm.percent, barW, pm.thresholdPercent, pm.level), seg(memText, levelStyle)];

  const usage = c.memory.currentBytes;
  // Usage the processes' USS does not explain. Negative means processes outside
  // the cgroup are visible too (a host, not a pod): then it says nothing.
  const unexplained = usage !== null && ussSum !== null && usage >= ussSum ? usage - ussSum : null;
  const line3: Line = [
    seg('     anon ', 'dim'),
    seg(formatBytes(c.memory.anonBytes)),
    seg('  file cache ', 'dim'),
    seg(formatBytes(c.memory.fileBytes)),
    seg('  shmem/tmpfs ', 'dim'),
    seg(formatBytes(c.memory.shmemBytes)),
    seg('  not in any USS ', 'dim'),
    seg(formatBytes(unexplained)),
    seg(`  danger at ${pm.thresholdPercent}%`, 'dim'),
  ];

  const quota = c.cpu.quotaCores;
  const capacity = quota ?? snap.host.cpuCount;
  // Without the cgroup's own CPU time, the host's busy cores stand in, but only
  // against all cores: against a quota they would be a wrong number.
  const hostCores = snap.host.cpuPercent !== null ? (snap.host.cpuPercent / 100) * snap.host.cpuCount : null;
  const usedCores = c.cpu.usageCores ?? (quota === null ? hostCores : null);
  const cpuPct = usedCores !== null && capacity > 0 ? (usedCores / capacity) * 100 : null;
  const cpuText = ` ${usedCores === null ? UNKNOWN : formatCores(Math.round(usedCores * 100) / 100)} / ${formatCores(capacity)} cores${quota === null ? ' (no quota)' : ''} | ${formatPercent(cpuPct)}%`;
  const cpuLevel = cpuPct === null ? 'unknown' : cpuPct >= 90 ? 'danger' : cpuPct >= 70 ? 'warn' : 'ok';
  const line4: Line = [seg('CPU  ', 'bold'), ...gaugeBar(cpuPct, barW, null, cpuLevel), seg(cpuText)];
  return [line1, line2, line3, line4];
}

function rowLine(p: ProcessStat, cells: string[], fields: readonly ProcessField[], gone: boolean): Line {
  const base: Style = gone ? 'gone' : p.system ? 'dim' : 'normal';
  const out: Line = [];
  cells.forEach((text, i) => {
    if (i > 0) out.push(seg(' ', base));
    const tone = gone ? null : (fields[i].tone?.(p) ?? null);
    out.push(seg(text, tone ?? base));
  });
  return out;
}

function detailPane(p: ProcessStat, inp: DashboardInputs, gone: boolean, width: number, height: number): Line[] {
  const started =
    p.startTime === null
      ? UNKNOWN
      : `${new Date(p.startTime).toISOString().replace('T', ' ').slice(0, 19)}Z (${formatDuration((inp.snap!.wallMs - p.startTime) / 1000)} ago)`;
  const d = inp.detail;
  const lines: Line[] = [
    [
      seg(`${p.pid} `, 'bold'),
      seg(displayName(p), gone ? 'gone' : 'bold'),
      seg(gone ? '  EXITED' : '', 'gone'),
      seg(`  ppid ${p.ppid}  user ${sanitize(inp.snap?.userName(p.uid) ?? UNKNOWN)}  ${p.state} (${STATE_NAMES[p.state] ?? '?'})  threads ${p.threads ?? UNKNOWN}`),
      seg(p.system ? '  system process' : '', 'warn'),
    ],
    [seg('started ', 'dim'), seg(started), seg('  cgroup ', 'dim'), seg(sanitize(d?.cgroup ?? UNKNOWN))],
    p.kernelThread
      ? [seg('kernel thread: no memory map, so no USS/PSS/RSS', 'dim')]
      : [
          seg('USS ', 'dim'), seg(formatBytes(p.ussBytes)),
          seg('  PSS ', 'dim'), seg(formatBytes(p.pssBytes)),
          seg('  RSS ', 'dim'), seg(formatBytes(p.rssBytes)),
          seg('  swap ', 'dim'), seg(formatBytes(p.swapBytes)),
          seg('  growth ', 'dim'), seg(formatGrowth(p.growthBytesPerMin), p.growthSteady ? 'warn' : 'normal'),
        ],
    p.kernelThread
      ? []
      : [
          seg('anon ', 'dim'), seg(formatBytes(p.rssAnonBytes)),
          seg('  file ', 'dim'), seg(formatBytes(p.rssFileBytes)),
          seg('  shmem ', 'dim'), seg(formatBytes(p.rssShmemBytes)),
          seg(`  from ${p.memorySource ?? 'nowhere (not readable)'}`, 'dim'),
          seg(
            p.memoryAgeMs === null || p.memorySource === null
              ? ''
              : p.memoryEstimated
                ? `, read ${formatDuration(p.memoryAgeMs / 1000)} ago, estimated since (RssAnon/RssShmem)`
                : ', read now',
            p.memoryEstimated ? 'warn' : 'dim',
          ),
        ],
    [seg('cwd ', 'dim'), seg(sanitize(d?.cwd ?? UNKNOWN)), seg('  exe ', 'dim'), seg(sanitize(d?.exe ?? UNKNOWN))],
  ];
  // The full cmdline, wrapped over what is left.
  const cmd = p.cmdline === null ? (p.kernelThread ? '(kernel thread)' : UNKNOWN) : sanitize(p.cmdline);
  const room = Math.max(1, height - lines.length);
  const w = Math.max(10, width);
  const chars = Array.from(cmd);
  for (let i = 0, n = 0; i < chars.length && n < room; i += w, n++) {
    const last = n === room - 1 && i + w < chars.length;
    const piece = chars.slice(i, i + w).join('');
    lines.push([seg(last ? fit(piece + '…', w) : piece)]);
  }
  return lines;
}

function confirmOverlay(req: ConfirmRequest, graceSec: number): DashboardView['overlay'] {
  const t = req.target;
  const uss = req.members.reduce<number | null>((a, p) => (p.ussBytes === null ? a : (a ?? 0) + p.ussBytes), null);
  const name = displayName(t);
  let text: string;
  if (req.kind === 'session' && req.session) {
    const n = req.members.length;
    const what = `session ${sanitize(req.session.name)} (${req.session.kind}): ${n} process${n === 1 ? '' : 'es'}, frees USS ${formatBytes(uss)}`;
    text = req.system ? `⚠ SYSTEM PROCESS — End ${what}? This may break the session. (y/n)` : `End ${what}? (y/n)`;
  } else if (req.kind === 'process') {
    text = req.system
      ? `⚠ SYSTEM PROCESS — Kill ${t.pid} ${name} (USS ${formatBytes(uss)})? This may break the session. (y/n)`
      : `Kill process ${t.pid} ${name} (USS ${formatBytes(uss)})? (y/n)`;
  } else {
    const n = req.members.length;
    const what = `${t.pid} ${name} and its ${n - 1} descendant${n - 1 === 1 ? '' : 's'} (${n} processes, USS ${formatBytes(uss)})`;
    text = req.system
      ? `⚠ SYSTEM PROCESS — Kill ${what}? This may break the session. (y/n)`
      : `Kill ${what}? (y/n)`;
  }
  const lines: Line[] = [[seg(text, req.system ? 'danger' : 'bold')], [seg('')]];
  lines.push([seg(`SIGTERM now, SIGKILL after ${graceSec} s if it is still running.`, 'dim')]);
  if (req.kind !== 'process') lines.push([seg('Leaves first, then parents; new descendants are found again before SIGKILL.', 'dim')]);
  if (req.kind !== 'process') {
    const systemMembers = req.members.filter((p) => p.system);
    if (systemMembers.length > 0)
      lines.push([seg(`System processes in the set: ${systemMembers.map((p) => `${p.pid} ${displayName(p)}`).join(', ')}`, 'warn')]);
  }
  return { title: req.system ? ' Confirm: system process ' : ' Confirm ', lines, tone: req.system ? 'danger' : 'normal' };
}

function helpOverlay(): DashboardView['overlay'] {
  const lines: Line[] = KEY_HELP.map(([k, d]) => [seg(k.padEnd(24), 'key'), seg(d)]);
  lines.push([seg('')]);
  lines.push([seg('USS: memory only this process uses (freed when it ends). PSS: USS plus its share of shared pages.', 'dim')]);
  lines.push([seg('RSS: all resident pages, shared ones counted in full (sums double count). "-": unknown.', 'dim')]);
  lines.push([seg('Growth: USS slope over the growth window, highlighted when steady. Dimmed rows: system processes.', 'dim')]);
  lines.push([seg('Press ? or Esc to close.', 'dim')]);
  return { title: ' Keys ', lines, tone: 'normal' };
}

function historyOverlay(ended: readonly EndedRecord[]): DashboardView['overlay'] {
  const lines: Line[] = ended.length
    ? ended.map((e) => [
        seg(new Date(e.requestedAt).toISOString().slice(11, 19) + '  ', 'dim'),
        seg(String(e.pid).padStart(7) + '  '),
        seg(sanitize(e.name).padEnd(16).slice(0, 16) + '  '),
        seg(e.outcome, e.outcome === 'terminated' || e.outcome === 'force-killed' ? 'ok' : 'warn'),
      ])
    : [[seg('Nothing ended yet.', 'dim')]];
  return { title: ' Ended processes (newest first, last 100) ', lines, tone: 'normal' };
}

export function buildDashboardView(inp: DashboardInputs): DashboardView {
  const { snap, state, rows, size } = inp;
  const layout = dashboardLayout(size);
  const width = Math.max(1, size.width);
  const header = snap && layout.header > 0 ? headerLines(snap, width, layout.header) : [];
  const cols = layoutColumns(width, { session: inp.sessionRows.some((x) => x.kind !== 'pod') });
  const keys = cols.columns.map((c) => c.key);
  const gridHeader: Line = headerCells(cols).flatMap((h, i) => {
    const k = keys[i];
    const mark = k === state.sort ? ((cols.columns[i].descending !== state.reverse) ? '▼' : '▲') : '';
    const text = mark ? fit(h.trim() + mark, cols.widths[i], cols.columns[i].column!.align) : h;
    return i === 0 ? [seg(text, 'title')] : [seg(' ', 'title'), seg(text, 'title')];
  });
  if (state.view === 'sessions' && state.mode !== 'filter') return sessionsView(inp, layout, header, width);
  const grid: GridRow[] = [];
  const sel = selectedIndex(state, rows);
  const end = Math.min(rows.list.length, state.top + layout.gridRows);
  const nameIdx = keys.indexOf('name');
  for (let i = state.top; i < end; i++) {
    const p = rows.list[i];
    const gone = state.gone !== null && state.gone.key === p.key;
    const cells = rowCells(p, cols, snap!);
    if (nameIdx >= 0 && (rows.prefixes || gone)) {
      const prefix = (rows.prefixes?.[i] ?? '') + (gone ? '✕ ' : '');
      cells[nameIdx] = fit(prefix + displayName(p), cols.widths[nameIdx]);
    }
    grid.push({ line: rowLine(p, cells, cols.columns, gone), selected: i === sel });
  }
  const position = rows.list.length === 0 ? '0 of 0' : `${state.top + 1}-${end} of ${rows.list.length}`;

  let detail: DashboardView['detail'] = null;
  if (layout.detail > 0 && snap && sel >= 0) {
    const p = rows.list[sel];
    const gone = state.gone !== null && state.gone.key === p.key;
    const sparkW = Math.min(40, Math.floor(width / 3));
    const lines = detailPane(p, inp, gone, width - sparkW - 4, layout.detail - 2);
    const uss = (inp.history?.uss.valuesArray() ?? []).filter((v) => !Number.isNaN(v));
    const cpu = (inp.history?.cpu.valuesArray() ?? []).filter((v) => !Number.isNaN(v));
    detail = {
      lines,
      uss: uss.slice(-Math.max(1, sparkW - 2)),
      cpu: cpu.slice(-Math.max(1, sparkW - 2)),
      ussLabel: `USS ${formatBytes(p.ussBytes)}`,
      cpuLabel: `CPU ${formatPercent(p.cpuPercent)}%`,
    };
  }

  const status = statusLine(inp, position, width);
  return { layout, header, gridHeader, grid, position, detail, status, overlay: overlayFor(inp) };
}

/** The dialog over the grid, if the mode has one. */
function overlayFor(inp: DashboardInputs): DashboardView['overlay'] {
  const { state } = inp;
  if (state.mode === 'confirm' && state.confirm) return confirmOverlay(state.confirm, inp.graceSec);
  if (state.mode === 'help') return helpOverlay();
  if (state.mode === 'history') return historyOverlay(inp.ended);
  return null;
}

function statusLine(inp: DashboardInputs, position: string, width: number): Line {
  const { state } = inp;
  const right = `${position}  sort ${state.sort}${state.reverse ? '↑' : ''}${inp.tickMs === null ? '' : `  tick ${inp.tickMs.toFixed(1)} ms`}`;
  let left: Line;
  if (state.mode === 'filter') {
    left = [seg('Filter: ', 'key'), seg(sanitize(state.filter) + '█'), seg('  Enter keep · Esc clear', 'dim')];
  } else if (inp.error) {
    left = [seg(`Refresh failed: ${sanitize(inp.error)}`, 'danger')];
  } else if (inp.jobs.length > 0) {
    left = [seg(sanitize(inp.jobs.join(' · ')), 'warn')];
  } else if (state.status) {
    const st: Style = state.status.level === 'error' ? 'danger' : state.status.level === 'warn' ? 'warn' : state.status.level === 'ok' ? 'ok' : 'normal';
    left = [seg(sanitize(state.status.text), st)];
  } else {
    left = [
      seg('q', 'key'), seg(' quit  '),
      seg('k', 'key'), seg(' kill  '),
      seg('K', 'key'), seg(' kill tree  '),
      seg('s', 'key'), seg(' sort  '),
      seg('r', 'key'), seg(' reverse  '),
      seg('/', 'key'), seg(' filter  '),
      seg('t', 'key'), seg(' tree  '),
      seg('Tab', 'key'), seg(state.view === 'sessions' ? ' processes  ' : ' sessions  '),
      seg('h', 'key'), seg(' history  '),
      seg('?', 'key'), seg(' help'),
    ];
  }
  if (state.focus && state.view === 'processes') left.unshift(seg(`[${sanitize(state.focus.name)}: Esc back] `, 'key'));
  if (state.filter && state.mode !== 'filter') left.push(seg(`  filter "${sanitize(state.filter)}"`, 'warn'));
  if (state.readOnly) left.push(seg('  read-only', 'dim'));
  // Fit: the left part gets what the right part leaves.
  const leftText = left.map((s) => s.text).join('');
  const leftW = displayWidth(leftText);
  const room = width - displayWidth(right) - 1;
  if (room < 10) return [seg(fit(leftText, width))];
  if (leftW > room) return [seg(fit(leftText, room)), seg(' ' + right, 'dim')];
  return [...left, seg(' '.repeat(room - leftW + 1) + right, 'dim')];
}

function sessionsView(inp: DashboardInputs, layout: DashboardLayout, header: Line[], width: number): DashboardView {
  const { state } = inp;
  const list = inp.sessionRows;
  const cols = layoutSessionColumns(width, { run: list.some((x) => x.kind === 'run') });
  const gridHeader: Line = sessionHeaderCells(cols).flatMap((h, i) => (i === 0 ? [seg(h, 'title')] : [seg(' ', 'title'), seg(h, 'title')]));
  const sel = list.findIndex((x) => x.id === state.sessionKey);
  const end = Math.min(list.length, state.sessionTop + layout.gridRows);
  const grid: GridRow[] = [];
  for (let i = state.sessionTop; i < end; i++) {
    const x = list[i];
    const cells = sessionRowCells(x, cols);
    const base: Style = x.kind === 'agent' && x.pids.length === 0 ? 'dim' : x.kind === 'pod' ? 'bold' : 'normal';
    const line: Line = [];
    cells.forEach((c, j) => {
      if (j > 0) line.push(seg(' ', base));
      let st: Style = base;
      if (cols.columns[j].key === 'ctx' && x.agent) {
        const lv = contextLevel(x.agent.contextPercent);
        st = lv === 'critical' ? 'danger' : lv === 'warn' ? 'warn' : base;
      }
      line.push(seg(c, st));
    });
    grid.push({ line, selected: i === sel });
  }
  const position = list.length === 0 ? '0 of 0' : `${state.sessionTop + 1}-${end} of ${list.length}`;
  let detail: DashboardView['detail'] = null;
  if (layout.detail > 0 && sel >= 0) detail = sessionDetail(list[sel], inp, layout.detail - 2);
  const status = statusLine(inp, position, width);
  return { layout, header, gridHeader, grid, position, detail, status, overlay: overlayFor(inp) };
}

function sessionDetail(x: Session, inp: DashboardInputs, height: number): DashboardView['detail'] {
  const t = sessionTotals(x);
  const lines: Line[] = [[seg(`${x.kind} `, 'dim'), seg(sanitize(x.name), 'bold'), seg(`  ${sanitize(x.id)}`, 'dim')]];
  lines.push([
    seg(`${x.pids.length} processes  `, 'normal'),
    seg('ΣUSS ', 'dim'), seg(formatBytes(t.ussBytes)),
    seg('  ΣPSS ', 'dim'), seg(formatBytes(t.pssBytes)),
    seg('  ΣRSS ', 'dim'), seg(formatBytes(t.rssBytes)), seg(' (double counts shared pages)', 'dim'),
    seg('  CPU ', 'dim'), seg(`${formatPercent(t.cpuPercent)}%`),
  ]);
  const a = x.agent;
  if (a) {
    const tk = a.tokens;
    const lv = contextLevel(a.contextPercent);
    lines.push([
      seg('model ', 'dim'), seg(sanitize(a.model ?? UNKNOWN)),
      seg('  context ', 'dim'), seg(`${formatPercent(a.contextPercent, 0)}%`, lv === 'critical' ? 'danger' : lv === 'warn' ? 'warn' : 'normal'),
      seg('  tokens ', 'dim'), seg(`in ${formatCount(tk.input)} out ${formatCount(tk.output)} cache+ ${formatCount(tk.cacheCreation)} cache↺ ${formatCount(tk.cacheRead)} total ${formatCount(tk.total)}`),
    ]);
    lines.push([
      seg('bound ', 'dim'),
      seg(a.evidence ? `${a.evidence} (confidence ${a.confidence})` : 'to no running process'),
      seg('  cwd ', 'dim'), seg(sanitize(a.cwd ?? UNKNOWN)),
    ]);
    lines.push([
      seg('log ', 'dim'), seg(sanitize(a.logPath ?? UNKNOWN)),
      ...(a.complete ? [] : [seg('  reading logs: ', 'warn'), seg(`${formatBytes(a.unreadBytes)} left`, 'warn')]),
    ]);
  }
  // The heaviest members.
  const members = x.members.slice().sort((p, q) => (q.ussBytes ?? -1) - (p.ussBytes ?? -1));
  for (const p of members.slice(0, Math.max(0, height - lines.length))) {
    lines.push([seg(String(p.pid).padStart(7) + ' ', 'dim'), seg(fit(displayName(p), 16) + ' '), seg(formatBytes(p.ussBytes).padStart(9) + ' USS  ', 'normal'), seg(fit(p.cmdline === null ? '' : sanitize(p.cmdline), 60), 'dim')]);
  }
  return { lines, uss: [], cpu: [], ussLabel: `ΣUSS ${formatBytes(t.ussBytes)}`, cpuLabel: `CPU ${formatPercent(t.cpuPercent)}%` };
}
