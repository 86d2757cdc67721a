// ProcessStat and ModelSnapshot as plain objects, for view and model tests.
import type { Frame } from '../../lib/engine/frame';
import type { CgroupStat, ModelSnapshot, ProcessStat } from '../../lib/model/sampler';
import { assembleSessions, Session, SessionProvider } from '../../lib/model/sessions';
import { buildTree } from '../../lib/model/tree';

export function proc(pid: number, over: Partial<ProcessStat> = {}): ProcessStat {
  const startTicks = over.startTicks ?? 1000 + pid;
  return {
    key: `${pid}:${startTicks}`,
    pid,
    ppid: 1,
    pgrp: pid,
    sid: pid,
    tty: 0,
    startTicks,
    startTime: 1_700_000_000_000 + pid,
    uid: 0,
    name: `proc${pid}`,
    cmdline: `/bin/proc${pid} --flag`,
    state: 'S',
    threads: 1,
    kernelThread: false,
    cpuPercent: 0,
    ussBytes: pid * 1024 * 1024,
    pssBytes: pid * 1024 * 1024,
    rssBytes: pid * 2 * 1024 * 1024,
    swapBytes: 0,
    swapPssBytes: 0,
    rssAnonBytes: null,
    rssFileBytes: null,
    rssShmemBytes: null,
    growthBytesPerMin: null,
    growthSteady: false,
    readBytesPerSec: 0,
    writeBytesPerSec: 0,
    cpuUserSeconds: pid / 100,
    cpuSystemSeconds: pid / 1000,
    readBytesTotal: pid * 4096,
    writeBytesTotal: pid * 512,
    memorySource: 'smaps_rollup',
    memoryAgeMs: 0,
    memoryEstimated: false,
    // A process given no USS stands for one whose smaps could not be read (another user's).
    memoryDenied: over.ussBytes === null,
    system: false,
    ...over,
    // key follows pid/startTicks unless given
    ...(over.key ? {} : { key: `${pid}:${startTicks}` }),
  };
}

export function cgroup(over: Partial<CgroupStat['memory']> = {}, cpu: Partial<CgroupStat['cpu']> = {}): CgroupStat {
  return {
    version: 2,
    path: '/pod',
    dir: null,
    memory: {
      currentBytes: 512 * 1024 * 1024,
      limitBytes: 1024 * 1024 * 1024,
      highBytes: null,
      workingSetBytes: 400 * 1024 * 1024,
      anonBytes: 300 * 1024 * 1024,
      fileBytes: 200 * 1024 * 1024,
      shmemBytes: 10 * 1024 * 1024,
      inactiveFileBytes: 112 * 1024 * 1024,
      thresholdPercent: 80,
      oomKills: 0,
      ...over,
    },
    cpu: { quotaCores: 2, usagePercent: 25, usageCores: 0.5, usageSeconds: 100, ...cpu },
    pids: { current: 3, max: null },
  };
}

/** A snapshot as the model makes it, and as the engine publishes it (a Frame: sessions, membership, user names). */
export type TestFrame = ModelSnapshot & Frame;

/**
 * A ModelSnapshot that is also a Frame: its sessions are the pod (all processes) and `sessions` (with
 * their membership worked out as the engine does); user names are `user<uid>`.
 */
export function snapshot(processes: ProcessStat[], over: Partial<ModelSnapshot> = {}, sessions: Session[] = []): TestFrame {
  const base = snapshotOnly(processes, over);
  return withSessions(base, sessions);
}

/** The frame of a snapshot with these sessions after the pod. */
export function withSessions(snap: ModelSnapshot, sessions: Session[]): TestFrame {
  const given: SessionProvider = { kind: 'tree', labelRank: 1, sessions: () => sessions };
  const pod: SessionProvider = { kind: 'pod', labelRank: 0, sessions: ({ snap: s }) => [{ id: 'pod', kind: 'pod', name: s.cgroup.path ?? 'host', members: s.processes, pids: s.processes.map((p) => p.pid), keys: s.processes.map((p) => p.key), agent: null, run: null, lastActivityMs: null }] };
  const { sessions: all, membership } = assembleSessions(snap, [pod, given], () => buildTree(snap.processes));
  return {
    ...snap,
    seq: 1,
    host: { ...snap.host, name: 'testhost', kernel: '6.1.0' },
    sessions: all,
    cost: { sampleMs: 1, lastTickCpuMs: 1.5 },
    sessionIdsOf: membership.idsOf,
    sessionLabelOf: membership.labelOf,
    userName: (u) => (u === null ? null : `user${u}`),
  };
}

function snapshotOnly(processes: ProcessStat[], over: Partial<ModelSnapshot> = {}): ModelSnapshot {
  return {
    wallMs: 1_700_000_100_000,
    intervalMs: 1000,
    host: {
      cpuCount: 4,
      memTotalBytes: 8 * 1024 ** 3,
      memAvailableBytes: 6 * 1024 ** 3,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      uptimeSec: 3600,
      bootTimeMs: 1_699_000_000_000,
      cpuPercent: 10,
      clockTicks: 100,
    },
    cgroup: cgroup(),
    processes,
    exited: [],
    detail: null,
    inspect: [],
    ...over,
  };
}
