// Build the addon's columnar RawSample from plain objects, for model tests (no /proc).
import { FLAG_KERNEL_THREAD, FLAG_SMAPS_FALLBACK, FLAG_SMAPS_READ, FLOAT64_COLUMNS, RawCgroup, RawHost, RawSample } from '../../lib/native';
import type { ProcessStat } from '../../lib/model/sampler';

export interface RawProc {
  pid: number;
  startTime?: number;
  ppid?: number;
  name?: string;
  cmdline?: string | null;
  state?: string;
  kernelThread?: boolean;
  smapsFallback?: boolean;
  /** smaps not read in this sample (left for a later tick by the smaps plan). */
  smapsNotRead?: boolean;
  utime?: number;
  stime?: number;
  threads?: number;
  uid?: number;
  statmResident?: number;
  readBytes?: number;
  writeBytes?: number;
  rss?: number;
  pss?: number;
  privateClean?: number;
  privateDirty?: number;
  swap?: number;
  vmSwap?: number;
  rssAnon?: number;
  rssShmem?: number;
  smapsReadMs?: number;
}

const DEFAULTS: Partial<Record<(typeof FLOAT64_COLUMNS)[number], number>> = { startTime: 1000, utime: 0, stime: 0 };

export function rawHost(over: Partial<RawHost> = {}): RawHost {
  return {
    cpuUser: 1000, cpuNice: 0, cpuSystem: 500, cpuIdle: 10000, cpuIowait: 0, cpuIrq: 0, cpuSoftirq: 0, cpuSteal: 0,
    bootTime: 1_700_000_000, cpuCount: 4, memTotal: 8 * 2 ** 30, memFree: 2 * 2 ** 30, memAvailable: 6 * 2 ** 30,
    buffers: 0, cached: 0, shmem: 0, swapTotal: 0, swapFree: 0, uptimeSec: 1000, clockTicks: 100, pageSize: 4096,
    ...over,
  };
}

export function rawCgroup(over: Partial<RawCgroup> = {}): RawCgroup {
  return {
    version: 2, path: '/pod', dir: '/sys/fs/cgroup/pod', memCurrent: NaN, memLimit: NaN, memHigh: NaN, anon: NaN,
    file: NaN, shmem: NaN, inactiveFile: NaN, oomKills: NaN, cpuQuotaCores: NaN, cpuUsageUsec: NaN, pidsCurrent: NaN,
    pidsMax: NaN, ...over,
  };
}

/** Unset numbers are NaN (unknown), as the addon reports them. */
export function rawSample(procs: RawProc[], host: RawHost | undefined = rawHost(), cgroup?: RawCgroup): RawSample {
  const n = procs.length;
  const s: Record<string, unknown> = {
    count: n,
    pid: Int32Array.from(procs, (p) => p.pid),
    ppid: Int32Array.from(procs, (p) => p.ppid ?? 1),
    pgrp: Int32Array.from(procs, (p) => p.pid),
    session: Int32Array.from(procs, (p) => p.pid),
    tty: Int32Array.from(procs, () => 0),
    state: Uint8Array.from(procs, (p) => (p.state ?? 'S').charCodeAt(0)),
    // Like a full sample: smaps read for every process with a memory map.
    flags: Uint8Array.from(
      procs,
      (p) =>
        (p.kernelThread ? FLAG_KERNEL_THREAD : 0) |
        (p.smapsFallback ? FLAG_SMAPS_FALLBACK : 0) |
        (p.kernelThread || p.state === 'Z' || p.smapsNotRead ? 0 : FLAG_SMAPS_READ),
    ),
    name: procs.map((p) => p.name ?? `proc${p.pid}`),
    cmdline: procs.map((p) => (p.cmdline === undefined ? `proc${p.pid} --run` : p.cmdline)),
    host,
    cgroup,
  };
  for (const c of FLOAT64_COLUMNS) {
    s[c] = Float64Array.from(procs, (p) => {
      const v = (p as unknown as Record<string, number | undefined>)[c];
      return v ?? DEFAULTS[c] ?? NaN;
    });
  }
  return s as unknown as RawSample;
}

/** A ProcessStat for view tests: everything unknown unless given. */
export function processStat(over: Partial<ProcessStat> & { pid: number }): ProcessStat {
  return {
    key: `${over.pid}:100`, ppid: 1, pgrp: over.pid, sid: over.pid, tty: 0, startTicks: 100, startTime: null, uid: 0,
    name: `p${over.pid}`, cmdline: `p${over.pid}`, state: 'S', threads: 1, kernelThread: false, cpuPercent: null,
    ussBytes: null, pssBytes: null, rssBytes: null, swapBytes: null, swapPssBytes: null, rssAnonBytes: null,
    rssFileBytes: null, rssShmemBytes: null, growthBytesPerMin: null, growthSteady: false, readBytesPerSec: null,
    writeBytesPerSec: null, cpuUserSeconds: 0, cpuSystemSeconds: 0, readBytesTotal: null, writeBytesTotal: null, memorySource: null, memoryAgeMs: null, memoryEstimated: false, memoryDenied: false, system: false, ...over,
  };
}
