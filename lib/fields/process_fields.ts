// Every per-process field, declared once: the grid and --once columns (header, width, priority),
// sorting, the --json key, the session sum, tone rules and the native reads it needs.
// The order here is the order of grid columns and of JSON keys.
import type { ProcessStat } from '../model/process_stat';
import type { ProcessField } from './field';

const MiB = 1024 * 1024;

// Metric help texts. A process can be in the pod, a tmux session and an agent session at once: the
// session series of different kinds overlap, and HELP says so wherever a sum across kinds would mislead.
export const OVERLAP = ' A process is in the pod and in any tmux, agent, tree or run session it belongs to: never sum across kind.';
const TOP_N = ' Only the top processes by PSS (--metrics-top).';
const USS_HELP = 'Unique set size: memory no other process maps (Private_Clean + Private_Dirty)';
const PSS_HELP = 'Proportional set size: private pages plus a share of shared ones (Pss)';
const SESSION_CPU_HELP =
  'CPU time of the members by mode, seconds, counted from when each member was first seen (its CPU time until then included), exited members included.' + OVERLAP;
const PROCESS_CPU_HELP = 'CPU time of the process since it started, by mode, seconds.' + TOP_N;

export const PROCESS_FIELDS: readonly ProcessField[] = [
  { key: 'pid', column: { header: 'PID', width: 7, align: 'right', priority: 100 }, unit: 'int',
    value: (p) => p.pid, sort: (p) => p.pid, descending: false, json: { key: 'pid' }, session: null, reads: [] },
  { key: 'ppid', column: null, unit: 'int', value: (p) => p.ppid, sort: null, descending: false, json: { key: 'ppid' }, session: null, reads: [] },
  { key: 'startTime', column: null, unit: 'int', value: (p) => p.startTime, sort: null, descending: false, json: { key: 'startTime' }, session: null, reads: [] },
  { key: 'user', column: null, unit: 'text', value: (p, ctx) => ctx.userName(p.uid), sort: null, descending: false,
    json: { key: 'user' }, session: null, reads: ['status'] },
  { key: 'name', column: { header: 'Name', width: 15, align: 'left', priority: 90 }, unit: 'name',
    value: (p) => p.name, sort: (p) => p.name.toLowerCase(), descending: false, json: { key: 'name' }, session: null, reads: [] },
  { key: 'cmdline', column: { header: 'Cmdline', width: 0, align: 'left', priority: 40 }, unit: 'cmdline',
    value: (p) => p.cmdline, sort: (p) => (p.cmdline === null ? null : p.cmdline.toLowerCase()), descending: false,
    json: { key: 'cmdline' }, session: null, reads: ['cmdline'] },
  { key: 'state', column: null, unit: 'text', value: (p) => p.state, sort: null, descending: false, json: { key: 'state' }, session: null, reads: [] },
  { key: 'threads', column: null, unit: 'int', value: (p) => p.threads, sort: null, descending: false, json: { key: 'threads' }, session: null, reads: ['status'] },
  { key: 'cpu', column: { header: 'CPU%', width: 6, align: 'right', priority: 80 }, unit: 'percent',
    value: (p) => p.cpuPercent, sort: (p) => p.cpuPercent, descending: true, json: { key: 'cpuPercent', digits: 2 },
    session: { column: { header: 'CPU%', width: 6, align: 'right', priority: 85 }, json: 'cpuPercent', metric: null },
    tone: (p) => (p.cpuPercent !== null && p.cpuPercent >= 90 ? 'warn' : null), reads: [] },
  { key: 'uss', column: { header: 'USS', width: 9, align: 'right', priority: 85 }, unit: 'bytes',
    // Another user's USS is hidden (smaps needs root): such a process sorts by its RSS, which is known, so
    // the biggest come first for any user rather than sinking below every readable one.
    value: (p) => p.ussBytes, sort: (p) => p.ussBytes ?? p.rssBytes, descending: true, json: { key: 'ussBytes' },
    session: { column: { header: 'ΣUSS', width: 9, align: 'right', priority: 90 }, json: 'ussBytes',
      metric: { name: 'memory_uss_bytes', help: USS_HELP + ', summed over the members.' + OVERLAP } },
    metric: { name: 'memory_uss_bytes', help: USS_HELP + '.' + TOP_N },
    reads: ['smaps', 'status'] },
  { key: 'pss', column: { header: 'PSS', width: 9, align: 'right', priority: 70 }, unit: 'bytes',
    value: (p) => p.pssBytes, sort: (p) => p.pssBytes ?? p.rssBytes, descending: true, json: { key: 'pssBytes' },
    session: { column: { header: 'ΣPSS', width: 9, align: 'right', priority: 75 }, json: 'pssBytes',
      metric: { name: 'memory_pss_bytes', help: PSS_HELP + ', summed over the members (adds up across processes).' + OVERLAP } },
    metric: { name: 'memory_pss_bytes', help: PSS_HELP + '.' + TOP_N },
    reads: ['smaps', 'status'] },
  { key: 'rss', column: { header: 'RSS', width: 9, align: 'right', priority: 60 }, unit: 'bytes',
    value: (p) => p.rssBytes, sort: (p) => p.rssBytes, descending: true, json: { key: 'rssBytes' },
    session: { column: { header: 'ΣRSS*', width: 9, align: 'right', priority: 40 }, json: 'rssBytes',
      metric: { name: 'memory_rss_bytes', help: 'Resident set size summed over the members: shared pages count once per process (double counts; PSS adds up).' + OVERLAP } },
    metric: { name: 'memory_rss_bytes', help: 'Resident set size (Rss): shared pages included.' + TOP_N },
    reads: [] },
  { key: 'swap', column: null, unit: 'bytes', value: (p) => p.swapBytes, sort: null, descending: true, json: { key: 'swapBytes' },
    session: { column: null, json: 'swapBytes', metric: { name: 'memory_swap_bytes', help: 'Swapped-out memory (Swap), summed over the members.' + OVERLAP } },
    metric: { name: 'memory_swap_bytes', help: 'Swapped-out memory (Swap).' + TOP_N },
    reads: ['smaps', 'status'] },
  { key: 'growth', column: { header: 'Growth', width: 11, align: 'right', priority: 65 }, unit: 'bytesPerMin',
    value: (p) => p.growthBytesPerMin, sort: (p) => p.growthBytesPerMin, descending: true, json: { key: 'growthBytesPerMin', digits: 0 },
    session: { column: { header: 'Growth', width: 11, align: 'right', priority: 60 }, json: 'growthBytesPerMin', metric: null },
    // Steady growth (a good straight-line fit) is a leak worth a look: warn from 1 MiB/min, danger from 10.
    tone: (p) =>
      !p.growthSteady || p.growthBytesPerMin === null ? null : p.growthBytesPerMin >= 10 * MiB ? 'danger' : p.growthBytesPerMin >= MiB ? 'warn' : null,
    reads: ['smaps', 'status'] },
  { key: 'session', column: { header: 'Session', width: 14, align: 'left', priority: 45 }, unit: 'text',
    value: (p, ctx) => ctx.sessionLabelOf(p) ?? undefined, sort: null, descending: false, json: null, session: null, reads: [] },
  { key: 'read', column: { header: 'Read', width: 11, align: 'right', priority: 35 }, unit: 'bytesPerSec',
    value: (p) => p.readBytesPerSec, sort: (p) => p.readBytesPerSec, descending: true, json: { key: 'readBytesPerSec', digits: 0 },
    session: null, reads: ['io'] },
  { key: 'write', column: { header: 'Write', width: 11, align: 'right', priority: 36 }, unit: 'bytesPerSec',
    value: (p) => p.writeBytesPerSec, sort: (p) => p.writeBytesPerSec, descending: true, json: { key: 'writeBytesPerSec', digits: 0 },
    session: null, reads: ['io'] },
  // Cumulative counters since the process started (metrics, JSON). Sessions count them as counters: see lib/metrics.
  { key: 'cpuUser', column: null, unit: 'seconds', value: (p) => p.cpuUserSeconds, sort: null, descending: true, json: { key: 'cpuUserSeconds', digits: 2 },
    session: { column: null, json: null, metric: { name: 'cpu_seconds_total', type: 'counter', labels: { mode: 'user' }, help: SESSION_CPU_HELP } },
    metric: { name: 'cpu_seconds_total', type: 'counter', labels: { mode: 'user' }, help: PROCESS_CPU_HELP }, reads: [] },
  { key: 'cpuSystem', column: null, unit: 'seconds', value: (p) => p.cpuSystemSeconds, sort: null, descending: true, json: { key: 'cpuSystemSeconds', digits: 2 },
    session: { column: null, json: null, metric: { name: 'cpu_seconds_total', type: 'counter', labels: { mode: 'system' }, help: SESSION_CPU_HELP } },
    metric: { name: 'cpu_seconds_total', type: 'counter', labels: { mode: 'system' }, help: PROCESS_CPU_HELP }, reads: [] },
  { key: 'readTotal', column: null, unit: 'bytes', value: (p) => p.readBytesTotal, sort: null, descending: true, json: { key: 'readBytesTotal' },
    session: { column: null, json: null, metric: { name: 'read_bytes_total', type: 'counter', help: 'Bytes the members caused to be read from storage (io read_bytes), counted from when each member was first seen, exited members included.' + OVERLAP } },
    metric: { name: 'read_bytes_total', type: 'counter', help: 'Bytes the process caused to be read from storage since it started (io read_bytes).' + TOP_N }, reads: ['io'] },
  { key: 'writeTotal', column: null, unit: 'bytes', value: (p) => p.writeBytesTotal, sort: null, descending: true, json: { key: 'writeBytesTotal' },
    session: { column: null, json: null, metric: { name: 'write_bytes_total', type: 'counter', help: 'Bytes the members caused to be written to storage (io write_bytes), counted from when each member was first seen, exited members included.' + OVERLAP } },
    metric: { name: 'write_bytes_total', type: 'counter', help: 'Bytes the process caused to be written to storage since it started (io write_bytes).' + TOP_N }, reads: ['io'] },
  { key: 'system', column: null, unit: 'text', value: (p) => p.system, sort: null, descending: false, json: { key: 'system' }, session: null, reads: [] },
  { key: 'sessionIds', column: null, unit: 'text', value: (p, ctx) => ctx.sessionIdsOf(p), sort: null, descending: false,
    json: { key: 'sessionIds' }, session: null, reads: [] },
  // Extra fields (welcome in v1).
  { key: 'uid', column: null, unit: 'int', value: (p) => p.uid, sort: null, descending: false, json: { key: 'uid' }, session: null, reads: ['status'] },
  { key: 'kernelThread', column: null, unit: 'text', value: (p) => p.kernelThread, sort: null, descending: false, json: { key: 'kernelThread' }, session: null, reads: [] },
  { key: 'memorySource', column: null, unit: 'text', value: (p) => p.memorySource, sort: null, descending: false, json: { key: 'memorySource' }, session: null, reads: ['smaps'] },
  { key: 'memoryAgeMs', column: null, unit: 'int', value: (p) => p.memoryAgeMs, sort: null, descending: false, json: { key: 'memoryAgeMs', digits: 0 }, session: null, reads: ['smaps'] },
];

