// The Sampler turns raw counters into the numbers users read: per-process CPU %,
// memory, I/O rates and growth, keyed by (pid, start time). Pure: no I/O.
// Over 300 lines: the derivations (CPU, memory with its smaps fallback, I/O, growth) are one pass over a
// sample, per process.
import { FLAG_KERNEL_THREAD, FLAG_SMAPS_FALLBACK, FLAG_SMAPS_READ, RawCgroup, RawHost, RawSample } from '../native';
import type { CgroupStat, HostStat, ModelSnapshot, ProcessHistory, ProcessStat } from './process_stat';

export type { CgroupStat, HostStat, ModelSnapshot, ProcessHistory, ProcessStat };
import { defaultGrowthOptions, Growth, growthOf, GrowthOptions } from './growth';
import { TimeSeries } from './series';
import type { SmapsCandidate } from './smaps_schedule';
import { defaultSystemProcesses, isSystemProcess } from './system_process';

export interface SamplerOptions {
  thresholdPercent?: number;
  systemProcesses?: readonly string[];
  growth?: Partial<GrowthOptions>;
  /** Points of history kept per process (default 150: the growth window at 0.5 s, and a sparkline). */
  historyPoints?: number;
}


/** The last smaps reading of a process, and its RssAnon/RssShmem then. */
interface SmapsReading {
  uss: number;
  pss: number | null;
  swap: number | null;
  swapPss: number | null;
  anon: number | null;
  shmem: number | null;
  atMs: number;
  source: 'smaps_rollup' | 'smaps';
  /** utime + stime when it was read, clock ticks: a process that has not run since cannot have moved its own memory. */
  cpuTicks: number;
}

interface Track {
  /** `${pid}:${startTicks}`, made once: every tick's ProcessStat shares this string. */
  key: string;
  pid: number;
  startTicks: number;
  /**
   * The name and cmdline as last seen, and isSystemProcess of them. The reader makes new strings every
   * sample; while they say the same, ProcessStat keeps these, so the new ones die young (a collector
   * copies what survives: a thousand strings per tick add up) and the test is not run again.
   */
  name: string;
  cmdline: string | null;
  system: boolean;
  smaps: SmapsReading | null;
  /** The last attempt found smaps unreadable; when it was, ms. */
  smapsDeniedAtMs: number | null;
  /** Tick of the last smaps attempt. */
  smapsTick: number;
  utime: number;
  stime: number;
  readBytes: number;
  writeBytes: number;
  history: ProcessHistory;
  seen: number;
  /** The process's ProcessStat, updated in place each sample. */
  last: ProcessStat;
  /** Its smaps candidate record (smapsCandidates), made on first use. */
  candidate: SmapsCandidate | null;
  growth: Growth | null;
}

const known = (v: number): number | null => (Number.isNaN(v) ? null : v);

export function processKey(pid: number, startTicks: number): string {
  return `${pid}:${startTicks}`;
}

/** What memoryOf works out for one process; one object per Sampler, overwritten for each process. */
interface MemoryOf {
  uss: number | null;
  pss: number | null;
  swap: number | null;
  swapPss: number | null;
  source: 'smaps_rollup' | 'smaps' | null;
  ageMs: number | null;
  estimated: boolean;
  /** smaps was read in this sample (fresh, or found unreadable). */
  fresh: boolean;
  /** The last smaps read failed (another user's, protected) and no reading is held. */
  denied: boolean;
  /** The reading behind the values (the new one when fresh), or null. */
  reading: SmapsReading | null;
}

/** A ProcessStat with its identity and every field present (one shape for all), to be filled in. */
function newProcessStat(key: string, pid: number, startTicks: number): ProcessStat {
  return {
    key, pid, ppid: 0, pgrp: 0, sid: 0, tty: 0, startTicks, startTime: null, uid: null, name: '', cmdline: null, state: '?',
    threads: null, kernelThread: false, cpuPercent: null, ussBytes: null, pssBytes: null, rssBytes: null, swapBytes: null,
    swapPssBytes: null, rssAnonBytes: null, rssFileBytes: null, rssShmemBytes: null, growthBytesPerMin: null, growthSteady: false,
    readBytesPerSec: null, writeBytesPerSec: null, cpuUserSeconds: 0, cpuSystemSeconds: 0, readBytesTotal: null, writeBytesTotal: null, memorySource: null, memoryAgeMs: null, memoryEstimated: false, memoryDenied: false, system: false,
  };
}

