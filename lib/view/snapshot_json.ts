// The `spmon.snapshot/v1` document (see docs/snapshot.schema.json). Every key
// is always present; unknown is null.
import type { ModelSnapshot, ProcessStat } from '../model/sampler';
import type { Session } from '../model/sessions';

export const SNAPSHOT_SCHEMA = 'spmon.snapshot/v1';

export interface HostIdentity {
  name: string | null;
  kernel: string | null;
}

export interface SnapshotJsonOptions {
  identity: HostIdentity;
  userName: (uid: number | null) => string | null;
  processes: readonly ProcessStat[];
  sessions: readonly Session[];
  sessionIdsOf: (p: ProcessStat) => string[];
}

const round = (v: number | null, digits = 2): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

export function snapshotJson(snap: ModelSnapshot, o: SnapshotJsonOptions) {
  const c = snap.cgroup;
  return {
    schema: SNAPSHOT_SCHEMA,
    time: new Date(snap.wallMs).toISOString(),
    intervalMs: snap.intervalMs === null ? null : Math.round(snap.intervalMs),
    host: {
      name: o.identity.name,
      kernel: o.identity.kernel,
      cpuCount: snap.host.cpuCount,
      memTotalBytes: snap.host.memTotalBytes,
      memAvailableBytes: snap.host.memAvailableBytes,
      uptimeSec: round(snap.host.uptimeSec),
    },
    cgroup: {
      version: c.version,
      path: c.path,
      memory: {
        currentBytes: c.memory.currentBytes,
        limitBytes: c.memory.limitBytes,
        highBytes: c.memory.highBytes,
        workingSetBytes: c.memory.workingSetBytes,
        anonBytes: c.memory.anonBytes,
        fileBytes: c.memory.fileBytes,
        shmemBytes: c.memory.shmemBytes,
        thresholdPercent: c.memory.thresholdPercent,
        oomKills: c.memory.oomKills,
      },
      cpu: { quotaCores: c.cpu.quotaCores, usagePercent: round(c.cpu.usagePercent) },
    },
    processes: o.processes.map((p) => ({
      pid: p.pid,
      ppid: p.ppid,
      startTime: p.startTime,
      user: o.userName(p.uid),
      name: p.name,
      cmdline: p.cmdline,
      state: p.state,
      threads: p.threads,
      cpuPercent: round(p.cpuPercent),
      ussBytes: p.ussBytes,
      pssBytes: p.pssBytes,
      rssBytes: p.rssBytes,
      swapBytes: p.swapBytes,
      growthBytesPerMin: round(p.growthBytesPerMin, 0),
      readBytesPerSec: round(p.readBytesPerSec, 0),
      writeBytesPerSec: round(p.writeBytesPerSec, 0),
      system: p.system,
      sessionIds: o.sessionIdsOf(p),
      // Extra fields (welcome in v1):
      uid: p.uid,
      kernelThread: p.kernelThread,
      memorySource: p.memorySource,
      memoryAgeMs: p.memoryAgeMs === null ? null : Math.round(p.memoryAgeMs),
    })),
    sessions: o.sessions.map((s) => ({
      id: s.id,
      kind: s.kind,
      name: s.name,
      pids: s.pids,
      ussBytes: s.ussBytes,
      pssBytes: s.pssBytes,
      rssBytes: s.rssBytes,
      cpuPercent: round(s.cpuPercent),
      agent: s.agent,
    })),
  };
}
