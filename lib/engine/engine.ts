// The one engine under every front end: it owns the native Reader, the Sampler, the session sources and
// providers, the read feedback (which smaps to read next tick, which process to detail, which agent
// processes to inspect) and the Terminator. It runs ticks, or a one-shot snapshot, and publishes frames.
// Consumers say what they watch (`watch`); they never reach the reader or the sampler.
// Over 300 lines: the tick, the snapshot and the ending calls share the engine's state (the last frame,
// the watchers' wishes, the reader's plan).
import * as os from 'os';
import { getSystemErrorMap } from 'util';
import { createReader, RawProcessFiles, RawSample, Reader, SampleOptions } from '../native';
import { Sampler } from '../model/sampler';
import type { ModelSnapshot, ProcessHistory } from '../model/process_stat';
import { assembleSessions, SessionProvider, TreePick } from '../model/sessions';
import { SmapsBudget } from '../model/smaps_budget';
import { defaultSmapsSchedule, rankSmaps } from '../model/smaps_schedule';
import { Guard, guardOf } from '../model/protection';
import { createUserLookup, UserLookup } from '../sources/passwd';
import type { Frame, FrameHost } from './frame';
import { SessionSources } from './session_sources';
import { subtree } from '../model/tree';
import type { ProcessStat } from '../model/process_stat';
import { EndOptions, Job, ProcessJob, SetJob, TerminateTarget, Terminator } from './terminator';
import { tierForProcesses } from './jit_tier';
import { monotonicMs } from '../model/clock';

export interface EngineSettings {
  procRoot: string;
  cgroupRoot: string;
  threshold: number;
  systemProcesses: string[];
  growthWindow: number;
  /** ms of smaps_rollup reading per tick after the first. */
  smapsBudget: number;
  /** Seconds between SIGTERM and SIGKILL. */
  grace: number;
  readOnly: boolean;
}

export interface EngineOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * 'live' (default): ticks that follow each other (held fds, 150 points of history, smaps within a
   * budget). 'snapshot': one or two samples, every smaps read, no fds held from one to the next.
   */
  mode?: 'live' | 'snapshot';
  /** Poll agent logs and list tmux at most this often, ms (default 2000). */
  sourcePollMs?: number;
  /** List tmux at least this often for renames, ms (default TMUX_RENAME_MS, 30 s). */
  tmuxRenameMs?: number;
}

/** What one consumer watches; the engine reads for the union of them. */
export interface Interest {
  /** Processes on screen (`${pid}:${startTicks}`): their smaps readings are kept fresh first. */
  hotKeys?: Iterable<string>;
  /** A session whose members are on screen. */
  sessionId?: string | null;
  /** The process whose cgroup, cwd and exe are shown. */
  detailPid?: number | null;
}

/** Native reads a consumer can do without, or needs (`io`: rates need it; true: read even at interval 0, for the cumulative counters). */
export interface Reads {
  io?: boolean;
  /** false: no smaps_rollup at all (a consumer that shows no USS/PSS, such as `spmon tokens`). */
  smaps?: boolean;
}

export class EngineError extends Error {}

/**
 * A pass that could not read what it reports is an error, not an empty or partial answer: the process
 * root could not be listed, or pid directories were left unread for want of fds. (An empty root that
 * can be read, such as a fixture tree without processes, is an answer.)
 */