export class Sampler {
  /** Live processes by key, in the order they were first seen. */
  private readonly tracks = new Map<string, Track>();
  /** The same tracks by pid, so a tick finds a process without making its key string. */
  private readonly byPid = new Map<number, Track>();
  private readonly mem: MemoryOf = { uss: null, pss: null, swap: null, swapPss: null, source: null, ageMs: null, estimated: false, fresh: false, denied: false, reading: null };
  private prevMono: number | null = null;
  private prevHost: RawHost | null = null;
  private prevCgroupUsage: number | null = null;
  private tick = 0;
  private readonly growthOpts: GrowthOptions;
  private readonly thresholdPercent: number;
  private readonly systemProcesses: readonly string[];
  private readonly historyPoints: number;

  constructor(opts: SamplerOptions = {}) {
    this.growthOpts = { ...defaultGrowthOptions, ...opts.growth };
    this.thresholdPercent = opts.thresholdPercent ?? 80;
    this.systemProcesses = opts.systemProcesses ?? defaultSystemProcesses;
    this.historyPoints = opts.historyPoints ?? 150;
  }

  /** History of one process (USS bytes, CPU %), or undefined once it is gone. */
  history(key: string): ProcessHistory | undefined {
    return this.tracks.get(key)?.history;
  }

  /**
   * Feed one raw sample. `monoMs` is a monotonic clock reading taken with it
   * (rates use it), `wallMs` the wall clock.
   */
  ingest(raw: RawSample, monoMs: number, wallMs: number): ModelSnapshot {
    this.tick++;
    const elapsedMs = this.prevMono === null ? null : monoMs - this.prevMono;
    const elapsedSec = elapsedMs !== null && elapsedMs > 0 ? elapsedMs / 1000 : null;
    const host = raw.host;
    const ticks = host && host.clockTicks > 0 ? host.clockTicks : 100;
    const bootMs = host && !Number.isNaN(host.bootTime) ? host.bootTime * 1000 : null;
    const processes: ProcessStat[] = new Array(raw.count);

    for (let i = 0; i < raw.count; i++) {
      const pid = raw.pid[i];
      const startTicks = raw.startTime[i];
      let prev = this.byPid.get(pid);
      let key: string;
      if (prev !== undefined && prev.startTicks === startTicks) key = prev.key;
      else {
        // New, or a reused pid (a new process: the old one's track stays until the exit sweep below).
        key = processKey(pid, startTicks);
        prev = this.tracks.get(key);
      }
      const kernelThread = (raw.flags[i] & FLAG_KERNEL_THREAD) !== 0;
      const utime = raw.utime[i];
      const stime = raw.stime[i];
      const rb = raw.readBytes[i];
      const wb = raw.writeBytes[i];

      let cpuPercent: number | null = null;
      let readRate: number | null = null;
      let writeRate: number | null = null;
      if (prev && elapsedSec !== null) {
        const dt = utime + stime - prev.utime - prev.stime;
        if (dt >= 0) cpuPercent = (dt / ticks / elapsedSec) * 100;
        if (!Number.isNaN(rb) && !Number.isNaN(prev.readBytes) && rb >= prev.readBytes)
          readRate = (rb - prev.readBytes) / elapsedSec;
        if (!Number.isNaN(wb) && !Number.isNaN(prev.writeBytes) && wb >= prev.writeBytes)
          writeRate = (wb - prev.writeBytes) / elapsedSec;
      }

      const mem = this.memoryOf(raw, i, prev, wallMs);
      const uss = mem.uss;
      const smapsRss = mem.fresh ? known(raw.rss[i]) : null;
      const rss = smapsRss ?? known(raw.statmResident[i]);
      let cmdline = raw.cmdline[i];
      let name = raw.name[i];
      let system: boolean;
      if (prev !== undefined && prev.name === name && prev.cmdline === cmdline) {
        name = prev.name;
        cmdline = prev.cmdline;
        system = prev.system;
      } else {
        system = isSystemProcess(name, cmdline, this.systemProcesses);
        if (prev !== undefined) {
          prev.name = name;
          prev.cmdline = cmdline;
          prev.system = system;
        }
      }
      // A process seen before keeps its ProcessStat: it is updated in place (see ModelSnapshot).
      const stat = prev !== undefined ? prev.last : newProcessStat(key, pid, startTicks);
      stat.ppid = raw.ppid[i];
      stat.pgrp = raw.pgrp[i];
      stat.sid = raw.session[i];
      stat.tty = raw.tty[i];
      const startTime = bootMs === null ? null : Math.round(bootMs + (startTicks / ticks) * 1000);
      if (stat.startTime !== startTime) stat.startTime = startTime;
      stat.uid = known(raw.uid[i]);
      stat.name = name;
      stat.cmdline = cmdline === '' ? null : cmdline;
      stat.state = String.fromCharCode(raw.state[i]);
      stat.threads = known(raw.threads[i]);
      stat.kernelThread = kernelThread;
      // A number that is not a small integer (a start time in ms, CPU seconds, a size over 1 GiB) is stored in a
      // fresh heap box each time, and a box stored into a long-lived ProcessStat survives the next scavenge: so
      // what has not changed (most of it, for most processes) is not stored again.
      if (stat.cpuPercent !== cpuPercent) stat.cpuPercent = cpuPercent;
      if (stat.ussBytes !== uss) stat.ussBytes = uss;
      if (stat.pssBytes !== mem.pss) stat.pssBytes = mem.pss;
      const rssBytes = kernelThread ? null : rss;
      if (stat.rssBytes !== rssBytes) stat.rssBytes = rssBytes;
      const swapBytes = mem.swap ?? known(raw.vmSwap[i]);
      if (stat.swapBytes !== swapBytes) stat.swapBytes = swapBytes;
      if (stat.swapPssBytes !== mem.swapPss) stat.swapPssBytes = mem.swapPss;
      const rssAnon = known(raw.rssAnon[i]);
      if (stat.rssAnonBytes !== rssAnon) stat.rssAnonBytes = rssAnon;
      const rssFile = known(raw.rssFile[i]);
      if (stat.rssFileBytes !== rssFile) stat.rssFileBytes = rssFile;
      const rssShmem = known(raw.rssShmem[i]);
      if (stat.rssShmemBytes !== rssShmem) stat.rssShmemBytes = rssShmem;
      stat.growthBytesPerMin = null;
      stat.growthSteady = false;
      if (stat.readBytesPerSec !== readRate) stat.readBytesPerSec = readRate;
      if (stat.writeBytesPerSec !== writeRate) stat.writeBytesPerSec = writeRate;
      const userSeconds = utime / ticks;
      if (stat.cpuUserSeconds !== userSeconds) stat.cpuUserSeconds = userSeconds;
      const systemSeconds = stime / ticks;
      if (stat.cpuSystemSeconds !== systemSeconds) stat.cpuSystemSeconds = systemSeconds;
      const readTotal = known(rb);
      if (stat.readBytesTotal !== readTotal) stat.readBytesTotal = readTotal;
      const writeTotal = known(wb);
      if (stat.writeBytesTotal !== writeTotal) stat.writeBytesTotal = writeTotal;
      stat.memorySource = mem.source;
      stat.memoryAgeMs = mem.ageMs;
      stat.memoryEstimated = mem.estimated;
      stat.memoryDenied = mem.denied;
      stat.system = system;

      let track = prev;
      if (!track) {
        track = {
          key,
          pid,
          startTicks,
          name,
          cmdline,
          system,
          smaps: null,
          smapsDeniedAtMs: null,
          smapsTick: 0,
          utime,
          stime,
          readBytes: rb,
          writeBytes: wb,
          history: { uss: new TimeSeries(this.historyPoints, 'single'), cpu: new TimeSeries(this.historyPoints, 'single') },
          seen: this.tick,
          last: stat,
          candidate: null,
          growth: null,
        };
        this.tracks.set(key, track);
      }
      this.byPid.set(pid, track);
      if ((raw.flags[i] & FLAG_SMAPS_READ) !== 0) {
        track.smapsTick = this.tick;
        track.smaps = mem.reading;
        track.smapsDeniedAtMs = mem.reading ? null : wallMs;
      }
      track.utime = utime;
      track.stime = stime;
      track.readBytes = rb;
      track.writeBytes = wb;
      track.seen = this.tick;
      track.last = stat;
      track.history.uss.push(wallMs, uss ?? NaN);
      track.history.cpu.push(wallMs, cpuPercent ?? NaN);
      if (uss !== null) {
        const g = growthOf(track.history.uss, wallMs, this.growthOpts);
        stat.growthBytesPerMin = g ? g.perMinute : null;
        stat.growthSteady = g !== null && g.perMinute > 0 && g.r2 >= 0.8;
      }
      processes[i] = stat;
    }

    const exited: ProcessStat[] = [];
    // forEach, not for-of: without the optimizing compiler (the dashboard and the daemon run with --no-opt) a
    // for-of over a Map allocates an entry and an iterator result per process per tick. Deleting the entry
    // being visited is allowed in both.
    this.tracks.forEach((t, key) => {
      if (t.seen !== this.tick) {
        exited.push(t.last);
        this.tracks.delete(key);
        // Its pid may belong to a newer process by now.
        if (this.byPid.get(t.pid) === t) this.byPid.delete(t.pid);
      }
    });

    const hostStat = this.hostStat(host, elapsedSec, bootMs);
    const cgroupStat = this.cgroupStat(raw.cgroup, elapsedSec, hostStat.cpuCount);
    this.prevMono = monoMs;
    if (host) this.prevHost = host;
    return { wallMs, intervalMs: elapsedMs, host: hostStat, cgroup: cgroupStat, processes, exited, detail: raw.detail ?? null, inspect: raw.inspect ?? [] };
  }

