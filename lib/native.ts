// Loads the C++ addon (a prebuild, else build/Release) and types what it returns.
// This file is the only door to /proc, /sys and signals: see docs/architecture.md.
import * as path from 'path';

// The names of every column and field the addon returns, in its order. The types below
// are built from these lists, and test/native_fields.test.ts holds them to the addon's own
// tables (its `fields` export), so a column added on one side and not the other fails there.

/** Per-process columns held in an Int32Array each. */
export const INT32_COLUMNS = ['pid', 'ppid', 'pgrp', 'session', 'tty'] as const;
/**
 * Per-process columns held in a Uint8Array each. `state`: char code of the state letter (R, S, D, Z, ...).
 * `flags`: bit 0 kernel thread, bit 1 smaps summed (no smaps_rollup), bit 2 smaps read in this sample,
 * bit 3 status read in this sample (see the FLAG_ constants).
 */
export const UINT8_COLUMNS = ['state', 'flags'] as const;
/**
 * Per-process columns held in a Float64Array each; NaN means unknown. startTime, utime and stime are in
 * clock ticks (startTime since boot), the sizes in bytes; `smapsReadMs` is what reading this process's
 * smaps cost in this sample (NaN: not read), which the smaps budget learns from.
 */
export const FLOAT64_COLUMNS = [
  'startTime', 'utime', 'stime', 'threads', 'uid', 'vmSize', 'statmResident', 'statmShared', 'rssAnon', 'rssFile',
  'rssShmem', 'vmSwap', 'readBytes', 'writeBytes', 'rchar', 'wchar', 'rss', 'pss', 'privateClean', 'privateDirty',
  'swap', 'swapPss', 'smapsReadMs',
] as const;
/** Per-process columns held in a string array each; cmdline is null when unknown. */
export const STRING_COLUMNS = ['name', 'cmdline'] as const;
export const STATS_FIELDS = ['walkMs', 'smapsMs', 'smapsRead', 'smapsSkipped', 'heldProcesses', 'statusRead', 'quiet', 'statReused', 'listed', 'rootErrno', 'fdErrors', 'smapsWorkers'] as const;
export const HOST_FIELDS = [
  'cpuUser', 'cpuNice', 'cpuSystem', 'cpuIdle', 'cpuIowait', 'cpuIrq', 'cpuSoftirq', 'cpuSteal', 'bootTime', 'cpuCount',
  'memTotal', 'memFree', 'memAvailable', 'buffers', 'cached', 'shmem', 'swapTotal', 'swapFree', 'uptimeSec', 'clockTicks',
  'pageSize',
] as const;
export const CGROUP_FIELDS = [
  'version', 'path', 'dir', 'memCurrent', 'memLimit', 'memHigh', 'anon', 'file', 'shmem', 'inactiveFile', 'oomKills',
  'cpuQuotaCores', 'cpuUsageUsec', 'pidsCurrent', 'pidsMax',
] as const;
export const DETAIL_FIELDS = ['pid', 'cgroup', 'cwd', 'exe'] as const;
export const INSPECT_FIELDS = ['pid', 'cwd', 'files'] as const;

/** Every list above, by the name the addon exports it under (`fields`). */
export const NATIVE_FIELDS = {
  int32: INT32_COLUMNS,
  uint8: UINT8_COLUMNS,
  float64: FLOAT64_COLUMNS,
  string: STRING_COLUMNS,
  stats: STATS_FIELDS,
  host: HOST_FIELDS,
  cgroup: CGROUP_FIELDS,
  detail: DETAIL_FIELDS,
  inspect: INSPECT_FIELDS,
} as const;

type Columns<Names extends readonly string[], T> = { [K in Names[number]]: T };

/**
 * How the pass went: its time, the smaps reads (time, or -1 when read inline, not apart; count; planned
 * ones left for a later pass), how many processes were read through fds held from earlier passes, and how
 * many had status read. `rootErrno`: the process root could not be listed (errno of opendir; 0: it could).
 * `fdErrors`: pid directories left unread because no fd was left (EMFILE/ENFILE). `smapsWorkers`: threads
 * beside the caller's that read smaps in a pass that read every smaps (0: none, or not such a pass).
 * `quiet`: processes whose statm and io are the last reading (FLAG_QUIET); `statReused`: processes whose stat
 * is the last reading (FLAG_STAT_REUSED); `listed`: 1 when the process root was listed, 0 when no process had
 * been created since the last listing (the system's fork count had not moved) and its pids were read again.
 */
export type RawStats = Columns<typeof STATS_FIELDS, number>;

