// Ends processes safely: a signal (SIGTERM by default), a grace period, then SIGKILL for survivors,
// through handles pinned to (pid, start time), so a pid reused meanwhile is never signalled; whole sets
// (sessions, trees) leaves first with one grace period and a rescan for children born meanwhile.
// Refuses what lib/model/protection.ts refuses, and everything in read-only mode. Never blocks: the
// addon's calls are single non-blocking syscalls, waiting is done with timers. Jobs report structured
// states and reasons; the words are the front ends' (lib/view/job_text.ts).
// This file is long because a process job and a set job share one life cycle; each part is one class.
import { openProcess, ProcessHandle, SignalOutcome } from '../native';
import { Guard, RefusalCode, refusalOf } from '../model/protection';
import { monotonicMs, MONOTONIC_ORIGIN_MS } from '../model/clock';

export const SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
} as const;
export type SignalName = keyof typeof SIGNALS;

export function isSignalName(s: string): s is SignalName {
  return Object.prototype.hasOwnProperty.call(SIGNALS, s);
}

/** "TERM", "sigterm", "15" -> "SIGTERM"; null when it names no signal spmon sends. */
export function parseSignal(s: string): SignalName | null {
  const t = s.trim().toUpperCase();
  if (/^\d+$/.test(t)) return (Object.keys(SIGNALS) as SignalName[]).find((k) => SIGNALS[k] === Number(t)) ?? null;
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return isSignalName(name) ? name : null;
}

/**
 * What sending a signal a user chose means. SIGTERM, SIGINT and SIGQUIT ask a process to end: SIGKILL
 * follows after `graceMs` if it is still running. SIGKILL is sent at once. The others (HUP, USR1, USR2,
 * STOP, CONT) ask something else of it: they are sent once, with nothing after (as htop sends them).
 */
export function endOptionsFor(signal: SignalName, graceMs: number): EndOptions {
  if (signal === 'SIGKILL') return { stages: [{ signal, waitMs: 0 }] };
  if (signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGQUIT') return { stages: [{ signal, waitMs: graceMs }] };
  return { stages: [{ signal, waitMs: 0 }], escalate: false };
}

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

/** A signal and how long to wait for the exit after it. */
export interface Stage {
  signal: SignalName;
  waitMs: number;
}

export interface EndOptions {
  /** Signals in order, each followed by a wait; SIGKILL after the last. Default: SIGTERM, then the grace period. */
  stages?: readonly Stage[];
  /** false: send the first signal only, no SIGKILL (a chosen signal, as htop sends it). Default true. */
  escalate?: boolean;
}

/** Where a job stands. All but the first two are final. */
export type JobState =
  | 'terminating'
  | 'killing'
  | 'terminated'
  | 'force-killed'
  | 'signalled'
  | 'already-gone'
  | 'permission-denied'
  | 'refused'
  | 'failed';

export type Outcome = Exclude<JobState, 'terminating' | 'killing'>;

export const FINAL_STATES: readonly Outcome[] = ['terminated', 'force-killed', 'signalled', 'already-gone', 'permission-denied', 'refused', 'failed'];

export function isFinal(state: JobState): state is Outcome {
  return state !== 'terminating' && state !== 'killing';
}

/** Why a job was refused or failed. */
export type Reason =
  | { code: RefusalCode | 'read-only' }
  /** The addon itself refused (PID 1 or spmon). */
  | { code: 'addon-refused' }
  | { code: 'open-failed'; error: string | null }
  | { code: 'signal-failed'; signal: SignalName }
  | { code: 'still-alive'; afterMs: number }
  | { code: 'abandoned' }
  | { code: 'internal'; error: string }
  /** A set: one member may not be signalled, so none is. */
  | { code: 'member'; pid: number; name: string; member: RefusalCode };

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
  /** As given; front ends sanitise it. */
  readonly name: string;
  readonly ussBytes: number | null;
  readonly state: JobState;
  /** ms since the epoch. */
  readonly requestedAt: number;
  readonly finishedAt: number | null;
  readonly signals: readonly SignalRecord[];
  readonly reason: Reason | null;
  /** The signal sent last, and the one due next (null: none, or only the wait for the exit after SIGKILL). */
  readonly lastSignal: SignalName | null;
  readonly nextSignal: SignalName | null;
  /** Whole seconds until the next signal; null when none is due. */
  readonly secondsLeft: number | null;
  /** Time waited before SIGKILL (the sum of the stages' waits), ms. */
  readonly waitedMs: number;
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
  readonly reason: Reason | null;
  readonly lastSignal: SignalName | null;
  readonly nextSignal: SignalName | null;
  readonly secondsLeft: number | null;
  readonly waitedMs: number;
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
  reason: Reason | null;
  waitedMs: number;
  /** The set's label when it was ended as part of a session. */
  set: string | null;
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
  /** The protection of this moment (spmon's ancestors from the latest frame); called for every request. */
  guard?: () => Guard;
  /** Called when a job's state changes or its countdown ticks (a top-level job: a set, not its members). */
  onChange?: (job: Job) => void;
}