  /**
   * USS/PSS/swap of process i: fresh when smaps was read in this sample, else the
   * last reading moved by the RssAnon (USS, PSS) and RssShmem (PSS) change since.
   */
  private memoryOf(raw: RawSample, i: number, prev: Track | undefined, wallMs: number): MemoryOf {
    const m = this.mem;
    const anon = known(raw.rssAnon[i]);
    const shmem = known(raw.rssShmem[i]);
    const source: 'smaps_rollup' | 'smaps' = (raw.flags[i] & FLAG_SMAPS_FALLBACK) !== 0 ? 'smaps' : 'smaps_rollup';
    if ((raw.flags[i] & FLAG_SMAPS_READ) !== 0) {
      const pc = raw.privateClean[i];
      const pd = raw.privateDirty[i];
      const uss = Number.isNaN(pc) || Number.isNaN(pd) ? null : pc + pd;
      const reading: SmapsReading | null =
        uss === null ? null : { uss, pss: known(raw.pss[i]), swap: known(raw.swap[i]), swapPss: known(raw.swapPss[i]), anon, shmem, atMs: wallMs, source, cpuTicks: raw.utime[i] + raw.stime[i] };
      m.uss = uss;
      m.pss = reading?.pss ?? null;
      m.swap = reading?.swap ?? null;
      m.swapPss = reading?.swapPss ?? null;
      m.source = reading ? source : null;
      m.ageMs = reading ? 0 : null;
      m.estimated = false;
      m.fresh = true;
      m.denied = reading === null;
      m.reading = reading;
      return m;
    }
    const r = prev?.smaps;
    if (!r) {
      m.uss = m.pss = m.swap = m.swapPss = m.ageMs = m.source = m.reading = null;
      m.estimated = m.fresh = false;
      // Never read yet (a newcomer waiting for its turn in the smaps plan) is pending, not denied.
      m.denied = prev !== undefined && prev.smapsDeniedAtMs !== null;
      return m;
    }
    const dAnon = anon !== null && r.anon !== null ? anon - r.anon : 0;
    const dShmem = shmem !== null && r.shmem !== null ? shmem - r.shmem : 0;
    m.uss = Math.max(0, r.uss + dAnon);
    m.pss = r.pss === null ? null : Math.max(0, r.pss + dAnon + dShmem);
    m.swap = r.swap;
    m.swapPss = r.swapPss;
    m.source = r.source;
    m.ageMs = wallMs - r.atMs;
    m.estimated = true;
    m.fresh = false;
    m.denied = false;
    m.reading = r;
    return m;
  }

