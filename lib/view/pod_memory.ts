// What the pod memory gauge shows: the cgroup against its limit, else the host.
import type { ModelSnapshot, ProcessStat } from '../model/process_stat';

export interface PodMemory {
  usedBytes: number | null;
  limitBytes: number | null;
  /** Where the limit comes from: the cgroup's own, or host memory when there is none. */
  limitSource: 'cgroup' | 'host' | null;
  availableBytes: number | null;
  percent: number | null;
  thresholdPercent: number;
  level: 'ok' | 'warn' | 'danger' | 'unknown';
}

export function podMemory(snap: Pick<ModelSnapshot, 'cgroup' | 'host'>): PodMemory {
  const m = snap.cgroup.memory;
  const h = snap.host;
  const hostUsed = h.memTotalBytes !== null && h.memAvailableBytes !== null ? h.memTotalBytes - h.memAvailableBytes : null;
  const used = m.currentBytes ?? hostUsed;
  let limit: number | null = m.limitBytes;
  let source: PodMemory['limitSource'] = 'cgroup';
  if (limit === null || (h.memTotalBytes !== null && limit > h.memTotalBytes)) {
    limit = h.memTotalBytes;
    source = limit === null ? null : 'host';
  }
  const percent = used !== null && limit ? (used / limit) * 100 : null;
  let available: number | null = used !== null && limit !== null ? Math.max(0, limit - used) : null;
  if (source === 'host' && h.memAvailableBytes !== null) available = h.memAvailableBytes;
  const t = m.thresholdPercent;
  const level = percent === null ? 'unknown' : percent >= t ? 'danger' : percent >= t * 0.85 ? 'warn' : 'ok';
  return { usedBytes: used, limitBytes: limit, limitSource: source, availableBytes: available, percent, thresholdPercent: t, level };
}

/** Processes whose USS/PSS we could not read though they have a memory map. */
export function hiddenMemoryCount(snap: { processes: readonly ProcessStat[] }): number {
  let n = 0;
  const ps = snap.processes;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (p.ussBytes === null && p.memoryDenied && !p.kernelThread && p.state !== 'Z' && p.rssBytes !== null) n++;
  }
  return n;
}
