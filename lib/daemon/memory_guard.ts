// The memory guard (opt-in: `spmon daemon --memory-guard warn|terminate`): when the pod's memory (its
// cgroup's usage against the cgroup's own limit) stays at or above the threshold for a few samples, it
// picks, among the processes charged to that cgroup only, the biggest by USS that may be ended — not a
// system process, not spmon or its ancestors, not PID 1 — counting a supervised session as one (its ΣUSS),
// and ends it with the two-stage policy before the kernel's OOM killer ends the pod (`terminate`), or only
// says what it would end (`warn`). At most one action per grace period; every decision, with the numbers
// it was based on, goes to the event history.
import type { Frame } from '../engine/frame';
import type { Engine } from '../engine/engine';
import { sessionTotals } from '../fields/session_fields';
import type { ProcessStat } from '../model/process_stat';
import { refusalOf } from '../model/protection';
import { cgroupPids } from '../native';
import { podMemory } from '../view/pod_memory';
import type { EventLog } from './events';
import type { Supervisor } from './supervisor';

/** Samples in a row at or above the threshold before the guard acts. */
export const GUARD_SAMPLES = 3;

export interface GuardCandidate {
  /** `run:<name>` for a supervised session, `pid <n>` for a process. */
  target: string;
  ussBytes: number;
  /** The process, or the run session's leader. */
  pid: number;
  startTicks: number;
  name: string;
  runId: string | null;
}

/**
 * What the guard would end in this frame: the biggest eligible process or run session charged to `charged`
 * (pids in the cgroup), or null. Pure (the frame and the pid set are given).
 */
export function pickVictim(frame: Pick<Frame, 'processes' | 'sessions'>, charged: ReadonlySet<number>, guard: { selfPid: number; ancestors: ReadonlySet<number> }): GuardCandidate | null {
  const eligible = (p: ProcessStat) =>
    charged.has(p.pid) && !p.system && !p.kernelThread && p.state !== 'Z' && p.ussBytes !== null && refusalOf(p, guard) === null;
  const cands: GuardCandidate[] = [];
  const inRun = new Set<string>();
  for (const s of frame.sessions) {
    if (s.kind !== 'run' || !s.run || s.run.pid === null || s.run.startTicks === null) continue;
    const members = s.members.filter(eligible);
    for (const m of s.members) inRun.add(m.key);
    // A run with a protected or system member is not ended whole: its eligible processes compete alone.
    if (members.length !== s.members.length || members.length === 0) {
      for (const m of s.members) inRun.delete(m.key);
      continue;
    }
    const uss = sessionTotals(s).ussBytes ?? 0;
    cands.push({ target: s.id, ussBytes: uss, pid: s.run.pid, startTicks: s.run.startTicks, name: s.name, runId: s.id });
  }
  for (const p of frame.processes) {
    if (inRun.has(p.key) || !eligible(p)) continue;
    cands.push({ target: `pid ${p.pid}`, ussBytes: p.ussBytes!, pid: p.pid, startTicks: p.startTicks, name: p.name, runId: null });
  }
  cands.sort((a, b) => b.ussBytes - a.ussBytes || a.pid - b.pid);
  return cands[0] ?? null;
}

export class MemoryGuard {
  private above = 0;
  private lastActionMs = -Infinity;
  private saidIdle = false;

  constructor(
    private readonly mode: 'warn' | 'terminate',
    private readonly engine: Engine,
    private readonly supervisor: Supervisor,
    private readonly events: EventLog,
    private readonly graceSec: number,
    private readonly log: (m: string) => void,
  ) {}

  onFrame(frame: Frame): void {
    const pm = podMemory(frame);
    // Only the cgroup's own limit counts: against host memory there is no pod to save.
    if (pm.limitSource !== 'cgroup' || pm.percent === null || pm.usedBytes === null || pm.limitBytes === null) {
      this.above = 0;
      if (pm.limitSource !== 'cgroup' && !this.saidIdle) {
        // Said once, so a user who turned the guard on is not left thinking it watches.
        this.saidIdle = true;
        const why = 'no cgroup memory limit: there is no pod limit to guard';
        this.log(`memory guard (${this.mode}): idle, ${why}`);
        this.events.add('memory-guard-idle', null, { reason: why, outcome: 'idle', details: { mode: this.mode } });
      }
      return;
    }
    this.saidIdle = false;
    if (pm.percent < pm.thresholdPercent) {
      this.above = 0;
      return;
    }
    this.above++;
    const now = Date.now();
    if (this.above < GUARD_SAMPLES || now - this.lastActionMs < this.graceSec * 1000) return;
    const numbers = {
      usageBytes: pm.usedBytes,
      limitBytes: pm.limitBytes,
      percent: Math.round(pm.percent * 10) / 10,
      thresholdPercent: pm.thresholdPercent,
      samplesAbove: this.above,
      oomKills: frame.cgroup.memory.oomKills,
    };
    const dir = frame.cgroup.dir;
    const pids = dir ? cgroupPids(dir) : null;
    this.lastActionMs = now;
    if (!pids) {
      this.events.add('memory-guard', null, { reason: `pod memory ${numbers.percent} % of its limit`, outcome: 'nothing picked: the cgroup\'s processes cannot be listed', details: numbers });
      return;
    }
    const victim = pickVictim(frame, new Set(pids), this.engine.guard);
    if (!victim) {
      this.events.add('memory-guard', null, { reason: `pod memory ${numbers.percent} % of its limit`, outcome: 'nothing picked: no process may be ended', details: numbers });
      return;
    }
    const details = { ...numbers, victim: { target: victim.target, pid: victim.pid, startTicks: victim.startTicks, name: victim.name, ussBytes: victim.ussBytes } };
    const reason = `pod memory ${numbers.percent} % of its limit for ${this.above} samples (threshold ${numbers.thresholdPercent} %)`;
    if (this.mode === 'warn') {
      this.events.add('memory-guard', victim.target, { reason, outcome: 'would end it (warn mode)', details });
      return;
    }
    this.log(`memory guard: ${reason}; ending ${victim.target} (${victim.name}, USS ${victim.ussBytes} bytes)`);
    if (victim.runId) {
      this.events.add('memory-guard', victim.target, { reason, outcome: 'ending it', details });
      this.supervisor.stop(victim.runId).then(
        (r) => this.events.add('memory-guard-done', victim.target, { outcome: r.state, details: { lastExit: r.lastExit } }),
        (err: Error) => this.events.add('memory-guard-done', victim.target, { outcome: `failed: ${err.message}` }),
      );
    } else {
      const job = this.engine.endProcess({ pid: victim.pid, startTicks: victim.startTicks, name: victim.name, ussBytes: victim.ussBytes });
      this.events.add('memory-guard', victim.target, { reason, outcome: 'ending it', details });
      void job.done.then((j) => this.events.add('memory-guard-done', victim.target, { outcome: j.state, details: { signals: j.signals.map((s) => s.signal) } }));
    }
  }
}