/** Columnar result of one pass over /proc: one typed array per numeric field, NaN = unknown. */
export interface RawSample
  extends Columns<typeof INT32_COLUMNS, Int32Array>,
    Columns<typeof UINT8_COLUMNS, Uint8Array>,
    Columns<typeof FLOAT64_COLUMNS, Float64Array> {
  count: number;
  stats?: RawStats;
  name: string[];
  cmdline: (string | null)[];
  host?: RawHost;
  cgroup?: RawCgroup;
  /** Present when `detailPid` was asked for. Null fields: unreadable or gone. */
  detail?: RawDetail;
  /** Present when `inspectPids` was asked for: one entry per pid asked. */
  inspect?: RawProcessFiles[];
}

/** A candidate agent process's cwd and open files (null: unreadable or gone). */
export interface RawProcessFiles {
  pid: number;
  cwd: string | null;
  files: string[] | null;
}

export interface RawDetail {
  pid: number;
  cgroup: string | null;
  cwd: string | null;
  exe: string | null;
}

export const FLAG_KERNEL_THREAD = 1;
export const FLAG_SMAPS_FALLBACK = 2;
/** smaps was read (or tried: it may have been unreadable) in this sample. */
export const FLAG_SMAPS_READ = 4;
/**
 * status was read in this sample. A long-lived Reader reads a quiet process's status only every
 * tenth sample or when its statm moved; otherwise its status fields are the last reading.
 */
export const FLAG_STATUS_READ = 8;
/** statm is the last reading: the process's stat showed no CPU time, faults or size change since the last pass (not at its tenth pass). */
export const FLAG_QUIET = 16;
/**
 * stat is the last reading: the process is single-threaded, was quiet in the last pass and its schedstat shows
 * neither run time nor a switch onto a CPU since that reading (schedstat is far cheaper for the kernel to make
 * than stat). Never at its tenth pass, nor when its parent or its session leader is not the live process it was.
 */
export const FLAG_STAT_REUSED = 32;
/**
 * io is the last reading: as statm (FLAG_QUIET), except that where the pass read the process's schedstat, that
 * decides: not run since the io reading, and io stands even at its tenth pass (only the process itself moves io);
 * run, and io is read though its stat showed nothing move.
 */
export const FLAG_IO_REUSED = 64;

/** Host counters; NaN means unknown. */
export type RawHost = Columns<typeof HOST_FIELDS, number>;

/** Own cgroup accounting; version 0 when none was found. NaN means unknown or unlimited. */
export interface RawCgroup extends Columns<Exclude<(typeof CGROUP_FIELDS)[number], 'version' | 'path' | 'dir'>[], number> {
  version: 0 | 1 | 2;
  path: string | null;
  dir: string | null;
}

export interface ReaderOptions {
  procRoot?: string;
  cgroupRoot?: string;
  /**
   * How many file fds (stat, statm, status, io and schedstat of processes seen before) the Reader may keep open
   * across samples to pread them; default half the fd limit. Processes beyond it are read by
   * opening their files each time. Only on procfs; 0 turns it off.
   */
  maxHeldFds?: number;
  /**
   * Threads beside the caller's that read smaps in a sample that reads every smaps (the first of an engine:
   * no smapsPids); default one fewer than the CPUs the process may run on, at most 3; 0: the caller alone;
   * at most 8.
   */
  smapsWorkers?: number;
}

export interface SampleOptions {
  processes?: boolean;
  statm?: boolean;
  status?: boolean;
  io?: boolean;
  smaps?: boolean;
  cmdline?: boolean;
  host?: boolean;
  cgroup?: boolean;
  /** Read smaps only for these pids, in this order of priority (the others get NaN there). */
  smapsPids?: Int32Array | number[];
  /** With smapsPids: what each read is expected to cost, ms, in the same order (missing: 0). */
  smapsCostMs?: Float64Array | number[];
  /**
   * With smapsPids: the time for the smaps reads, ms. A read starts only while the reads so far cost less
   * than this and its expected cost still fits; the first that does not ends the reading (strict order).
   * Which pids, their costs and this budget come from lib/model/smaps_budget.ts.
   */
  smapsBudgetMs?: number;
  /** Also read this process's cgroup, cwd and exe (the dashboard's selection). */
  detailPid?: number;
  /** Also read cwd and open files of these pids (candidate agent processes). */
  inspectPids?: number[];
}

export interface Reader {
  sample(options?: SampleOptions): RawSample;
}

export type SignalOutcome = 'sent' | 'gone' | 'denied' | 'refused' | 'error';