export interface TerminateSetOptions extends EndOptions {
  /** Shown in messages and history, e.g. the session name. */
  label?: string;
  /** More pids to protect for this request, e.g. spmon's ancestors. */
  protectedPids?: Iterable<number>;
  /** Called before each later stage: the set as it is now, so descendants born during the grace are ended too. */
  rescan?: () => readonly TerminateTarget[];
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

/** The stage plan of a request: its stages (SIGTERM for the grace period by default), then SIGKILL. */
function planOf(opts: EndOptions, graceMs: number): { stages: Stage[]; escalate: boolean } {
  const stages = opts.stages && opts.stages.length > 0 ? opts.stages.map((s) => ({ ...s })) : [{ signal: 'SIGTERM' as const, waitMs: graceMs }];
  return { stages, escalate: opts.escalate !== false };
}

// One process being ended. Mutable inside this file; callers see ProcessJob.
class ProcessRun implements ProcessJob {
  readonly kind = 'process' as const;
  readonly ussBytes: number | null;
  state: JobState = 'terminating';
  finishedAt: number | null = null;
  signals: SignalRecord[] = [];
  reason: Reason | null = null;
  handle: ProcessHandle | null = null;
  /** Opened together with the rest of a set before any of it was signalled. */
  pinnedWithSet = false;
  /** Index of the stage whose signal was sent last (-1: none yet). */
  stage = -1;
  /** Monotonic ms at which the next stage is due / the kill wait ends. */
  nextAt = 0;
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
    readonly stages: readonly Stage[],
    readonly escalate: boolean,
    private readonly killWaitMs: number,
  ) {
    this.ussBytes = ussBytes ?? null;
    this.done = new Promise((r) => (this.resolve = r));
  }

  get waitedMs(): number {
    return this.stages.reduce((a, s) => a + s.waitMs, 0);
  }

  get lastSignal(): SignalName | null {
    return this.signals.length ? this.signals[this.signals.length - 1].signal : null;
  }

  get nextSignal(): SignalName | null {
    if (this.state !== 'terminating') return null;
    return this.stages[this.stage + 1]?.signal ?? (this.escalate ? 'SIGKILL' : null);
  }

  get secondsLeft(): number | null {
    if (this.state !== 'terminating' || this.nextAt === 0) return null;
    return Math.max(0, Math.ceil((this.nextAt - monotonicMs()) / 1000));
  }

  /** Open the handle; false (and final) when there is nothing to signal. */
  open(procRoot: string): boolean {
    let r: ReturnType<typeof openProcess>;
    try {
      r = openProcess(this.pid, this.startTicks, procRoot);
    } catch (err) {
      this.finish('failed', { code: 'open-failed', error: (err as Error).message.split('\n')[0] });
      return false;
    }
    switch (r.status) {
      case 'open':
        if (!r.handle) {
          this.finish('failed', { code: 'open-failed', error: 'the addon returned no handle' });
          return false;
        }
        this.handle = r.handle;
        return true;
      case 'gone':
        this.finish('already-gone');
        return false;
      case 'refused':
        this.finish('refused', { code: 'addon-refused' });
        return false;
      case 'denied':
        this.finish('permission-denied');
        return false;
      default:
        this.finish('failed', { code: 'open-failed', error: null });
        return false;
    }
  }

