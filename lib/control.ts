// Termination policy over the addon's PID-reuse-safe signals: SIGTERM, a grace
// period, SIGKILL for survivors; protection of PID 1, spmon and its ancestors;
// read-only mode; a bounded history of what was ended. Never blocks: the addon's
// calls are single non-blocking syscalls, and waiting is done with timers.
// The only I/O is through ../native (openProcess and the handle it returns).
import { openProcess, ProcessHandle, SignalOutcome } from './native';
import { formatBytes } from './view/format';
import { sanitize } from './view/sanitize';

const SIGTERM = 15;
const SIGKILL = 9;

/** What to end: a process named by (pid, start time). A ProcessStat fits. */
export interface TerminateTarget {
  pid: number;
  /** Start, clock ticks since boot (field 22 of /proc/<pid>/stat): the identity check. */
  startTicks: number;
  name: string;
  ussBytes?: number | null;
  /** Parent pid: orders a set leaves first. */
  ppid?: number;
}

/** Where a job stands. The last six are final. */
export type JobState =
  | 'terminating'
  | 'killing'
  | 'terminated'
  | 'force-killed'
  | 'already-gone'
  | 'permission-denied'
  | 'refused'
  | 'failed';

export type Outcome = Exclude<JobState, 'terminating' | 'killing'>;

export const FINAL_STATES: readonly Outcome[] = ['terminated', 'force-killed', 'already-gone', 'permission-denied', 'refused', 'failed'];

export function isFinal(state: JobState): state is Outcome {
  return state !== 'terminating' && state !== 'killing';
}

export type SignalName = 'SIGTERM' | 'SIGKILL';

export interface SignalRecord {
  signal: SignalName;
  /** ms since the epoch, with sub-ms precision (a monotonic clock's reading). */
  at: number;
  result: SignalOutcome;
}

/** The ending of one process. Read-only for callers; the Terminator updates it. */
export interface ProcessJob {
  readonly kind: 'process';
  readonly id: number;
  readonly pid: number;
  readonly startTicks: number;
  /** As given; sanitised in `message`. */
  readonly name: string;
  readonly ussBytes: number | null;
  readonly state: JobState;
  /** ms since the epoch. */
  readonly requestedAt: number;
  readonly finishedAt: number | null;
  readonly signals: readonly SignalRecord[];
  /** Why it was refused or failed, in words; null otherwise. */
  readonly detail: string | null;
  /** Whole seconds until SIGKILL while terminating; else null. */
  readonly secondsLeft: number | null;
  /** Status-bar text. */
  readonly message: string;
  readonly done: Promise<ProcessJob>;
}

export type SetState = 'terminating' | 'killing' | 'done' | 'refused';

/** The ending of a set of processes (a session) with one grace period. */
export interface SetJob {
  readonly kind: 'set';
  readonly id: number;
  readonly label: string;
  readonly state: SetState;
  /** In signalling order: leaves first. Grows when a rescan finds new descendants. */
  readonly members: readonly ProcessJob[];
  readonly requestedAt: number;
  readonly finishedAt: number | null;
  readonly detail: string | null;
  readonly secondsLeft: number | null;
  readonly message: string;
  /** Members per final outcome (members still running are not counted). */
  readonly counts: Readonly<Record<Outcome, number>>;
  readonly done: Promise<SetJob>;
}

export type Job = ProcessJob | SetJob;

/** One process ended (or not), newest first in `history()`. */
export interface HistoryEntry {
  pid: number;
  name: string;
  startTicks: number;
  ussBytes: number | null;
  requestedAt: number;
  finishedAt: number;
  outcome: Outcome;
  signals: SignalRecord[];
  /** The set's label when it was ended as part of a session. */
  set: string | null;
  message: string;
}

export interface TerminatorOptions {
  /** Time between SIGTERM and SIGKILL, ms. Default 5000. */
  graceMs?: number;
  /** How long to wait for an exit after SIGKILL before calling it failed, ms. Default 2000. */
  killWaitMs?: number;
  /** How often to check for exits, ms. Default 100. */
  pollMs?: number;
  procRoot?: string;
  /** Refuse every request. */
  readOnly?: boolean;
  /** Entries kept by history(). Default 100. */
  historyLimit?: number;
  /** Never signalled, alone or in a set (spmon's ancestors). PID 1 and spmon itself are always protected. */
  protectedPids?: Iterable<number>;
  /** Called when a job's state or message changes (a top-level job: a set, not its members). */
  onChange?: (job: Job) => void;
}

