// The dashboard's detail pane: the selected process (or session) in full, and its USS and CPU sparklines.
// Pure: lines already cut to the pane's width, so nothing of them reaches past its frame.
import type { Frame } from '../engine/frame';
import { memoryUnknownOf, sessionTotals } from '../fields/session_fields';
import { contextLevel } from '../model/context_level';
import type { ProcessHistory, ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';
import { fit, fitLine } from './fit';
import { formatCount } from './cell';
import { formatBytes, formatDuration, formatGrowth, formatPercent, UNKNOWN } from './format';
import { sparkline } from './sparkline';
import { Line, seg } from './styled';
import { chunkByWidth } from './wrap';
import type { Clean } from './dashboard_overlays';
import { displayTime } from '../model/clock';

/** "12.5%", or "-" when unknown (never "-%"). */
const percentText = (n: number | null): string => (n === null || !Number.isFinite(n) ? UNKNOWN : `${formatPercent(n)}%`);

export interface DetailView {
  /** The text, each line at most `width` columns. */
  lines: Line[];
  /** The right-hand column: labels and sparklines. */
  spark: Line[];
}

/** Where the pane's parts go, inside its frame of `width` columns (the frame itself is 2 of them). */
export function detailGeometry(width: number): { textWidth: number; sparkWidth: number } {
  const sparkWidth = Math.min(40, Math.floor(width / 3));
  return { textWidth: Math.max(1, width - sparkWidth - 3), sparkWidth };
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

export interface DetailInputs {
  snap: Frame;
  history: ProcessHistory | undefined;
  detail: { cgroup: string | null; cwd: string | null; exe: string | null } | null;
  /** Untrusted text made drawable. */
  clean: Clean;
  /** The process's name as shown. */
  name: (p: ProcessStat) => string;
}

export function processDetail(p: ProcessStat, inp: DetailInputs, gone: boolean, width: number, height: number): DetailView {
  const { clean } = inp;
  const { textWidth, sparkWidth } = detailGeometry(width);
  const started =
    p.startTime === null
      ? UNKNOWN
      : `${displayTime(p.startTime)} (${formatDuration((inp.snap.wallMs - p.startTime) / 1000)} ago)`;
  const d = inp.detail;
  const lines: Line[] = [
    [
      seg(`${p.pid} `, 'bold'),
      seg(inp.name(p), gone ? 'gone' : 'bold'),
      seg(gone ? '  EXITED' : '', 'gone'),
      seg(`  ppid ${p.ppid}  user ${clean(inp.snap.userName(p.uid) ?? UNKNOWN)}  ${p.state} (${STATE_NAMES[p.state] ?? '?'})  threads ${p.threads ?? UNKNOWN}`),
      seg(p.system ? '  system process' : '', 'warn'),
    ],
    [seg('started ', 'dim'), seg(started), seg('  cgroup ', 'dim'), seg(clean(d?.cgroup ?? UNKNOWN))],
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
    [seg('cwd ', 'dim'), seg(clean(d?.cwd ?? UNKNOWN)), seg('  exe ', 'dim'), seg(clean(d?.exe ?? UNKNOWN))],
  ];
  // The full cmdline, wrapped over what is left.
  const cmd = p.cmdline === null ? (p.kernelThread ? '(kernel thread)' : UNKNOWN) : clean(p.cmdline);
  const room = Math.max(1, height - lines.length);
  const pieces = chunkByWidth(cmd, textWidth);
  pieces.slice(0, room).forEach((piece, n) => {
    const last = n === room - 1 && pieces.length > room;
    lines.push([seg(last ? fit(piece + '…', textWidth) : piece)]);
  });
  const uss = (inp.history?.uss.valuesArray() ?? []).filter((v) => !Number.isNaN(v));
  const cpu = (inp.history?.cpu.valuesArray() ?? []).filter((v) => !Number.isNaN(v));
  const spark: Line[] = [
    [seg(`USS ${formatBytes(p.ussBytes)}:`, 'bold')],
    [seg(sparkline(uss, sparkWidth), 'title')],
    [seg('')],
    [seg(`CPU ${percentText(p.cpuPercent)}:`, 'bold')],
    [seg(sparkline(cpu, sparkWidth), 'title')],
  ];
  return { lines: lines.slice(0, height).map((l) => fitLine(l, textWidth)), spark: spark.map((l) => fitLine(l, sparkWidth)) };
}

export function sessionDetail(x: Session, inp: DetailInputs, width: number, height: number): DetailView {
  const { clean } = inp;
  const { textWidth, sparkWidth } = detailGeometry(width);
  const t = sessionTotals(x);
  const lines: Line[] = [[seg(`${x.kind} `, 'dim'), seg(clean(x.name), 'bold'), seg(`  ${clean(x.id)}`, 'dim')]];
  lines.push([
    seg(`${x.pids.length} ${x.pids.length === 1 ? 'process' : 'processes'}  `, 'normal'),
    seg('ΣUSS ', 'dim'), seg(formatBytes(t.ussBytes)),
    seg('  ΣPSS ', 'dim'), seg(formatBytes(t.pssBytes)),
    seg('  ΣRSS ', 'dim'), seg(formatBytes(t.rssBytes)), seg(' (double counts shared pages)', 'dim'),
    seg('  CPU ', 'dim'), seg(`${formatPercent(t.cpuPercent)}%`),
  ]);
  const unknown = memoryUnknownOf(x);
  if (unknown > 0)
    lines.push([seg(`ΣUSS/ΣPSS leave out ${unknown} of ${x.pids.length}: USS not known (not readable, or not read yet)`, 'warn')]);
  const a = x.agent;
  if (a) {
    const tk = a.tokens;
    const lv = contextLevel(a.contextPercent);
    lines.push([
      seg('model ', 'dim'), seg(clean(a.model ?? UNKNOWN)),
      seg('  context ', 'dim'), seg(`${formatPercent(a.contextPercent, 0)}%`, lv === 'critical' ? 'danger' : lv === 'warn' ? 'warn' : 'normal'),
      seg('  tokens ', 'dim'), seg(`in ${formatCount(tk.input)} out ${formatCount(tk.output)} cache+ ${formatCount(tk.cacheCreation)} cache↺ ${formatCount(tk.cacheRead)} total ${formatCount(tk.total)}`),
    ]);
    lines.push([
      seg('bound ', 'dim'),
      seg(a.evidence ? `${a.evidence} (confidence ${a.confidence})` : 'to no running process'),
      seg('  cwd ', 'dim'), seg(clean(a.cwd ?? UNKNOWN)),
    ]);
    lines.push([
      seg('log ', 'dim'), seg(clean(a.logPath ?? UNKNOWN)),
      ...(a.complete ? [] : [seg('  reading logs: ', 'warn'), seg(`${formatBytes(a.unreadBytes)} left`, 'warn')]),
    ]);
  }
  // The heaviest members.
  const members = x.members.slice().sort((p, q) => (q.ussBytes ?? -1) - (p.ussBytes ?? -1));
  for (const p of members.slice(0, Math.max(0, height - lines.length))) {
    lines.push([
      seg(String(p.pid).padStart(7) + ' ', 'dim'),
      seg(fit(inp.name(p), 16) + ' '),
      seg(formatBytes(p.ussBytes).padStart(9) + ' USS  ', 'normal'),
      seg(p.cmdline === null ? '' : clean(p.cmdline), 'dim'),
    ]);
  }
  const spark: Line[] = [[seg(`ΣUSS ${formatBytes(t.ussBytes)}`, 'bold')], [seg('')], [seg(`CPU ${percentText(t.cpuPercent)}`, 'bold')]];
  return { lines: lines.slice(0, height).map((l) => fitLine(l, textWidth)), spark: spark.map((l) => fitLine(l, sparkWidth)) };
}