const BY_KEY = new Map(PROCESS_FIELDS.map((f) => [f.key, f]));

export function processField(key: string): ProcessField {
  const f = BY_KEY.get(key);
  if (!f) throw new Error(`no process field "${key}"`);
  return f;
}

/** The fields --sort and the `s` key cycle through, in table order. */
export const SORT_KEYS = PROCESS_FIELDS.filter((f) => f.sort !== null).map((f) => f.key);
export type SortKey = string;

export function isSortKey(s: string): boolean {
  return SORT_KEYS.includes(s);
}

/** Sort keys under which a process whose USS/PSS is hidden sorts by its RSS (headers say so). */
export const RSS_FALLBACK_SORTS: ReadonlySet<string> = new Set(['uss', 'pss']);

/** The fields of the process grid, in order. */
export const GRID_FIELDS = PROCESS_FIELDS.filter((f) => f.column !== null);

/** Fields summed over a session's members. */
export const SUMMED_FIELDS = PROCESS_FIELDS.filter((f) => f.session !== null);

/** The union of the native reads some fields need. */
export function readsOf(fields: readonly ProcessField[]): Set<string> {
  const out = new Set<string>();
  for (const f of fields) for (const r of f.reads) out.add(r);
  return out;
}

/** The value a process field has for a process, as JSON gives it (rounded where the field says). */
export function jsonValue(f: ProcessField, p: ProcessStat, ctx: Parameters<ProcessField['value']>[1]): unknown {
  const v = f.value(p, ctx);
  const d = f.json?.digits;
  if (d === undefined || typeof v !== 'number') return v;
  return Math.round(v * 10 ** d) / 10 ** d;
}