export interface TerminateSetOptions {
  /** Shown in messages and history, e.g. the session name. */
  label?: string;
  /** More pids to protect for this request, e.g. spmon's ancestors. */
  protectedPids?: Iterable<number>;
  /** Called once before SIGKILL: the set as it is now, so descendants born during the grace are killed too. */
  rescan?: () => readonly TerminateTarget[];
}

/** The pids of `pid`'s ancestors (not itself) in a process list: what a session kill must not touch. */
export function ancestorPids(processes: Iterable<{ pid: number; ppid: number }>, pid: number = process.pid): Set<number> {
  const parent = new Map<number, number>();
  for (const p of processes) parent.set(p.pid, p.ppid);
  const out = new Set<number>();
  let cur = parent.get(pid);
  while (cur !== undefined && cur > 0 && !out.has(cur) && cur !== pid) {
    out.add(cur);
    cur = parent.get(cur);
  }
  return out;
}

/** Targets ordered leaves first: by depth in the ppid tree among the set, deepest first; stable otherwise. */
export function leavesFirst<T extends TerminateTarget>(targets: readonly T[]): T[] {
  const byPid = new Map<number, T>();
  for (const t of targets) if (!byPid.has(t.pid)) byPid.set(t.pid, t);
  const memo = new Map<number, number>();
  const depth = (t: T): number => {
    const known = memo.get(t.pid);
    if (known !== undefined) return known;
    const seen = new Set<number>([t.pid]);
    let d = 0;
    let cur = t.ppid;
    while (cur !== undefined && byPid.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      d++;
      cur = byPid.get(cur)!.ppid;
    }
    memo.set(t.pid, d);
    return d;
  };
  return targets
    .map((t, i) => ({ t, i, d: depth(t) }))
    .sort((a, b) => b.d - a.d || a.i - b.i)
    .map((x) => x.t);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(1))} s`;
}

function monotonicMs(): number {
  return performance.now();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 'es'}`;
}

// One process being ended. Mutable inside this file; callers see ProcessJob.
class ProcessRun implements ProcessJob {
  readonly kind = 'process' as const;
  readonly ussBytes: number | null;
  state: JobState = 'terminating';
  finishedAt: number | null = null;
  signals: SignalRecord[] = [];
  detail: string | null = null;
  handle: ProcessHandle | null = null;
  /** Opened together with the rest of a set before any of it was signalled. */
  pinnedWithSet = false;
  /** Monotonic ms at which SIGKILL is due / the kill wait ends. */
  killAt = 0;
  killWaitEnd = 0;
  readonly done: Promise<ProcessJob>;
  private resolve!: (j: ProcessJob) => void;

  constructor(
    readonly id: number,
    readonly pid: number,
    readonly startTicks: number,
    readonly name: string,
    ussBytes: number | null | undefined,
    readonly ppid: number | undefined,
    readonly requestedAt: number,
    private readonly graceMs: number,
    private readonly killWaitMs: number,
  ) {
    this.ussBytes = ussBytes ?? null;
    this.done = new Promise((r) => (this.resolve = r));
  }

  get secondsLeft(): number | null {
    if (this.state !== 'terminating' || this.killAt === 0) return null;
    return Math.max(0, Math.ceil((this.killAt - monotonicMs()) / 1000));
  }

  get label(): string {
    return `${this.pid} ${sanitize(this.name)}`;
  }

  get message(): string {
    const who = this.label;
    const uss = this.ussBytes !== null && Number.isFinite(this.ussBytes) ? ` (USS ${formatBytes(this.ussBytes)})` : '';
    switch (this.state) {
      case 'terminating': {
        const left = this.secondsLeft;
        return left === null ? `Ending ${who}` : `SIGTERM sent to ${who}, SIGKILL in ${left} s`;
      }
      case 'killing':
        return `SIGKILL sent to ${who} after ${seconds(this.graceMs)}, waiting for it to exit`;
      case 'terminated':
        return `Terminated ${who}${uss}`;
      case 'force-killed':
        return this.signals.some((s) => s.signal === 'SIGTERM')
          ? `Force-killed ${who} after ${seconds(this.graceMs)}${uss}`
          : `Force-killed ${who}${uss}`;
      case 'already-gone':
        return `${who} was already gone (nothing signalled)`;
      case 'permission-denied':
        return `Permission denied: cannot signal ${who}`;
      case 'refused':
        return `Refused to end ${who}: ${this.detail ?? 'not allowed'}`;
      case 'failed':
        return `Failed to end ${who}: ${this.detail ?? 'unknown error'}`;
    }
  }