  /** Whether any process has been sampled yet (the first sample reads every smaps). */
  get hasHistory(): boolean {
    return this.tracks.size > 0;
  }

  /**
   * Every live process with a memory map, as the smaps scheduler sees it. Each process has one
   * candidate record, which the next call updates: use them before the next call.
   */
  smapsCandidates(nowMs: number): SmapsCandidate[] {
    const out: SmapsCandidate[] = [];
    // forEach for the reason given in ingest().
    this.tracks.forEach((t) => {
      const p = t.last;
      if (p.kernelThread || p.state === 'Z') return;
      const r = t.smaps;
      const moved = r
        ? Math.abs((p.rssAnonBytes ?? 0) - (r.anon ?? p.rssAnonBytes ?? 0)) + Math.abs((p.rssShmemBytes ?? 0) - (r.shmem ?? p.rssShmemBytes ?? 0))
        : 0;
      const c = t.candidate ?? (t.candidate = { pid: p.pid, key: p.key, ageMs: null, denied: false, movedBytes: 0, sizeBytes: 0, readLastTick: false, ran: true });
      c.ageMs = r ? nowMs - r.atMs : t.smapsDeniedAtMs !== null ? nowMs - t.smapsDeniedAtMs : null;
      c.denied = r === null && t.smapsDeniedAtMs !== null;
      c.movedBytes = moved;
      c.sizeBytes = p.rssBytes ?? 0;
      c.readLastTick = t.smapsTick === this.tick;
      c.ran = r === null || t.utime + t.stime !== r.cpuTicks;
      out.push(c);
    });
    return out;
  }

