// `spmon --once`: two samples `interval` apart, printed once as a table or JSON.
import * as os from 'os';
import type { Settings } from './config';
import { Monitor } from './monitor';
import type { ModelSnapshot, ProcessStat } from './model/sampler';
import type { Session } from './model/sessions';
import { SessionCollector } from './session_collector';
import { layoutSessionColumns, sessionHeaderCells, sessionRowCells, sortSessions } from './view/session_table';
import { createUserLookup } from './sources/passwd';
import { formatBytes, formatCores, formatDuration, formatPercent } from './view/format';
import { hiddenMemoryCount, podMemory } from './view/pod_memory';
import { filterProcesses, headerCells, layoutColumns, rowCells, sortProcesses } from './view/process_table';
import { displayWidth, fit } from './view/fit';
import { sanitize, toSafeJson } from './view/sanitize';
import { snapshotJson } from './view/snapshot_json';

export interface SnapshotOutput {
  json: boolean;
  /** Table width; 120 when stdout is not a terminal. */
  columns: number;
  write: (text: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Snapshot {
  snap: ModelSnapshot;
  sessions: Session[];
}

/**
 * Two samples `interval` apart (one when it is 0), with the sessions: tmux is
 * listed while the first sample runs, agent logs are read while the interval runs.
 */
export async function takeSnapshot(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<Snapshot> {
  // At most two samples: two points of history per process are all a snapshot can use, and no fd held
  // from one sample to the next would be read again.
  const monitor = new Monitor(settings, { historyPoints: 2, maxHeldFds: 0 });
  const collector = new SessionCollector({ env });
  // The tmux children (one per live server) run while the first (blocking) sample reads /proc.
  const settling = collector.settle();
  await settling.started;
  let snap: ModelSnapshot;
  try {
    // A single sample has no rates: /proc/<pid>/io, whose counters only feed the read/write rates, is not read.
    snap = monitor.tick(settings.interval > 0 ? undefined : { io: false });
  } catch (err) {
    settling.done.catch(() => undefined);
    throw err;
  }
  // Called once the agent logs are read: without any, no process needs its open files read for a binding.
  const inspectPids = () => (collector.hasAgentLogs ? collector.inspectPids(snap) : []);
  if (settings.interval > 0) {
    await sleep(settings.interval * 1000);
    await settling.done;
    snap = monitor.tick({ inspectPids: inspectPids() });
  } else {
    await settling.done;
    snap = { ...snap, inspect: monitor.inspect(inspectPids()) };
  }
  return { snap, sessions: collector.update(snap, []).sessions };
}

/** The processes the options ask for, in order. */
export function selectProcesses(snap: ModelSnapshot, s: Pick<Settings, 'filter' | 'sort' | 'reverse' | 'limit'>): ProcessStat[] {
  const sorted = sortProcesses(filterProcesses(snap.processes, s.filter), s.sort, s.reverse);
  return s.limit === null ? sorted : sorted.slice(0, s.limit);
}

export function renderJson({ snap, sessions }: Snapshot, settings: Settings): string {
  const doc = snapshotJson(snap, {
    identity: { name: os.hostname() || null, kernel: os.release() || null },
    userName: createUserLookup(),
    processes: selectProcesses(snap, settings),
    sessions: sortSessions(sessions),
    sessionIdsOf: (p) => p.sessionIds,
  });
  return toSafeJson(doc, 2) + '\n';
}

export function renderTable({ snap, sessions }: Snapshot, settings: Settings, width: number): string {
  const lines: string[] = [];
  const pm = podMemory(snap);
  const c = snap.cgroup;
  const host = sanitize(os.hostname());
  lines.push(
    `spmon  ${new Date(snap.wallMs).toISOString().replace('T', ' ').slice(0, 19)}Z  host ${host}  up ${formatDuration(snap.host.uptimeSec)}  ${snap.host.cpuCount} CPUs`,
  );
  const limitText =
    pm.limitSource === 'cgroup' ? formatBytes(pm.limitBytes) : pm.limitSource === 'host' ? `${formatBytes(pm.limitBytes)} (host; no cgroup limit)` : '-';
  lines.push(
    `Pod memory: ${formatBytes(pm.usedBytes)} / ${limitText}  (${formatPercent(pm.percent)}%)  threshold ${pm.thresholdPercent}%` +
      (pm.level === 'danger' ? '  ABOVE THRESHOLD' : '') +
      `  OOM kills ${c.memory.oomKills ?? '-'}`,
  );
  const quota = c.cpu.quotaCores === null ? `no quota (${snap.host.cpuCount} cores)` : `quota ${formatCores(c.cpu.quotaCores)} cores`;
  const used = c.cpu.usageCores !== null ? `${formatCores(Math.round(c.cpu.usageCores * 100) / 100)} cores used (${formatPercent(c.cpu.usagePercent)}%)` : 'usage -';
  lines.push(`Pod CPU: ${used}, ${quota}`);
  lines.push(c.version === null ? 'cgroup none (host view)' : `cgroup v${c.version} ${sanitize(c.path ?? '')}`);
  const hidden = hiddenMemoryCount(snap);
  if (hidden > 0)
    lines.push(`Note: USS/PSS of ${hidden} process${hidden === 1 ? '' : 'es'} unreadable (other users' or protected; needs root or CAP_SYS_PTRACE): shown as -`);
  const shown = selectProcesses(snap, settings);
  lines.push(`Processes: ${snap.processes.length}${shown.length !== snap.processes.length ? `, showing ${shown.length}` : ''}, sorted by ${settings.sort}${settings.reverse ? ' (reversed)' : ''}${settings.filter ? `, filter "${sanitize(settings.filter)}"` : ''}`);
  const others = sortSessions(sessions).filter((x) => x.kind !== 'pod');
  if (others.length > 0) {
    lines.push('');
    const sl = layoutSessionColumns(width);
    lines.push(sessionHeaderCells(sl).join(' ').trimEnd());
    for (const x of others) lines.push(sessionRowCells(x, sl).join(' ').trimEnd());
  }
  lines.push('');
  const layout = layoutColumns(width, { session: others.length > 0 });
  lines.push(headerCells(layout).join(' ').trimEnd());
  for (const p of shown) lines.push(rowCells(p, layout).join(' ').trimEnd());
  // Every line within the width (header lines are cut, not wrapped).
  return lines.map((l) => (displayWidth(l) > width ? fit(l, width) : l)).join('\n') + '\n';
}

export async function runSnapshot(settings: Settings, out: SnapshotOutput, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const snap = await takeSnapshot(settings, env);
  out.write(out.json ? renderJson(snap, settings) : renderTable(snap, settings, out.columns));
}