  /** Open the handle; false (and final) when there is nothing to signal. */
  open(procRoot: string): boolean {
    let r: ReturnType<typeof openProcess>;
    try {
      r = openProcess(this.pid, this.startTicks, procRoot);
    } catch (err) {
      this.finish('failed', (err as Error).message.split('\n')[0]);
      return false;
    }
    switch (r.status) {
      case 'open':
        if (!r.handle) {
          this.finish('failed', 'the addon returned no handle');
          return false;
        }
        this.handle = r.handle;
        return true;
      case 'gone':
        this.finish('already-gone');
        return false;
      case 'refused':
        this.finish('refused', 'PID 1 and spmon itself are never signalled');
        return false;
      case 'denied':
        this.finish('permission-denied');
        return false;
      default:
        this.finish('failed', 'could not open the process');
        return false;
    }
  }

  /** Send a signal through the handle. False (and final) when that ended the job. */
  send(signal: SignalName): boolean {
    const h = this.handle;
    if (!h) return false;
    let result: SignalOutcome;
    try {
      result = h.signal(signal === 'SIGTERM' ? SIGTERM : SIGKILL);
    } catch {
      result = 'error';
    }
    this.signals.push({ signal, at: performance.timeOrigin + monotonicMs(), result });
    switch (result) {
      case 'sent':
        if (signal === 'SIGTERM') {
          this.state = 'terminating';
          this.killAt = monotonicMs() + this.graceMs;
        } else {
          this.state = 'killing';
          this.killWaitEnd = monotonicMs() + this.killWaitMs;
        }
        return true;
      case 'gone':
        // It exited between our last look and this signal: after an earlier signal of
        // ours, or (in a set) after its children were signalled, it counts as ended by us.
        this.finish(this.signals.length > 1 || this.pinnedWithSet ? this.exitOutcome() : 'already-gone');
        return false;
      case 'denied':
        this.finish('permission-denied');
        return false;
      case 'refused':
        this.finish('refused', 'PID 1 and spmon itself are never signalled');
        return false;
      default:
        this.finish('failed', `${signal} could not be sent`);
        return false;
    }
  }

  private exitOutcome(): Outcome {
    return this.signals.some((s) => s.signal === 'SIGKILL' && s.result === 'sent') ? 'force-killed' : 'terminated';
  }

  /** Check for an exit; true (and final) when it has exited. */
  poll(): boolean {
    if (isFinal(this.state) || !this.handle) return isFinal(this.state);
    let exited: boolean;
    try {
      exited = this.handle.exited();
    } catch {
      exited = false;
    }
    if (exited) this.finish(this.exitOutcome());
    return exited;
  }

  finish(outcome: Outcome, detail: string | null = null): void {
    if (isFinal(this.state) && this.finishedAt !== null) return;
    this.state = outcome;
    this.detail = detail;
    this.finishedAt = Date.now();
    if (this.handle) {
      try {
        this.handle.close();
      } catch {
        // Closing a pidfd cannot usefully fail; the wrapper also closes on collection.
      }
      this.handle = null;
    }
    this.resolve(this);
  }
}

// A set of processes with one grace period. Mutable inside this file; callers see SetJob.
class SetRun implements SetJob {
  readonly kind = 'set' as const;
  state: SetState = 'terminating';
  members: ProcessRun[] = [];
  finishedAt: number | null = null;
  detail: string | null = null;
  killAt = 0;
  readonly done: Promise<SetJob>;
  private resolve!: (j: SetJob) => void;

