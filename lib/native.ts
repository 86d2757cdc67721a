// Loads the C++ addon (a prebuild, else build/Release) and types what it returns.
// This file is the only door to /proc, /sys and signals: see docs/architecture.md.
import * as path from 'path';

/** Columnar result of one pass over /proc. NaN in a Float64Array means unknown. */
export interface RawSample {
  count: number;
  /**
   * How the pass went: its time, the smaps reads (time, count, planned ones left for a later pass),
   * how many processes were read through fds held from earlier passes, and how many had status read.
   * `rootErrno`: the process root could not be listed (errno of opendir; 0: it could). `fdErrors`: pid
   * directories left unread because no fd was left (EMFILE/ENFILE).
   */
  stats?: {
    walkMs: number;
    smapsMs: number;
    smapsRead: number;
    smapsSkipped: number;
    heldProcesses: number;
    statusRead: number;
    rootErrno: number;
    fdErrors: number;
  };
  pid: Int32Array;
  ppid: Int32Array;
  pgrp: Int32Array;
  session: Int32Array;
  tty: Int32Array;
  /** Char code of the state letter (R, S, D, Z, ...). */
  state: Uint8Array;
  /** Bit 0: kernel thread. Bit 1: smaps summed (no smaps_rollup). Bit 2: smaps read in this sample. */
  flags: Uint8Array;
  /** Clock ticks since boot. */
  startTime: Float64Array;
  utime: Float64Array;
  stime: Float64Array;
  threads: Float64Array;
  uid: Float64Array;
  vmSize: Float64Array;
  statmResident: Float64Array;
  statmShared: Float64Array;
  rssAnon: Float64Array;
  rssFile: Float64Array;
  rssShmem: Float64Array;
  vmSwap: Float64Array;
  readBytes: Float64Array;
  writeBytes: Float64Array;
  rchar: Float64Array;
  wchar: Float64Array;
  rss: Float64Array;
  pss: Float64Array;
  privateClean: Float64Array;
  privateDirty: Float64Array;
  swap: Float64Array;
  swapPss: Float64Array;
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

/** Host counters; NaN means unknown. */
export interface RawHost {
  cpuUser: number;
  cpuNice: number;
  cpuSystem: number;
  cpuIdle: number;
  cpuIowait: number;
  cpuIrq: number;
  cpuSoftirq: number;
  cpuSteal: number;
  bootTime: number;
  cpuCount: number;
  memTotal: number;
  memFree: number;
  memAvailable: number;
  buffers: number;
  cached: number;
  shmem: number;
  swapTotal: number;
  swapFree: number;
  uptimeSec: number;
  clockTicks: number;
  pageSize: number;
}

/** Own cgroup accounting; version 0 when none was found. NaN means unknown or unlimited. */
export interface RawCgroup {
  version: 0 | 1 | 2;
  path: string | null;
  dir: string | null;
  memCurrent: number;
  memLimit: number;
  memHigh: number;
  anon: number;
  file: number;
  shmem: number;
  inactiveFile: number;
  oomKills: number;
  cpuQuotaCores: number;
  cpuUsageUsec: number;
  pidsCurrent: number;
  pidsMax: number;
}

export interface ReaderOptions {
  procRoot?: string;
  cgroupRoot?: string;
  /**
   * How many file fds (stat, statm, status, io of processes seen before) the Reader may keep open
   * across samples to pread them; default half the fd limit. Processes beyond it are read by
   * opening their files each time. Only on procfs; 0 turns it off.
   */
  maxHeldFds?: number;
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
  /** With smapsPids: start no new smaps read after this many ms. */
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

interface Addon {
  Reader: new (options?: ReaderOptions) => Reader;
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