  private hostStat(host: RawHost | undefined, elapsedSec: number | null, bootMs: number | null): HostStat {
    let cpuPercent: number | null = null;
    if (host && this.prevHost && elapsedSec !== null) {
      const busy = (h: RawHost) => h.cpuUser + h.cpuNice + h.cpuSystem + h.cpuIrq + h.cpuSoftirq + h.cpuSteal;
      const total = (h: RawHost) => busy(h) + h.cpuIdle + h.cpuIowait;
      const dTotal = total(host) - total(this.prevHost);
      const dBusy = busy(host) - busy(this.prevHost);
      if (dTotal > 0 && dBusy >= 0) cpuPercent = (dBusy / dTotal) * 100;
    }
    return {
      cpuCount: host?.cpuCount ?? 1,
      memTotalBytes: host ? known(host.memTotal) : null,
      memAvailableBytes: host ? known(host.memAvailable) : null,
      swapTotalBytes: host ? known(host.swapTotal) : null,
      swapFreeBytes: host ? known(host.swapFree) : null,
      uptimeSec: host ? known(host.uptimeSec) : null,
      bootTimeMs: bootMs,
      cpuPercent,
      clockTicks: host?.clockTicks ?? 100,
    };
  }

  private cgroupStat(cg: RawCgroup | undefined, elapsedSec: number | null, cpuCount: number): CgroupStat {
    const version = cg && (cg.version === 1 || cg.version === 2) ? cg.version : null;
    const v = (x: number | undefined) => (x === undefined || version === null ? null : known(x));
    const current = v(cg?.memCurrent);
    const inactive = v(cg?.inactiveFile);
    const quota = v(cg?.cpuQuotaCores);
    const usage = v(cg?.cpuUsageUsec);
    let usageCores: number | null = null;
    if (usage !== null && this.prevCgroupUsage !== null && elapsedSec !== null && usage >= this.prevCgroupUsage)
      usageCores = (usage - this.prevCgroupUsage) / 1e6 / elapsedSec;
    this.prevCgroupUsage = usage;
    const capacity = quota ?? cpuCount;
    return {
      version,
      path: version === null ? null : (cg?.path ?? null),
      dir: version === null ? null : (cg?.dir ?? null),
      memory: {
        currentBytes: current,
        limitBytes: v(cg?.memLimit),
        highBytes: v(cg?.memHigh),
        // current minus inactive file; unknown when either is (unknown is not zero).
        workingSetBytes: current === null || inactive === null ? null : Math.max(0, current - inactive),
        anonBytes: v(cg?.anon),
        fileBytes: v(cg?.file),
        shmemBytes: v(cg?.shmem),
        inactiveFileBytes: inactive,
        thresholdPercent: this.thresholdPercent,
        oomKills: v(cg?.oomKills),
      },
      cpu: {
        quotaCores: quota,
        usagePercent: usageCores === null || capacity <= 0 ? null : (usageCores / capacity) * 100,
        usageCores,
        usageSeconds: usage === null ? null : usage / 1e6,
      },
      pids: { current: v(cg?.pidsCurrent), max: v(cg?.pidsMax) },
    };
  }
}