  constructor(
    readonly id: number,
    readonly label: string,
    readonly requestedAt: number,
    private readonly graceMs: number,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  get secondsLeft(): number | null {
    if (this.state !== 'terminating' || this.killAt === 0) return null;
    return Math.max(0, Math.ceil((this.killAt - monotonicMs()) / 1000));
  }

  get counts(): Record<Outcome, number> {
    const c = Object.fromEntries(FINAL_STATES.map((s) => [s, 0])) as Record<Outcome, number>;
    for (const m of this.members) if (isFinal(m.state)) c[m.state]++;
    return c;
  }

  get message(): string {
    const name = sanitize(this.label);
    const live = this.members.filter((m) => !isFinal(m.state)).length;
    switch (this.state) {
      case 'refused':
        return `Refused to end ${name}: ${this.detail ?? 'not allowed'}`;
      case 'terminating': {
        const sent = this.members.filter((m) => m.signals.some((s) => s.signal === 'SIGTERM' && s.result === 'sent')).length;
        return `SIGTERM sent to ${plural(sent, 'process')} of ${name}, SIGKILL in ${this.secondsLeft ?? '?'} s (${live} running)`;
      }
      case 'killing':
        return `SIGKILL sent to ${plural(live, 'process')} of ${name} after ${seconds(this.graceMs)}, waiting for exits`;
      case 'done': {
        if (this.members.length === 0) return `Nothing to end in ${name}`;
        const c = this.counts;
        const parts: string[] = [];
        const words: [Outcome, string][] = [
          ['terminated', 'terminated'],
          ['force-killed', 'force-killed'],
          ['already-gone', 'already gone'],
          ['permission-denied', 'permission denied'],
          ['refused', 'refused'],
          ['failed', 'failed'],
        ];
        for (const [k, w] of words) if (c[k] > 0) parts.push(`${c[k]} ${w}`);
        let freed: number | null = null;
        for (const m of this.members) {
          if ((m.state === 'terminated' || m.state === 'force-killed') && m.ussBytes !== null) freed = (freed ?? 0) + m.ussBytes;
        }
        return `Ended ${name}: ${parts.join(', ')}${freed !== null ? ` (USS ${formatBytes(freed)})` : ''}`;
      }
    }
  }

  finish(state: 'done' | 'refused', detail: string | null = null): void {
    if (this.finishedAt !== null) return;
    this.state = state;
    this.detail = detail;
    this.finishedAt = Date.now();
    this.resolve(this);
  }
}

interface Watch {
  timer: NodeJS.Timeout | null;
  lastMessage: string;
  lastState: string;
}

/**
 * Ends processes: SIGTERM, then SIGKILL after a grace period, through handles pinned
 * to (pid, start time), so a pid reused meanwhile is never signalled.
 */
export class Terminator {
  readonly graceMs: number;
  readonly killWaitMs: number;
  readonly pollMs: number;
  readonly procRoot: string;
  readonly readOnly: boolean;
  readonly historyLimit: number;
  private readonly protectedPids: Set<number>;
  private readonly onChange: ((job: Job) => void) | undefined;
  private nextId = 1;
  private readonly entries: HistoryEntry[] = [];
  /** Running top-level jobs and their poll timers. */
  private readonly running = new Map<Job, Watch>();
  /** Running single jobs by `${pid}:${startTicks}`, so asking twice returns the same job. */
  private readonly singles = new Map<string, ProcessRun>();

  constructor(options: TerminatorOptions = {}) {
    this.graceMs = nonNegative(options.graceMs, 5000);
    this.killWaitMs = nonNegative(options.killWaitMs, 2000);
    this.pollMs = Math.max(10, nonNegative(options.pollMs, 100));
    this.procRoot = options.procRoot ?? '/proc';
    this.readOnly = options.readOnly === true;
    this.historyLimit = Math.max(0, Math.floor(nonNegative(options.historyLimit, 100)));
    this.protectedPids = new Set(options.protectedPids ?? []);
    this.onChange = options.onChange;
  }

  /** End one process. Returns at once; `job.done` resolves with the outcome. */
  terminate(target: TerminateTarget): ProcessJob {
    const key = `${target.pid}:${target.startTicks}`;
    const existing = this.singles.get(key);
    if (existing && !isFinal(existing.state)) return existing;

    const job = this.newRun(target);
    const refusal = this.refusalFor(target, this.protectedPids);
    if (refusal !== null) {
      job.finish('refused', refusal);
    } else if (this.readOnly) {
      job.finish('refused', 'spmon is in read-only mode (--read-only)');
    } else if (job.open(this.procRoot)) {
      job.send('SIGTERM');
    }
    if (isFinal(job.state)) {
      this.record(job, null);
      this.emit(job);
      return job;
    }
    this.singles.set(key, job);
    this.track(job, () => {
      if (job.state === 'terminating') {
        if (!job.poll() && monotonicMs() >= job.killAt) job.send('SIGKILL');
      } else if (job.state === 'killing') {
        if (!job.poll() && monotonicMs() >= job.killWaitEnd) {
          job.finish('failed', `still alive ${seconds(this.killWaitMs)} after SIGKILL`);
        }
      }
      if (isFinal(job.state)) {
        this.singles.delete(key);
        this.record(job, null);
        return true;
      }
      return false;
    });
    return job;
  }

