// The dashboard's header: host and pod facts, the memory and CPU gauges. Pure: every line fits the width,
// and when the first one does not, its least important parts shrink or go whole (never cut mid-word, as
// "USS of 7 h" was).
import type { Frame } from '../engine/frame';
import { RSS_FALLBACK_SORTS } from '../fields/process_fields';
import { displayWidth, fitLine } from './fit';
import { formatBytes, formatCores, formatDuration, formatPercent, UNKNOWN } from './format';
import { gaugeBar } from './gauge';
import { hiddenMemoryCount, podMemory } from './pod_memory';
import { Line, seg, Segment, Style } from './styled';
import type { Clean } from './dashboard_overlays';

interface Part {
  segs: Segment[];
  /** Higher stays longer. */
  priority: number;
  /** A shorter form, used before the part goes. */
  short?: Segment[];
}

/** The parts in order, shortened then dropped (lowest priority first) until they fit `width`. */
function fitParts(parts: Part[], width: number): Line {
  const live = parts.map((p) => ({ ...p, segs: p.segs, dropped: false }));
  const w = () => live.reduce((a, p) => a + p.segs.reduce((b, s) => b + displayWidth(s.text), 0), 0);
  while (w() > width) {
    // A part once dropped stays dropped: made short again, it would be dropped again, for ever (a
    // terminal narrower than what cannot go spun the dashboard at 100 % CPU).
    const byPriority = live.filter((p) => p.priority < Infinity && !p.dropped).sort((a, b) => a.priority - b.priority);
    const shortable = byPriority.find((p) => p.short && p.segs !== p.short);
    if (shortable) {
      shortable.segs = shortable.short!;
      continue;
    }
    const droppable = byPriority.find((p) => p.segs.length > 0);
    if (!droppable) break;
    droppable.segs = [];
    droppable.dropped = true;
  }
  return fitLine(live.flatMap((p) => p.segs), width);
}

export function headerLines(snap: Frame, width: number, count: number, clean: Clean, sort: string, root = false): Line[] {
  const pm = podMemory(snap);
  const c = snap.cgroup;
  let pssSum: number | null = null;
  let ussSum: number | null = null;
  for (let i = 0; i < snap.processes.length; i++) {
    const p = snap.processes[i];
    if (p.pssBytes !== null) pssSum = (pssSum ?? 0) + p.pssBytes;
    if (p.ussBytes !== null) ussSum = (ussSum ?? 0) + p.ussBytes;
  }
  const hidden = hiddenMemoryCount(snap);
  const cgroup = c.version === null ? 'none' : `v${c.version}`;
  const parts: Part[] = [
    { segs: [seg('spmon', 'title')], priority: Infinity },
    { segs: [seg(`  host ${clean(snap.host.name ?? UNKNOWN)}`)], priority: 2 },
    { segs: [seg(`  up ${formatDuration(snap.host.uptimeSec)}`)], priority: 3 },
    { segs: [seg(`  ${snap.processes.length} procs`)], priority: 5 },
    { segs: [seg('  OOM kills '), seg(String(c.memory.oomKills ?? UNKNOWN), c.memory.oomKills ? 'danger' : 'normal')], priority: 9 },
    {
      segs: [seg(`  cgroup ${c.version === null ? 'none' : `${cgroup} ${clean(c.path ?? '')}`}`, 'dim')],
      short: [seg(`  cgroup ${cgroup}`, 'dim')],
      priority: 1,
    },
  ];
  if (hidden > 0) {
    // The rows stay sorted by USS or PSS; only the hidden ones are placed by their RSS (as --once says it).
    const byRss = RSS_FALLBACK_SORTS.has(sort) ? `, sorted by ${hidden === 1 ? 'its' : 'their'} RSS` : '';
    parts.push({
      segs: [seg(`  USS of ${hidden} hidden (${root ? 'not readable' : 'needs root'})${byRss}`, 'warn')],
      short: [seg(`  USS of ${hidden} hidden${byRss}`, 'warn')],
      priority: 8,
    });
  }
  const line1 = fitParts(parts, width);
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
  return [line1, line2, line3, line4].map((l) => fitLine(l, width));
}