  /** Send the next stage's signal (or SIGKILL after the last). False (and final) when that ended the job. */
  advance(): boolean {
    const next = this.stages[this.stage + 1];
    if (next) {
      this.stage++;
      return this.send(next.signal, next.waitMs);
    }
    return this.send('SIGKILL', 0);
  }

  /** Send a signal through the handle. False (and final) when that ended the job. */
  private send(signal: SignalName, waitMs: number): boolean {
    const h = this.handle;
    if (!h) return false;
    let result: SignalOutcome;
    try {
      result = h.signal(SIGNALS[signal]);
    } catch {
      result = 'error';
    }
    this.signals.push({ signal, at: MONOTONIC_ORIGIN_MS + monotonicMs(), result });
    switch (result) {
      case 'sent':
        if (signal === 'SIGKILL') {
          this.state = 'killing';
          this.killWaitEnd = monotonicMs() + this.killWaitMs;
        } else if (!this.escalate) {
          this.finish('signalled');
          return false;
        } else {
          this.state = 'terminating';
          this.nextAt = monotonicMs() + waitMs;
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
        this.finish('refused', { code: 'addon-refused' });
        return false;
      default:
        this.finish('failed', { code: 'signal-failed', signal });
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

  /** One step of a lone job: the exit, the next stage when due, or giving up after SIGKILL. */
  step(): void {
    if (this.poll()) return;
    const now = monotonicMs();
    if (this.state === 'terminating' && now >= this.nextAt) this.advance();
    else if (this.state === 'killing' && now >= this.killWaitEnd) this.finish('failed', { code: 'still-alive', afterMs: this.killWaitMs });
  }

  finish(outcome: Outcome, reason: Reason | null = null): void {
    if (isFinal(this.state) && this.finishedAt !== null) return;
    this.state = outcome;
    this.reason = reason;
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

// A set of processes with one plan. Mutable inside this file; callers see SetJob.
class SetRun implements SetJob {
  readonly kind = 'set' as const;
  state: SetState = 'terminating';
  members: ProcessRun[] = [];
  finishedAt: number | null = null;
  reason: Reason | null = null;
  stage = -1;
  nextAt = 0;
  killWaitEnd = 0;
  readonly done: Promise<SetJob>;
  private resolve!: (j: SetJob) => void;

  constructor(
    readonly id: number,
    readonly label: string,
    readonly requestedAt: number,
    readonly stages: readonly Stage[],
    readonly escalate: boolean,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  get waitedMs(): number {
    return this.stages.reduce((a, s) => a + s.waitMs, 0);
  }

  get lastSignal(): SignalName | null {
    return this.state === 'killing' ? 'SIGKILL' : (this.stages[this.stage]?.signal ?? null);
  }

  get nextSignal(): SignalName | null {
    if (this.state !== 'terminating') return null;
    return this.stages[this.stage + 1]?.signal ?? (this.escalate ? 'SIGKILL' : null);
  }

  get secondsLeft(): number | null {
    if (this.state !== 'terminating' || this.nextAt === 0) return null;
    return Math.max(0, Math.ceil((this.nextAt - monotonicMs()) / 1000));
  }

  get counts(): Record<Outcome, number> {
    const c = Object.fromEntries(FINAL_STATES.map((s) => [s, 0])) as Record<Outcome, number>;
    for (const m of this.members) if (isFinal(m.state)) c[m.state]++;
    return c;
  }

  live(): ProcessRun[] {
    return this.members.filter((m) => !isFinal(m.state));
  }

  finish(state: 'done' | 'refused', reason: Reason | null = null): void {
    if (this.finishedAt !== null) return;
    this.state = state;
    this.reason = reason;
    this.finishedAt = Date.now();
    this.resolve(this);
  }
}

interface Watch {
  timer: NodeJS.Timeout | null;
  /** State, countdown and running count as last emitted. */
  lastShown: string;
}

/**
 * Ends processes and sets of them. Every request returns at once with a job; `job.done` resolves with
 * its outcome; `onChange` hears of every change.
 */
export class Terminator {
  readonly graceMs: number;
  readonly killWaitMs: number;
  readonly pollMs: number;
  readonly procRoot: string;
  readonly readOnly: boolean;
  readonly historyLimit: number;
  private readonly protectedPids: Set<number>;
  private readonly guard: (() => Guard) | null;
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
    this.guard = options.guard ?? null;
    this.onChange = options.onChange;
  }

  /** The protection of this moment: spmon, its ancestors (from the guard), and the pids given. */
  private currentGuard(more: Iterable<number> = []): Guard {
    const g = this.guard?.();
    const ancestors = new Set([...this.protectedPids, ...(g?.ancestors ?? []), ...more]);
    return { selfPid: process.pid, ancestors };
  }

  /** End one process. Returns at once; `job.done` resolves with the outcome. */
  terminate(target: TerminateTarget, opts: EndOptions = {}): ProcessJob {
    const key = `${target.pid}:${target.startTicks}`;
    const existing = this.singles.get(key);
    if (existing && !isFinal(existing.state)) return existing;

    const job = this.newRun(target, opts);
    const refusal = refusalOf(target, this.currentGuard());
    if (refusal !== null) job.finish('refused', { code: refusal });
    else if (this.readOnly) job.finish('refused', { code: 'read-only' });
    else if (job.open(this.procRoot)) job.advance();
    if (isFinal(job.state)) {
      this.record(job, null);
      this.emit(job);
      return job;
    }
    this.singles.set(key, job);
    this.track(job, () => {
      job.step();
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
   * End a set (a session): leaves first, the first signal to all, one wait, then a rescan and the next
   * signal (SIGKILL after the last stage) for survivors and newcomers. The whole set is refused if it
   * holds PID 1, spmon, or a protected pid (spmon's ancestors). Returns at once.
   */
  terminateSet(targets: readonly TerminateTarget[], options: TerminateSetOptions = {}): SetJob {
    const label = options.label ?? 'the set';
    const plan = planOf(options, this.graceMs);
    const set = new SetRun(this.nextId++, label, Date.now(), plan.stages, plan.escalate);
    const guard = this.currentGuard(options.protectedPids ?? []);

    const unique = dedupe(targets);
    set.members = leavesFirst(unique).map((t) => this.newRun(t, options));

    let refusal: Reason | null = null;
    for (const t of unique) {
      const code = refusalOf(t, guard);
      if (code !== null) {
        refusal = { code: 'member', pid: t.pid, name: String(t.name ?? ''), member: code };
        break;
      }
    }
    if (refusal === null && this.readOnly) refusal = { code: 'read-only' };
    if (refusal !== null) {
      for (const m of set.members) m.finish('refused', refusal);
      set.finish('refused', refusal);
      for (const m of set.members) this.record(m, label);
      this.emit(set);
      return set;
    }

    // Pin every member first, so one exiting (a parent whose children died) cannot
    // let its pid be reused before we hold it; then the first signal, leaves first.
    const opened = set.members.filter((m) => m.open(this.procRoot));
    set.stage = 0;
    for (const m of opened) {
      m.pinnedWithSet = true;
      m.advance();
    }
    set.nextAt = monotonicMs() + (plan.stages[0]?.waitMs ?? 0);
    const recorded = new Set<ProcessRun>();
    const recordFinished = () => {
      for (const m of set.members) {
        if (isFinal(m.state) && !recorded.has(m)) {
          recorded.add(m);
          this.record(m, label);
        }
      }
    };

    const step = (): boolean => {
      for (const m of set.members) m.poll();
      if (set.state === 'terminating' && set.live().length > 0 && monotonicMs() >= set.nextAt) {
        this.addNewcomers(set, options.rescan, guard);
        // The next signal to survivors and newcomers, leaves first.
        set.stage++;
        for (const m of leavesFirst(set.live())) {
          m.stage = set.stage - 1;
          m.advance();
        }
        const next = plan.stages[set.stage];
        if (next) set.nextAt = monotonicMs() + next.waitMs;
        else {
          set.state = 'killing';
          set.killWaitEnd = monotonicMs() + this.killWaitMs;
        }
      } else if (set.state === 'killing' && set.live().length > 0 && monotonicMs() >= set.killWaitEnd) {
        for (const m of set.live()) m.finish('failed', { code: 'still-alive', afterMs: this.killWaitMs });
      }
      recordFinished();
      if (set.live().length === 0) {
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
   * Stop watching: running jobs end as 'failed' (abandoned) and their handles are closed. Signals already
   * sent stay sent; no SIGKILL is sent after this.
   */
  close(): void {
    for (const [job, watch] of [...this.running]) {
      if (watch.timer) clearTimeout(watch.timer);
      this.abandon(job, { code: 'abandoned' });
      this.running.delete(job);
      this.emit(job);
    }
    this.singles.clear();
  }

  private newRun(t: TerminateTarget, opts: EndOptions): ProcessRun {
    const plan = planOf(opts, this.graceMs);
    return new ProcessRun(this.nextId++, t.pid, t.startTicks, String(t.name ?? ''), t.ussBytes, t.ppid, Date.now(), plan.stages, plan.escalate, this.killWaitMs);
  }

  private addNewcomers(set: SetRun, rescan: (() => readonly TerminateTarget[]) | undefined, guard: Guard): void {
    if (!rescan) return;
    let found: readonly TerminateTarget[];
    try {
      found = rescan();
    } catch {
      return;
    }
    const known = new Set(set.members.map((m) => `${m.pid}:${m.startTicks}`));
    // A pid held by a live member is skipped; one freed by a member that exited may be a newcomer.
    const knownPids = new Set(set.live().map((m) => m.pid));
    for (const t of dedupe(found)) {
      if (known.has(`${t.pid}:${t.startTicks}`) || knownPids.has(t.pid)) continue;
      const m = new ProcessRun(this.nextId++, t.pid, t.startTicks, String(t.name ?? ''), t.ussBytes, t.ppid, Date.now(), set.stages, set.escalate, this.killWaitMs);
      set.members.push(m);
      const code = refusalOf(t, guard);
      if (code !== null) m.finish('refused', { code });
      // Opened now and sent the set's next signal with the survivors: no grace period of its own.
      else if (m.open(this.procRoot)) m.pinnedWithSet = true;
    }
    // Keep members in signalling order for display.
    set.members = leavesFirst(set.members);
  }

  /** Poll a running job every pollMs until `step` says it is finished; emit when what a front end shows changed. */
  private track(job: Job, step: () => boolean): void {
    const shown = () => `${job.state} ${job.secondsLeft} ${job.kind === 'set' ? (job as SetRun).live().length : ''}`;
    const watch: Watch = { timer: null, lastShown: shown() };
    const tick = () => {
      watch.timer = null;
      let finished: boolean;
      try {
        finished = step();
      } catch (err) {
        // A bug here must not leave handles open or the job hanging.
        this.abandon(job, { code: 'internal', error: (err as Error).message });
        finished = true;
      }
      if (finished) {
        this.running.delete(job);
        if (job.kind === 'process') this.singles.delete(`${job.pid}:${job.startTicks}`);
        this.emit(job);
        return;
      }
      const now = shown();
      if (now !== watch.lastShown) {
        watch.lastShown = now;
        this.emit(job);
      }
      watch.timer = setTimeout(tick, this.pollMs);
    };
    this.running.set(job, watch);
    this.emit(job);
    watch.timer = setTimeout(tick, this.pollMs);
  }

  /** End whatever is still running in `job` as failed, closing its handles. */
  private abandon(job: Job, reason: Reason): void {
    const runs = job.kind === 'set' ? (job as SetRun).members : [job as ProcessRun];
    for (const m of runs) {
      if (!isFinal(m.state)) {
        m.finish('failed', reason);
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
      reason: m.reason,
      waitedMs: m.waitedMs,
      set,
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