  /**
   * End a set (a session): leaves first, SIGTERM to all, one grace period, then a rescan
   * and SIGKILL for survivors and newcomers. The whole set is refused if it holds PID 1,
   * spmon, or a protected pid (spmon's ancestors). Returns at once.
   */
  terminateSet(targets: readonly TerminateTarget[], options: TerminateSetOptions = {}): SetJob {
    const label = options.label ?? 'the set';
    const set = new SetRun(this.nextId++, label, Date.now(), this.graceMs);
    const protect = new Set(this.protectedPids);
    for (const p of options.protectedPids ?? []) protect.add(p);

    const unique = dedupe(targets);
    set.members = leavesFirst(unique).map((t) => this.newRun(t));

    let refusal: string | null = null;
    for (const t of unique) {
      const why = this.refusalFor(t, protect);
      if (why !== null) {
        refusal = `it contains ${t.pid} ${sanitize(t.name)}, ${why.replace(/^it is /, '')}`;
        break;
      }
    }
    if (refusal === null && this.readOnly) refusal = 'spmon is in read-only mode (--read-only)';
    if (refusal !== null) {
      for (const m of set.members) m.finish('refused', refusal);
      set.finish('refused', refusal);
      for (const m of set.members) this.record(m, label);
      this.emit(set);
      return set;
    }

    // Pin every member first, so one exiting (a parent whose children died) cannot
    // let its pid be reused before we hold it; then SIGTERM, leaves first.
    const opened = set.members.filter((m) => m.open(this.procRoot));
    for (const m of opened) {
      m.pinnedWithSet = true;
      m.send('SIGTERM');
    }
    set.killAt = monotonicMs() + this.graceMs;
    const recorded = new Set<ProcessRun>();
    const recordFinished = () => {
      for (const m of set.members) {
        if (isFinal(m.state) && !recorded.has(m)) {
          recorded.add(m);
          this.record(m, label);
        }
      }
    };

    let killWaitEnd = 0;
    const step = (): boolean => {
      for (const m of set.members) m.poll();
      const live = () => set.members.filter((m) => !isFinal(m.state));
      if (set.state === 'terminating' && live().length > 0 && monotonicMs() >= set.killAt) {
        this.addNewcomers(set, options.rescan, protect);
        // SIGKILL to survivors and newcomers, leaves first.
        for (const m of leavesFirst(live())) m.send('SIGKILL');
        set.state = 'killing';
        killWaitEnd = monotonicMs() + this.killWaitMs;
      } else if (set.state === 'killing' && live().length > 0 && monotonicMs() >= killWaitEnd) {
        for (const m of live()) m.finish('failed', `still alive ${seconds(this.killWaitMs)} after SIGKILL`);
      }
      recordFinished();
      if (live().length === 0) {
        set.finish('done');
        return true;
      }
      return false;
    };
    if (set.members.every((m) => isFinal(m.state))) {
      recordFinished();
      set.finish('done');
      this.emit(set);
      return set;
    }
    this.track(set, step);
    return set;
  }

  /** What was ended, newest first (at most historyLimit entries). */
  history(): HistoryEntry[] {
    return this.entries
      .slice()
      .reverse()
      .map((e) => ({ ...e, signals: e.signals.slice() }));
  }

  /** Jobs still running (top level: single jobs and sets). */
  active(): Job[] {
    return [...this.running.keys()];
  }

  /**
   * Stop watching: running jobs end as 'failed' (outcome unknown) and their handles are
   * closed. Signals already sent stay sent; no SIGKILL is sent after this.
   */
  close(): void {
    for (const [job, watch] of [...this.running]) {
      if (watch.timer) clearTimeout(watch.timer);
      this.abandon(job, 'spmon stopped watching before it exited');
      this.running.delete(job);
      this.emit(job);
    }
    this.singles.clear();
  }

  private newRun(t: TerminateTarget): ProcessRun {
    return new ProcessRun(this.nextId++, t.pid, t.startTicks, String(t.name ?? ''), t.ussBytes, t.ppid, Date.now(), this.graceMs, this.killWaitMs);
  }