/** A process pinned by (pid, start time): a pidfd where the kernel has them. */
export interface ProcessHandle {
  readonly pid: number;
  readonly usesPidfd: boolean;
  signal(sig: number): SignalOutcome;
  exited(): boolean;
  close(): void;
}

/** waitpid(pid, WNOHANG) of one pid. */
export interface ReapResult {
  status: 'reaped' | 'running' | 'not-child' | 'error';
  exitCode: number | null;
  signal: number | null;
  errno: number;
}

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** A terminal's size; null where the terminal does not give it. */
export interface TerminalSize {
  columns: number | null;
  rows: number | null;
}

interface Addon {
  Reader: new (options?: ReaderOptions) => Reader;
  setChildSubreaper(): true | number;
  reapChild(pid: number): ReapResult;
  punchHole(fd: number, offset: number, length: number): number;
  peerCredentials(fd: number): PeerCredentials | null;
  processStartTicks(pid: number, procRoot?: string): number | null;
  cgroupPids(dir: string): Int32Array | null;
  /** Missing in an addon built before it. */
  terminalSize?(fd: number): TerminalSize | null;
  /** The names in the addon's conversion tables (native/addon.cc), by kind. */
  fields: { [K in keyof typeof NATIVE_FIELDS]: string[] };
  openProcess(
    pid: number,
    startTime: number,
    procRoot?: string,
  ): { status: 'open' | 'gone' | 'refused' | 'error' | 'denied'; handle: ProcessHandle | null };
}

let addon: Addon | null = null;

/** The package root: where binding.gyp and prebuilds/ live. */
export const packageRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

export function loadAddon(): Addon {
  if (addon) return addon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => Addon;
    addon = load(packageRoot);
  } catch (err) {
    const libc = process.env.LIBC ?? (isMusl() ? 'musl' : 'glibc');
    const msg =
      `spmon: no native addon for ${process.platform}-${process.arch} (${libc}) and none built from source.\n` +
      `Prebuilds ship for linux-x64 and linux-arm64, glibc 2.17+ and musl; a musl system without\n` +
      `/etc/alpine-release needs LIBC=musl. Elsewhere install a C++ toolchain (python3, make, g++)\n` +
      `and build it: cd ${JSON.stringify(packageRoot)} && npm run build:native\n(${(err as Error).message.split('\n')[0]})`;
    throw new Error(msg);
  }
  return addon;
}

function isMusl(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('fs').existsSync('/etc/alpine-release');
  } catch {
    return false;
  }
}

export function createReader(options: ReaderOptions = {}): Reader {
  return new (loadAddon().Reader)(options);
}

export function openProcess(pid: number, startTime: number, procRoot?: string) {
  return loadAddon().openProcess(pid, startTime, procRoot);
}

/** prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants come to this process. True, or the errno. */
export function setChildSubreaper(): true | number {
  return loadAddon().setChildSubreaper();
}

/** Reap exactly this child if it has exited (never waitpid(-1): Node reaps its own children). */
export function reapChild(pid: number): ReapResult {
  return loadAddon().reapChild(pid);
}

/** Free the disk blocks of [offset, offset + length) of an open file; 0, or the errno. */
export function punchHole(fd: number, offset: number, length: number): number {
  return loadAddon().punchHole(fd, offset, length);
}

/** Who is on the other end of a connected Unix socket (SO_PEERCRED); null when it cannot be told. */
export function peerCredentials(fd: number): PeerCredentials | null {
  return loadAddon().peerCredentials(fd);
}

/** A process's start time in clock ticks since boot (its identity with the pid); null when it is gone. */
export function processStartTicks(pid: number, procRoot?: string): number | null {
  return loadAddon().processStartTicks(pid, procRoot);
}

/** The pids charged to a cgroup directory and the cgroups below it; null when it has no readable cgroup.procs. */
export function cgroupPids(dir: string): Int32Array | null {
  return loadAddon().cgroupPids(dir);
}

/**
 * Whether `fd` is a terminal (null: it is not) and its size, without Node's terminal streams: making
 * process.stdout for a terminal loads Node's tty, net and stream modules (~10 ms), and the dashboard's
 * first frame is drawn before that (lib/ui/first_paint.ts).
 */
export function terminalSize(fd: number): TerminalSize | null {
  const a = loadAddon();
  if (typeof a.terminalSize === 'function') return a.terminalSize(fd);
  // An addon built before terminalSize (an old build/Release in a clone): ask Node, at the cost of its streams.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!(require('tty') as typeof import('tty')).isatty(fd)) return null;
  const stream = fd === 0 ? null : fd === 2 ? process.stderr : process.stdout;
  return { columns: stream?.columns || null, rows: stream?.rows || null };
}