export function readFailure(stats: RawSample['stats'], procRoot: string): string | null {
  if (!stats) return null;
  const words = (errno: number) => {
    const e = getSystemErrorMap().get(-errno);
    return e ? `${e[1].toLowerCase()} (${e[0]})` : `error ${errno}`;
  };
  if (stats.rootErrno) return `cannot list the processes in ${procRoot}: ${words(stats.rootErrno)}`;
  if (stats.fdErrors > 0)
    return `${stats.fdErrors} process${stats.fdErrors === 1 ? '' : 'es'} could not be read: no file descriptor left (the limit, ulimit -n, is too low)`;
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Engine {
  readonly terminator: Terminator;
  private readonly reader: Reader;
  private readonly sampler: Sampler;
  private readonly sources: SessionSources;
  private readonly providers: SessionProvider[];
  private readonly interests = new Map<string, Interest>();
  private readonly listeners = new Set<(f: Frame) => void>();
  private readonly userName: UserLookup = createUserLookup();
  private readonly hostName: string | null;
  private readonly kernel: string | null;
  private last: Frame | null = null;
  private seq = 0;
  /** Ticks run, and the CPU they took (sample, sessions and every subscriber), ms. */
  readonly ticks = { count: 0, cpuMs: 0 };
  private timer: NodeJS.Timeout | null = null;
  private lastTickCpuMs: number | null = null;
  private guardNow: Guard = { selfPid: process.pid, ancestors: new Set() };

  constructor(
    readonly settings: EngineSettings,
    readonly options: EngineOptions = {},
  ) {
    const snapshot = options.mode === 'snapshot';
    this.reader = createReader({
      procRoot: settings.procRoot,
      cgroupRoot: settings.cgroupRoot,
      // A snapshot's second sample would open ~4 fds per process to keep for a third that never comes.
      ...(snapshot ? { maxHeldFds: 0 } : {}),
    });
    this.sampler = new Sampler({
      thresholdPercent: settings.threshold,
      systemProcesses: settings.systemProcesses,
      growth: { windowMs: settings.growthWindow * 1000, minSpanMs: (settings.growthWindow * 1000) / 4 },
      // Two points are all a snapshot can use (allocating 150-point rings for every process costs time).
      historyPoints: snapshot ? 2 : undefined,
    });
    this.sources = new SessionSources({ env: options.env, pollMs: options.sourcePollMs, renameMs: options.tmuxRenameMs });
    this.providers = this.sources.providers.slice();
    this.terminator = new Terminator({
      graceMs: settings.grace * 1000,
      procRoot: settings.procRoot,
      readOnly: settings.readOnly,
      guard: () => this.guardNow,
      onChange: (job) => this.emitJobs(job),
    });
    this.hostName = os.hostname() || null;
    this.kernel = os.release() || null;
  }

  /** The latest frame (null before the first tick). */
  get frame(): Frame | null {
    return this.last;
  }

  /** spmon and its ancestors in the latest frame: what no request may end. */
  get guard(): Guard {
    return this.guardNow;
  }

  /** Say what a consumer watches (null: nothing any more). */
  watch(consumer: string, interest: Interest | null): void {
    if (interest === null) this.interests.delete(consumer);
    else this.interests.set(consumer, interest);
  }

  /** Hear of every frame (and, with `jobs`, of every change of a termination job). */
  subscribe(fn: (f: Frame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private readonly jobListeners = new Set<(job: Job) => void>();
  /** Hear of every change of a termination job (its state, its countdown). */
  onJobs(fn: (job: Job) => void): () => void {
    this.jobListeners.add(fn);
    return () => this.jobListeners.delete(fn);
  }
  private emitJobs(job: Job): void {
    for (const fn of this.jobListeners) fn(job);
  }

  /** End one process (identity: pid and start time). */
  endProcess(target: TerminateTarget, opts: EndOptions = {}): ProcessJob {
    return this.terminator.terminate(target, opts);
  }

  /**
   * End a process and all its descendants: `members` as they were when the user chose (default: the
   * latest frame's subtree); descendants born meanwhile are found again before each later signal.
   */
  endTree(root: TerminateTarget, opts: EndOptions & { members?: readonly TerminateTarget[]; protectedPids?: Iterable<number> } = {}): SetJob {
    const now = () => (this.last ? subtree(this.sources.treeOf(this.last.processes), root.pid).filter((p) => p.pid !== root.pid || p.startTicks === root.startTicks) : []);
    return this.terminator.terminateSet(opts.members ?? now(), { ...opts, label: `tree of ${root.pid}`, rescan: () => (this.last ? now() : opts.members ?? []) });
  }

  /**
   * End a set the user chose (tagged processes): `members` leaves first, one wait. With `roots`, the
   * descendants of those roots born meanwhile are found again before each later signal (K on a tagged set).
   */
  endSet(members: readonly TerminateTarget[], opts: EndOptions & { label: string; roots?: readonly TerminateTarget[] }): SetJob {
    const roots = opts.roots;
    const rescan = roots
      ? () => {
          if (!this.last) return members;
          const tree = this.sources.treeOf(this.last.processes);
          return roots.flatMap((r) => subtree(tree, r.pid).filter((p) => p.pid !== r.pid || p.startTicks === r.startTicks));
        }
      : undefined;
    return this.terminator.terminateSet(members, { ...opts, rescan });
  }

  /**
   * End a whole session: its members (`members` as the user saw them, default the latest frame's), leaves
   * first, one grace period, and any member born meanwhile. Null when the latest frame has no such session.
   * `protectedPids` (a caller's own tree) are refused like spmon's ancestors, newcomers included.
   */
  endSession(id: string, opts: EndOptions & { members?: readonly TerminateTarget[]; protectedPids?: Iterable<number> } = {}): SetJob | null {
    const session = this.last?.sessions.find((x) => x.id === id);
    if (!session && !opts.members) return null;
    const current = (): readonly ProcessStat[] => this.last?.sessions.find((x) => x.id === id)?.members ?? [];
    return this.terminator.terminateSet(opts.members ?? current().slice(), {
      ...opts,
      label: `session ${session?.name ?? id}`,
      rescan: () => current(),
    });
  }

  /** A session kind from elsewhere (the daemon's supervised runs): its sessions appear in every frame from the next. */
  addProvider(p: SessionProvider): void {
    this.providers.push(p);
  }

  /** cwd and open files of some processes now (null fields: unreadable or gone). */
  inspect(pids: number[]): RawProcessFiles[] {
    if (pids.length === 0) return [];
    return this.reader.sample({ processes: false, host: false, cgroup: false, inspectPids: pids }).inspect ?? [];
  }

  /** USS and CPU % history of a live process (for a sparkline). */
  history(key: string): ProcessHistory | undefined {
    return this.sampler.history(key);
  }

  /** Trees the user picked as sessions (`T`). */
  get treePicks(): readonly TreePick[] {
    return this.sources.treePicks;
  }

  /** List tmux again at the next tick, though no server or pane came or went (Ctrl-L: a rename shows at once). */
  relist(): void {
    this.sources.relist();
  }

  /** Change the picked trees; the current frame's sessions are rebuilt at once. */
  setTreePicks(picks: readonly TreePick[]): void {
    this.sources.setTreePicks(picks);
    if (this.last) this.last = this.rebuildSessions(this.last);
  }

  /**
   * One tick: sample with the feedback of what consumers watch, build sessions, publish the frame. Asked
   * for by a subscriber while a frame is being published, it returns that frame (a tick does not nest).
   */
  tick(): Frame {
    if (this.publishing && this.last) return this.last;
    const cpu0 = process.cpuUsage();
    const frame = this.sample(this.feedback());
    tierForProcesses(frame.processes.length);
    this.publish(frame);
    const used = process.cpuUsage(cpu0);
    this.lastTickCpuMs = (used.user + used.system) / 1000;
    this.ticks.count++;
    this.ticks.cpuMs += this.lastTickCpuMs;
    return frame;
  }

  /**
   * Tick every `intervalMs` until stop(), the first time after `firstMs`; a tick that throws is reported to
   * `onError` and the loop goes on.
   */
  start(intervalMs: number, onError: (err: Error) => void = () => undefined, firstMs = 0): void {
    if (this.timer) return;
    const run = () => {
      try {
        this.tick();
      } catch (err) {
        onError(err as Error);
      }
      if (this.timer !== null) this.timer = setTimeout(run, Math.max(50, intervalMs));
    };
    this.timer = setTimeout(run, firstMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A snapshot: two samples `intervalSec` apart (one when it is 0: no rates, and /proc/<pid>/io is not
   * read, its counters only feed rates), with every smaps read, tmux listed and every agent log read.
   */
  async snapshot(intervalSec: number, reads: Reads = {}): Promise<Frame> {
    // The tmux children (one per live server) run while the first (blocking) sample reads /proc.
    const settling = this.sources.settle();
    await settling.started;
    let snap: ModelSnapshot;
    const io = reads.io === true || (reads.io !== false && intervalSec > 0);
    try {
      snap = this.ingest(this.read({ ...(io ? {} : { io: false }), ...(reads.smaps === false ? { smaps: false } : {}) }));
    } catch (err) {
      settling.done.catch(() => undefined);
      throw err;
    }
    if (intervalSec > 0) {
      await sleep(intervalSec * 1000);
      await settling.done;
      snap = this.ingest(this.read({ inspectPids: this.sources.inspectPids(snap.processes), ...(io ? {} : { io: false }), ...(reads.smaps === false ? { smaps: false } : {}) }));
    } else {
      await settling.done;
      const pids = this.sources.inspectPids(snap.processes);
      if (pids.length > 0) snap = { ...snap, inspect: this.reader.sample({ processes: false, host: false, cgroup: false, inspectPids: pids }).inspect ?? [] };
    }
    this.sources.update(snap);
    const frame = this.frameOf(snap);
    this.publish(frame);
    return frame;
  }

  /** Stop ticking, stop watching terminations, list tmux no more (one already running finishes). */
  async close(): Promise<void> {
    this.stop();
    this.terminator.close();
    await this.sources.close();
  }

  /** What the next sample reads beyond the basics, from what consumers watch. */
  private feedback(): SampleOptions {
    const opts: SampleOptions = {};
    const hot = new Set<string>();
    for (const i of this.interests.values()) {
      if (i.detailPid != null && opts.detailPid === undefined) opts.detailPid = i.detailPid;
      if (i.hotKeys) for (const k of i.hotKeys) hot.add(k);
      if (i.sessionId && this.last) {
        const s = this.last.sessions.find((x) => x.id === i.sessionId);
        if (s && s.kind !== 'pod') for (const k of s.keys) hot.add(k);
      }
    }
    if (this.last) {
      const inspect = this.sources.inspectPids(this.last.processes);
      if (inspect.length > 0) opts.inspectPids = inspect;
    }
    // After the first sample (which reads every smaps), smaps_rollup is read within a budget, what
    // consumers watch first: see model/smaps_schedule.ts (the order) and model/smaps_budget.ts (the time).
    if (this.sampler.hasHistory) {
      const schedule = { ...defaultSmapsSchedule, budgetMs: this.settings.smapsBudget };
      Object.assign(opts, this.smapsBudget.plan(rankSmaps(this.sampler.smapsCandidates(Date.now()), hot, schedule), schedule.budgetMs));
    }
    return opts;
  }

  private sample(opts: SampleOptions): Frame {
    const snap = this.ingest(this.read(opts));
    this.sources.update(snap);
    return this.frameOf(snap);
  }

  private sampleMs = 0;
  /** The smaps reading time per tick: planned in feedback(), taught by each sample what reads cost. */
  private readonly smapsBudget = new SmapsBudget();
  /** The model snapshot behind the latest frame. */
  private lastSnap: ModelSnapshot | null = null;

  /** One native sample, timed. */
  private read(opts: SampleOptions): ReturnType<Reader['sample']> {
    const t0 = monotonicMs();
    const raw = this.reader.sample(opts);
    this.sampleMs = monotonicMs() - t0;
    const failure = opts.processes === false ? null : readFailure(raw.stats, this.settings.procRoot);
    if (failure) throw new EngineError(failure);
    this.smapsBudget.learn(raw);
    return raw;
  }

  private ingest(raw: ReturnType<Reader['sample']>): ModelSnapshot {
    const snap = this.sampler.ingest(raw, monotonicMs(), Date.now());
    this.guardNow = guardOf(snap.processes, process.pid);
    return snap;
  }

  private frameOf(snap: ModelSnapshot): Frame {
    this.lastSnap = snap;
    const { sessions, membership } = assembleSessions(snap, this.providers, () => this.sources.treeOf(snap.processes));
    const host: FrameHost = { ...snap.host, name: this.hostName, kernel: this.kernel };
    const userName = this.userName;
    return {
      seq: ++this.seq,
      wallMs: snap.wallMs,
      intervalMs: snap.intervalMs,
      host,
      cgroup: snap.cgroup,
      processes: snap.processes,
      exited: snap.exited,
      sessions,
      detail: snap.detail,
      cost: { sampleMs: this.sampleMs, lastTickCpuMs: this.lastTickCpuMs },
      sessionIdsOf: membership.idsOf,
      sessionLabelOf: membership.labelOf,
      userName,
    };
  }

  /** The same frame with its sessions built again (after the picked trees changed). */
  private rebuildSessions(f: Frame): Frame {
    const snap = this.lastSnap;
    if (!snap) return f;
    const { sessions, membership } = assembleSessions(snap, this.providers, () => this.sources.treeOf(snap.processes));
    return { ...f, sessions, sessionIdsOf: membership.idsOf, sessionLabelOf: membership.labelOf };
  }

  private publishing = false;

  private publish(frame: Frame): void {
    this.last = frame;
    this.publishing = true;
    try {
      for (const fn of this.listeners) fn(frame);
    } finally {
      this.publishing = false;
    }
  }
}