  /** Why this pid may not be signalled, or null. */
  private refusalFor(t: TerminateTarget, protect: Set<number>): string | null {
    const pid = t.pid;
    if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) return 'it is not a valid pid';
    if (!Number.isFinite(t.startTicks) || t.startTicks < 0) return 'its start time is unknown';
    if (pid === 1) return 'it is PID 1 (init)';
    if (pid === process.pid) return 'it is spmon itself';
    if (protect.has(pid)) return 'it is protected (spmon runs under it)';
    return null;
  }

  private addNewcomers(set: SetRun, rescan: (() => readonly TerminateTarget[]) | undefined, protect: Set<number>): void {
    if (!rescan) return;
    let found: readonly TerminateTarget[];
    try {
      found = rescan();
    } catch {
      return;
    }
    const known = new Set(set.members.map((m) => `${m.pid}:${m.startTicks}`));
    // A pid held by a live member is skipped; one freed by a member that exited may be a newcomer.
    const knownPids = new Set(set.members.filter((m) => !isFinal(m.state)).map((m) => m.pid));
    for (const t of dedupe(found)) {
      if (known.has(`${t.pid}:${t.startTicks}`) || knownPids.has(t.pid)) continue;
      const m = this.newRun(t);
      set.members.push(m);
      const why = this.refusalFor(t, protect);
      if (why !== null) m.finish('refused', why);
      // Opened now and killed with the survivors: no second grace period.
      else if (m.open(this.procRoot)) m.state = 'killing';
    }
    // Keep members in signalling order for display.
    set.members = leavesFirst(set.members);
  }

  /** Poll a running job every pollMs until `step` says it is finished; emit on changes. */
  private track(job: Job, step: () => boolean): void {
    const watch: Watch = { timer: null, lastMessage: job.message, lastState: job.state };
    const tick = () => {
      watch.timer = null;
      let finished: boolean;
      try {
        finished = step();
      } catch (err) {
        // A bug here must not leave handles open or the job hanging.
        this.abandon(job, `internal error: ${(err as Error).message}`);
        finished = true;
      }
      if (finished) {
        this.running.delete(job);
        if (job.kind === 'process') this.singles.delete(`${job.pid}:${job.startTicks}`);
        this.emit(job);
        return;
      }
      if (job.message !== watch.lastMessage || job.state !== watch.lastState) {
        watch.lastMessage = job.message;
        watch.lastState = job.state;
        this.emit(job);
      }
      watch.timer = setTimeout(tick, this.pollMs);
    };
    this.running.set(job, watch);
    this.emit(job);
    watch.timer = setTimeout(tick, this.pollMs);
  }

  /** End whatever is still running in `job` as failed, closing its handles. */
  private abandon(job: Job, detail: string): void {
    const runs = job.kind === 'set' ? (job as SetRun).members : [job as ProcessRun];
    for (const m of runs) {
      if (!isFinal(m.state)) {
        m.finish('failed', detail);
        this.record(m, job.kind === 'set' ? job.label : null);
      }
    }
    if (job.kind === 'set') (job as SetRun).finish('done');
  }

  private emit(job: Job): void {
    if (!this.onChange) return;
    try {
      this.onChange(job);
    } catch {
      // A redraw that throws must not stop a termination half way.
    }
  }

  private record(m: ProcessRun, set: string | null): void {
    if (this.historyLimit === 0 || !isFinal(m.state)) return;
    this.entries.push({
      pid: m.pid,
      name: m.name,
      startTicks: m.startTicks,
      ussBytes: m.ussBytes,
      requestedAt: m.requestedAt,
      finishedAt: m.finishedAt ?? Date.now(),
      outcome: m.state,
      signals: m.signals.slice(),
      set,
      message: m.message,
    });
    if (this.entries.length > this.historyLimit) this.entries.splice(0, this.entries.length - this.historyLimit);
  }
}

function nonNegative(v: number | undefined, dflt: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : dflt;
}

/** First target per pid. */
function dedupe(targets: readonly TerminateTarget[]): TerminateTarget[] {
  const seen = new Set<number>();
  const out: TerminateTarget[] = [];
  for (const t of targets) {
    if (seen.has(t.pid)) continue;
    seen.add(t.pid);
    out.push(t);
  }
  return out;
}
