// The numbers users read, as the Sampler makes them: one process, the host, the cgroup, one sample.
// Types only: what every layer above the model reads.
import type { RawDetail, RawProcessFiles } from '../native';
import type { TimeSeries } from './series';

/** One process as users read it. Unknown is null, never 0. */
export interface ProcessStat {
  /** `${pid}:${startTicks}`: a reused pid is a new key. */
  key: string;
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  tty: number;
  /** Start, clock ticks since boot (identity). */
  startTicks: number;
  /** Start, ms since the epoch. */
  startTime: number | null;
  uid: number | null;
  name: string;
  cmdline: string | null;
  state: string;
  threads: number | null;
  kernelThread: boolean;
  cpuPercent: number | null;
  ussBytes: number | null;
  pssBytes: number | null;
  rssBytes: number | null;
  swapBytes: number | null;
  swapPssBytes: number | null;
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
  growthBytesPerMin: number | null;
  /** The growth fits a straight line well (r² ≥ 0.8) and is positive. */
  growthSteady: boolean;
  readBytesPerSec: number | null;
  writeBytesPerSec: number | null;
  /** CPU time since the process started, in user and kernel mode, seconds (utime, stime: cumulative). */
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Bytes the process caused to be read from and written to storage since it started (io read_bytes, write_bytes); null when io was not read. */
  readBytesTotal: number | null;
  writeBytesTotal: number | null;
  /** Where USS/PSS came from: smaps_rollup, summed smaps, or nowhere. */
  memorySource: 'smaps_rollup' | 'smaps' | null;
  /** Age of the smaps reading behind USS/PSS, ms (0: read this tick); null when there is none. */
  memoryAgeMs: number | null;
  /** USS/PSS were not read this tick: the last reading moved by the RssAnon/RssShmem change since. */
  memoryEstimated: boolean;
  /** USS/PSS could not be read (the last smaps read failed: another user's process, or protected); false while not read yet. */
  memoryDenied: boolean;
  system: boolean;
}

export interface HostStat {
  cpuCount: number;
  memTotalBytes: number | null;
  memAvailableBytes: number | null;
  swapTotalBytes: number | null;
  swapFreeBytes: number | null;
  uptimeSec: number | null;
  bootTimeMs: number | null;
  /** Busy share of all cores, 0..100, over the interval. */
  cpuPercent: number | null;
  clockTicks: number;
}

export interface CgroupStat {
  version: 1 | 2 | null;
  path: string | null;
  /** Its directory (v1: in the memory hierarchy), where cgroup.procs lists what it is charged for. */
  dir: string | null;
  memory: {
    currentBytes: number | null;
    limitBytes: number | null;
    highBytes: number | null;
    workingSetBytes: number | null;
    anonBytes: number | null;
    fileBytes: number | null;
    shmemBytes: number | null;
    inactiveFileBytes: number | null;
    thresholdPercent: number;
    oomKills: number | null;
  };
  cpu: {
    quotaCores: number | null;
    /** Usage against the quota (or all cores), 0..100, over the interval. */
    usagePercent: number | null;
    usageCores: number | null;
    /** The cgroup's CPU time since it was made, seconds (cpu.stat usage_usec, cpuacct.usage): cumulative. */
    usageSeconds: number | null;
  };
  pids: { current: number | null; max: number | null };
}

export interface ModelSnapshot {
  /** When the sample was taken, ms since the epoch. */
  wallMs: number;
  /** Time since the previous sample, ms; null for the first. */
  intervalMs: number | null;
  host: HostStat;
  cgroup: CgroupStat;
  /**
   * The live processes. A process keeps one ProcessStat for as long as it lives: the Sampler's next
   * ingest updates it in place (at 1,000 processes, making them anew every tick was about a quarter of the
   * dashboard's allocation and most of what its garbage collector copied). Copy one (`{ ...p }`) to
   * keep the values it has now.
   */
  processes: ProcessStat[];
  /** Processes that were in the previous sample and are not in this one: their last ProcessStat, no longer updated. */
  exited: ProcessStat[];
  /** Details of the one process asked for with `detailPid`, passed through. */
  detail: RawDetail | null;
  /** cwd and open files of the processes asked for with `inspectPids`, passed through. */
  inspect: RawProcessFiles[];
}

export interface ProcessHistory {
  uss: TimeSeries;
  cpu: TimeSeries;
}
