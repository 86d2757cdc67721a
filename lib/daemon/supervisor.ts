// Supervised sessions: the daemon starts a command as a session of its own (setsid, output straight into
// its log file), restarts it by policy with a doubling delay, gives up with a reason after too many
// restarts in a row, and stops it with its whole tree (the stop signal, the grace period, then SIGKILL,
// then a freeze-and-kill sweep for what forked meanwhile), always by process identity. It is a child
// subreaper's job too: orphaned grandchildren come to the daemon, and are reaped here.
// Long because one life cycle (start, exit, restart, stop, lost) is one state machine; the pieces it
// uses (records, logs, membership) live in their own files.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Engine } from '../engine/engine';
import type { Frame } from '../engine/frame';
import { parseSignal, SignalName, SIGNALS, Stage, TerminateTarget } from '../engine/terminator';
import { RunExit, runIsLive, runMembers, runSessionId, RunState } from '../model/sessions';
import type { ProcessStat } from '../model/process_stat';
import { buildTree } from '../model/tree';
import { processStartTicks, reapChild } from '../native';
import type { EventLog } from './events';
import { OutputLog } from './output_log';
import { ApiError } from './protocol';
import { RestartPolicy, RunRecord, RunStore, validRunName } from './run_store';
import { runSpecProblem } from './run_spec';
import { isoTime, monotonicMs } from '../model/clock';

export interface RunSpec {
  name?: string;
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  restart?: RestartPolicy;
  maxRestarts?: number;
  restartDelaySec?: number;
  stopSignal?: string;
  graceSec?: number;
  /** A run that ends sooner than this counts as failed, whatever its exit code (a continuation that dies at once). */
  minUptimeSec?: number;
}

export interface SupervisorOptions {
  /** Bytes of output held per session on disk; past it the oldest half is freed. */
  logMaxBytes: number;
  /** Bytes kept of an ended session's output. */
  endedLogBytes: number;
  /** Ended sessions remembered (the oldest go, with their logs). */
  keepEnded: number;
  /** Default grace between the stop signal and SIGKILL, seconds. */
  graceSec: number;
  /** The daemon's environment, which commands inherit. */
  env: NodeJS.ProcessEnv;
  procRoot: string;
  log: (message: string) => void;
  events: EventLog;
}

/** A run that stays up this long has its backoff reset. */
const RESET_AFTER_MS = 30_000;
/** The backoff never waits longer than this. */
const MAX_DELAY_MS = 60_000;
/** How often the size of live logs is checked against the cap. */
const LOG_CHECK_MS = 250;
/** Freeze-and-kill rounds after the stop's SIGKILL, for a tree that keeps forking. */
const SWEEP_ROUNDS = 50;

/** "exit code 1", "killed by SIGKILL", "exit not seen". */
function exitWords(e: RunExit): string {
  if (e.signal) return `killed by ${e.signal}`;
  return e.code === null ? 'exit not seen' : `exit code ${e.code}`;
}

const signalName = (sig: NodeJS.Signals | null): string | null => sig;

/** Clock ticks since boot as of a frame (the unit of start times); the newest start when uptime is unknown. */
function nowTicks(frame: Frame): number {
  const h = frame.host;
  if (h.uptimeSec !== null) return Math.floor(h.uptimeSec * h.clockTicks);
  let newest = 0;
  for (const p of frame.processes) if (p.startTicks > newest) newest = p.startTicks;
  return newest;
}

interface Live {
  rec: RunRecord;
  log: OutputLog;
  child: ChildProcess | null;
  /** Resolved when the current leader has exited and its leftovers are ended. */
  exited: Promise<void> | null;
  restartTimer: NodeJS.Timeout | null;
  /** A stop was asked for: no restart after this exit. */
  stopping: Promise<void> | null;
  startedMono: number;
}

/** How long a zombie child Node did not spawn must stay one before the daemon reaps it (see reapOrphans). */
const ORPHAN_AGE_MS = 1000;

export class Supervisor {
  private readonly runs = new Map<string, Live>();
  /** Pids of leaders spawned through Node (libuv reaps those; reapOrphans must not). */
  private readonly spawned = new Set<number>();
  private readonly logTimer: NodeJS.Timeout;
  private shuttingDown = false;
  /** Zombie children not spawned by Node, by key: when first seen (reapOrphans). */
  private zombiesSince = new Map<string, number>();

  constructor(
    private readonly engine: Engine,
    private readonly store: RunStore,
    private readonly opts: SupervisorOptions,
  ) {
    for (const rec of store.load(opts.log)) this.adopt(rec);
    this.pruneEnded();
    this.logTimer = setInterval(() => this.capLogs(), LOG_CHECK_MS);
    this.logTimer.unref();
  }

  /** Records from an earlier daemon: a live leader is `lost` (stopped on request by its identity); the rest ended unseen. */
  private adopt(rec: RunRecord): void {
    const log = new OutputLog(rec.log.path, rec.log.base, rec.log.start);
    const live: Live = { rec, log, child: null, exited: null, restartTimer: null, stopping: null, startedMono: monotonicMs() };
    this.runs.set(rec.name, live);
    if (!runIsLive(rec.state) && rec.state !== 'backoff') return;
    const alive = rec.pid !== null && rec.startTicks !== null && processStartTicks(rec.pid, this.opts.procRoot) === rec.startTicks;
    // A leader that died while no daemon watched may have left processes in its kernel session: lost
    // for now; the first frame ends it as exited, or keeps it while they run (onFrame).
    const remnant = !alive && rec.pid !== null && rec.startTicks !== null && rec.state !== 'backoff';
    if (alive || remnant) {
      if (rec.state !== 'lost' && alive) {
        this.opts.log(`${rec.id}: pid ${rec.pid} outlived the daemon that started it: lost (its output still goes to ${rec.log.path})`);
        this.opts.events.add('lost', rec.id, { reason: 'it outlived the daemon that started it', details: { pid: rec.pid, startTicks: rec.startTicks } });
      }
      rec.state = 'lost';
    } else {
      this.end(live, rec.state === 'backoff' ? 'exited' : 'exited', null, rec.state === 'backoff' ? 'the daemon stopped before restarting it' : 'it ended while no daemon watched it');
      return;
    }
    this.save(live);
  }

  /** The daemon is stopping: nothing new is started. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  list(): RunRecord[] {
    return [...this.runs.values()].map((l) => l.rec);
  }

  /** The run named by `id` (`run:NAME` or NAME); not-found otherwise. */
  get(id: string): RunRecord {
    return this.live(id).rec;
  }

  private live(id: string): Live {
    const name = id.startsWith('run:') ? id.slice(4) : id;
    const l = this.runs.get(name);
    if (!l) throw new ApiError('not-found', `no supervised session "${id}"`);
    return l;
  }

  /** Start a command as a new session; resolves once it runs (or rejects: cannot-start, name-taken, bad-request). */
  async start(spec: RunSpec): Promise<RunRecord> {
    if (this.shuttingDown) throw new ApiError('refused', 'the daemon is stopping');
    const command = spec.command;
    if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === 'string') || command[0] === '')
      throw new ApiError('bad-request', 'command must be a non-empty list of strings');
    const problem = runSpecProblem(spec);
    if (problem) throw new ApiError('bad-request', problem);
    const name = spec.name ?? this.freeName(command[0]);
    if (!validRunName(name)) throw new ApiError('bad-request', `no free name for "${command[0].slice(0, 80)}": give one with --name`);
    const old = this.runs.get(name);
    if (old && (runIsLive(old.rec.state) || old.rec.state === 'backoff')) throw new ApiError('name-taken', `a session named "${name}" is ${old.rec.state}`);
    const cwd = path.resolve(spec.cwd ?? this.opts.env.HOME ?? '/');
    let st: fs.Stats;
    try {
      st = fs.statSync(cwd);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message;
      throw new ApiError('cannot-start', `cannot start in ${cwd}: ${why}`);
    }
    if (!st.isDirectory()) throw new ApiError('cannot-start', `cannot start in ${cwd}: not a directory`);
    // Checked by runSpecProblem above.
    const stopSignal = parseSignal(spec.stopSignal ?? 'SIGTERM')!;
    const env = spec.env ?? {};
    const num = (v: number | undefined, dflt: number): number => v ?? dflt;
    const restart = spec.restart ?? 'no';
    if (old) {
      this.runs.delete(name);
      this.store.remove(old.rec);
    }
    const rec: RunRecord = {
      id: runSessionId(name),
      name,
      state: 'starting',
      command: command.slice(),
      cwd,
      pid: null,
      startTicks: null,
      startedAt: null,
      restarts: 0,
      lastExit: null,
      reason: null,
      env: { ...env },
      restart,
      maxRestarts: Math.floor(num(spec.maxRestarts, 5)),
      restartDelaySec: num(spec.restartDelaySec, 1),
      stopSignal,
      graceSec: num(spec.graceSec, this.opts.graceSec),
      minUptimeSec: num(spec.minUptimeSec, 0),
      createdAt: isoTime(),
      endedAt: null,
      restartsInRow: 0,
      nextStartAt: null,
      log: { path: this.store.logPath(name), base: 0, start: 0 },
      daemonPid: process.pid,
    };
    fs.rmSync(rec.log.path, { force: true });
    const live: Live = { rec, log: new OutputLog(rec.log.path), child: null, exited: null, restartTimer: null, stopping: null, startedMono: 0 };
    try {
      await this.launch(live);
    } catch (err) {
      // Nothing left behind: no record, no log.
      live.log.remove();
      throw err;
    }
    this.runs.set(name, live);
    this.save(live);
    return rec;
  }

  /** `sleep-1`, `sleep-2`, ...: the first free name for a command. */
  private freeName(argv0: string): string {
    return this.freshName(path.basename(argv0));
  }

  /** `base-1`, `base-2`, ...: the first name no session has. */
  freshName(base: string): string {
    const b = (base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '') || 'run').slice(0, 56);
    for (let i = 1; ; i++) if (!this.runs.has(`${b}-${i}`)) return `${b}-${i}`;
  }

  /** Spawn the leader; resolves when it runs, rejects (cannot-start) when it cannot be started. */
  private launch(live: Live): Promise<void> {
    const rec = live.rec;
    const fd = live.log.openForChild();
    let child: ChildProcess;
    try {
      child = spawn(rec.command[0], rec.command.slice(1), {
        cwd: rec.cwd,
        env: { ...this.opts.env, ...rec.env },
        // A session of its own: its process group and kernel session are the leader's pid.
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } catch (err) {
      fs.closeSync(fd);
      return Promise.reject(new ApiError('cannot-start', `cannot start ${rec.command[0]}: ${(err as Error).message}`));
    }
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        fs.closeSync(fd);
        const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable (permission denied)' : err.message;
        reject(new ApiError('cannot-start', `cannot start ${rec.command[0]}: ${why}`));
      };
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        fs.closeSync(fd);
        const pid = child.pid!;
        // Read before this event loop turn ends: libuv reaps the child only later, so even one that
        // already exited still has its /proc entry.
        rec.pid = pid;
        rec.startTicks = processStartTicks(pid, this.opts.procRoot);
        rec.leaderGoneTicks = null;
        rec.startedAt = isoTime();
        rec.state = 'running';
        rec.daemonPid = process.pid;
        rec.nextStartAt = null;
        live.child = child;
        live.startedMono = monotonicMs();
        this.spawned.add(pid);
        child.on('error', (err) => this.opts.log(`${rec.id}: ${err.message}`));
        this.opts.events.add('started', rec.id, { details: { pid, startTicks: rec.startTicks, restarts: rec.restarts, command: rec.command } });
        live.exited = new Promise<void>((done) => {
          child.once('exit', (code, signal) => {
            this.spawned.delete(pid);
            void this.onExit(live, { code, signal: signalName(signal), at: isoTime() }).finally(done);
          });
        });
        resolve();
      });
    });
  }

  /** The leader exited: end its leftovers, then restart by policy, or record the end. */
  private async onExit(live: Live, exit: RunExit): Promise<void> {
    const rec = live.rec;
    const exitedAt = Date.now();
    rec.lastExit = exit;
    live.child = null;
    const upMs = monotonicMs() - live.startedMono;
    // What it left running (children that outlived it) goes with it; a stop under way does that itself.
    if (!live.stopping) await this.endTree(live, rec.stopSignal, rec.graceSec);
    rec.pid = null;
    rec.startTicks = null;
    if (live.stopping || this.shuttingDown) {
      this.end(live, 'exited', exit, null);
      return;
    }
    const tooSoon = (rec.minUptimeSec ?? 0) > 0 && upMs < (rec.minUptimeSec ?? 0) * 1000;
    // A signal death has no exit code: it failed only by a signal other than the stop signal (README).
    const failed = (exit.signal === null ? exit.code !== 0 : exit.signal !== rec.stopSignal) || tooSoon;
    const again = rec.restart === 'always' || (rec.restart === 'on-failure' && failed);
    if (!again) {
      this.end(live, failed ? 'failed' : 'exited', exit, null);
      return;
    }
    if (upMs >= RESET_AFTER_MS) rec.restartsInRow = 0;
    if (rec.restartsInRow >= rec.maxRestarts) {
      const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
      this.end(live, 'gave-up', exit, `${rec.restartsInRow} restart${rec.restartsInRow === 1 ? '' : 's'} in a row, each ending within ${RESET_AFTER_MS / 1000} s (last: ${how}); not restarted again (spmon restart ${rec.id} to try again)`);
      return;
    }
    const delayMs = Math.min(MAX_DELAY_MS, rec.restartDelaySec * 1000 * 2 ** rec.restartsInRow);
    this.opts.events.add('restart-scheduled', rec.id, {
      reason: exitWords(exit),
      details: { delayMs, restartsInRow: rec.restartsInRow + 1, maxRestarts: rec.maxRestarts, upMs: Math.round(upMs), exit },
    });
    rec.restartsInRow++;
    rec.state = 'backoff';
    // The delay counts from the exit (ending leftovers took part of it already).
    const startAt = exitedAt + delayMs;
    rec.nextStartAt = isoTime(startAt);
    this.save(live);
    live.restartTimer = setTimeout(() => {
      live.restartTimer = null;
      rec.restarts++;
      this.launch(live).then(
        () => this.save(live),
        (err: Error) => this.end(live, 'failed', rec.lastExit, err.message),
      );
    }, Math.max(0, startAt - Date.now()));
  }

  /** Record a final state. */
  private end(live: Live, state: Extract<RunState, 'exited' | 'failed' | 'gave-up'>, exit: RunExit | null, reason: string | null): void {
    const rec = live.rec;
    this.opts.events.add(state, rec.id, { reason: reason ?? (exit ? exitWords(exit) : null), outcome: state, details: { exit, restarts: rec.restarts } });
    rec.state = state;
    if (exit) rec.lastExit = exit;
    else if (rec.lastExit === null || rec.pid !== null) rec.lastExit = { code: null, signal: null, at: isoTime() };
    rec.reason = reason;
    rec.pid = null;
    rec.startTicks = null;
    rec.leaderGoneTicks = null;
    rec.nextStartAt = null;
    rec.endedAt = isoTime();
    live.log.enforceCap(this.opts.endedLogBytes);
    this.save(live);
    this.pruneEnded();
  }

  /** Stop a session: its stop signal to the whole tree, the grace, SIGKILL, a sweep. Resolves when it is over. */
  stop(id: string, opts: { graceSec?: number; signal?: string } = {}): Promise<RunRecord> {
    const live = this.live(id);
    const rec = live.rec;
    if (live.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = null;
      this.end(live, 'exited', null, 'stopped while waiting to restart');
      return Promise.resolve(rec);
    }
    if (!runIsLive(rec.state)) return Promise.resolve(rec);
    if (live.stopping) return live.stopping.then(() => rec);
    const signal = opts.signal === undefined ? rec.stopSignal : parseSignal(opts.signal);
    if (!signal) return Promise.reject(new ApiError('bad-request', `no signal "${opts.signal}"`));
    const grace = opts.graceSec ?? rec.graceSec;
    rec.state = 'stopping';
    this.save(live);
    this.opts.events.add('stop', rec.id, { reason: 'requested', details: { signal, graceSec: grace } });
    live.stopping = (async () => {
      await this.endTree(live, signal, grace);
      if (live.exited) await live.exited;
      else this.end(live, 'exited', null, 'stopped (it was started by an earlier daemon)');
    })();
    return live.stopping.then(() => rec);
  }

  /**
   * End a run with `stages` (the whole tree, as a stop does; no restart of what ran) and start `command`
   * in its place: same name, cwd and environment, the given restart settings (a termination request's
   * continuation). `command` null: only ended.
   */
  async replace(
    id: string,
    stages: readonly Stage[],
    command: string[] | null,
    settings: { restart: RestartPolicy; maxRestarts: number; restartDelaySec: number; minUptimeSec: number },
  ): Promise<RunRecord> {
    const live = this.live(id);
    const rec = live.rec;
    if (live.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = null;
    }
    if (runIsLive(rec.state) && !live.stopping) {
      rec.state = 'stopping';
      this.save(live);
      live.stopping = (async () => {
        await this.endTreeWith(live, stages);
        if (live.exited) await live.exited;
      })();
    }
    if (live.stopping) await live.stopping;
    live.stopping = null;
    if (!command) {
      if (runIsLive(rec.state) || rec.state === 'backoff') this.end(live, 'exited', null, 'ended by a termination request');
      return rec;
    }
    // The daemon began to stop meanwhile: nothing new starts under a daemon that is going away.
    if (this.shuttingDown) {
      if (runIsLive(rec.state) || rec.state === 'backoff') this.end(live, 'exited', null, 'ended by a termination request; the daemon stopped before its continuation started');
      throw new ApiError('refused', 'the daemon is stopping: the continuation was not started');
    }
    Object.assign(rec, settings);
    rec.command = command;
    rec.restartsInRow = 0;
    rec.reason = null;
    rec.endedAt = null;
    rec.state = 'starting';
    rec.restarts++;
    try {
      await this.launch(live);
    } catch (err) {
      this.end(live, 'failed', rec.lastExit, (err as Error).message);
      throw err;
    }
    this.save(live);
    return rec;
  }

  /** Stop (if needed) and start again with the same spec; the restart counters start over. */
  async restart(id: string): Promise<RunRecord> {
    const live = this.live(id);
    if (this.shuttingDown) throw new ApiError('refused', 'the daemon is stopping');
    await this.stop(id);
    const rec = live.rec;
    live.stopping = null;
    if (this.shuttingDown) throw new ApiError('refused', 'the daemon is stopping: the session was stopped, not started again');
    rec.restartsInRow = 0;
    rec.reason = null;
    rec.endedAt = null;
    rec.state = 'starting';
    rec.restarts++;
    try {
      await this.launch(live);
    } catch (err) {
      this.end(live, 'failed', rec.lastExit, (err as Error).message);
      throw err;
    }
    this.save(live);
    return rec;
  }

  /** The run's members as the latest frame has them (the leader by identity at least, while it runs). */
  private members(leader: { pid: number | null; startTicks: number | null; leaderGoneTicks?: number | null }, frame: Frame | null): ProcessStat[] {
    if (leader.pid === null || leader.startTicks === null || !frame) return [];
    return runMembers(leader, frame.processes, buildTree(frame.processes));
  }

  /**
   * End the run's whole tree: `signal`, `graceSec`, SIGKILL for survivors and newcomers (the Terminator
   * does this by identity), then rounds of SIGSTOP (so nothing forks) and SIGKILL until no member is left.
   */
  private async endTree(live: Live, signal: SignalName, graceSec: number): Promise<void> {
    return this.endTreeWith(live, [{ signal, waitMs: graceSec * 1000 }]);
  }

  private async endTreeWith(live: Live, stages: readonly Stage[]): Promise<void> {
    const rec = live.rec;
    // The leader as it is now: its exit (handled meanwhile) must not make its session anonymous.
    const leader = { pid: rec.pid, startTicks: rec.startTicks, leaderGoneTicks: rec.leaderGoneTicks ?? null };
    const fresh = () => this.members(leader, this.engine.tick());
    let members: TerminateTarget[] = fresh();
    if (members.length === 0 && leader.pid !== null && leader.startTicks !== null && live.child !== null) {
      // Not in a frame yet (it started a moment ago): the leader by its identity.
      members = [{ pid: leader.pid, startTicks: leader.startTicks, name: rec.name, ppid: 0 }];
    }
    if (members.length === 0) return;
    const job = this.engine.terminator.terminateSet(members, {
      label: rec.id,
      stages,
      rescan: fresh,
    });
    await job.done;
    // A tree that keeps forking outruns one SIGKILL round: freeze what is there, then kill it, until none
    // is left twice in a row (a process forked while /proc is walked can be missed by one walk).
    let empty = 0;
    for (let round = 0; round < SWEEP_ROUNDS && empty < 2; round++) {
      const left = fresh().filter((p) => p.state !== 'Z');
      if (left.length === 0) {
        empty++;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      empty = 0;
      this.opts.log(`${rec.id}: ${left.length} process(es) outlived SIGKILL; freezing and killing (round ${round + 1})`);
      await this.engine.terminator.terminateSet(left, { label: rec.id, stages: [{ signal: 'SIGSTOP', waitMs: 0 }], escalate: false }).done;
      const frozen = fresh().filter((p) => p.state !== 'Z');
      await this.engine.terminator.terminateSet(frozen, { label: rec.id, stages: [{ signal: 'SIGKILL', waitMs: 0 }] }).done;
    }
    if (empty < 2) this.opts.log(`${rec.id}: processes were still appearing after ${SWEEP_ROUNDS} rounds of freezing and killing`);
    this.reapOrphans(this.engine.frame);
  }

  /** On every frame: reap orphaned zombies that came to the daemon, and notice lost sessions that ended. */
  onFrame(frame: Frame): void {
    this.reapOrphans(frame);
    for (const live of this.runs.values()) {
      const rec = live.rec;
      if (rec.state !== 'lost' || live.stopping) continue;
      if (rec.pid === null || rec.startTicks === null) {
        this.end(live, 'exited', null, 'it ended while no daemon watched it');
        continue;
      }
      // Alive: in the frame by its identity and not a zombie (pid 1 need not reap it: it is not our child).
      const leader = frame.processes.find((p) => p.pid === rec.pid && p.startTicks === rec.startTicks);
      if ((rec.leaderGoneTicks ?? null) === null && leader !== undefined && leader.state !== 'Z') continue;
      // The leader is gone. What it left running in its kernel session is still the run's (no daemon
      // ended it): the run stays lost, and stoppable, until none of that is left.
      const first = (rec.leaderGoneTicks ?? null) === null;
      if (first) rec.leaderGoneTicks = nowTicks(frame);
      const left = this.members(rec, frame).filter((p) => p.state !== 'Z');
      if (left.length === 0) {
        this.end(live, 'exited', null, 'it ended while no daemon watched it');
        continue;
      }
      if (first) {
        rec.reason = `its main process (pid ${rec.pid}) ended while no daemon watched it; ${left.length} process(es) of its session still run`;
        this.opts.log(`${rec.id}: ${rec.reason}`);
        this.opts.events.add('lost', rec.id, { reason: rec.reason, details: { pid: rec.pid, startTicks: rec.startTicks, left: left.length } });
        this.save(live);
      }
    }
  }

  /**
   * Zombies whose parent is the daemon and that Node did not spawn (orphans re-parented to this subreaper).
   * Node's other children (a `tmux list-panes` of the engine, a `tmux send-keys`) are zombies too for a
   * moment, until libuv's SIGCHLD handler reaps them on the next turn of the event loop; a sample taken
   * meanwhile shows them so. Reaping one of those would steal its exit from libuv (its ChildProcess would
   * never end, and a later kill() of it could hit a reused pid). So a zombie is reaped only once it has
   * stayed one for ORPHAN_AGE_MS across frames: libuv reaps its own long before.
   */
  reapOrphans(frame: Frame | null, nowMs: number = monotonicMs()): number {
    if (!frame) return 0;
    let n = 0;
    const seen = new Map<string, number>();
    for (const p of frame.processes) {
      if (p.ppid !== process.pid || p.state !== 'Z' || this.spawned.has(p.pid)) continue;
      const since = this.zombiesSince.get(p.key) ?? nowMs;
      if (nowMs - since < ORPHAN_AGE_MS) {
        seen.set(p.key, since);
        continue;
      }
      if (reapChild(p.pid).status === 'reaped') n++;
    }
    this.zombiesSince = seen;
    return n;
  }

  private capLogs(): void {
    for (const live of this.runs.values()) {
      if (!runIsLive(live.rec.state)) continue;
      const freed = live.log.enforceCap(this.opts.logMaxBytes);
      if (freed > 0) {
        live.rec.log = { path: live.log.path, ...live.log.state };
        this.save(live);
      }
    }
  }

  /** Keep the last `keepEnded` ended sessions. */
  private pruneEnded(): void {
    const ended = [...this.runs.values()].filter((l) => l.rec.endedAt !== null && !runIsLive(l.rec.state) && l.rec.state !== 'backoff');
    ended.sort((a, b) => (a.rec.endedAt! < b.rec.endedAt! ? -1 : 1));
    for (const l of ended.slice(0, Math.max(0, ended.length - this.opts.keepEnded))) {
      this.runs.delete(l.rec.name);
      this.store.remove(l.rec);
    }
  }

  private save(live: Live): void {
    live.rec.log = { path: live.log.path, ...live.log.state };
    try {
      this.store.save(live.rec);
    } catch (err) {
      this.opts.log(`cannot record ${live.rec.id}: ${(err as Error).message}`);
    }
  }

  /** The output log of a run. */
  logOf(id: string): { log: OutputLog; rec: RunRecord } {
    const l = this.live(id);
    return { log: l.log, rec: l.rec };
  }

  /** Stop every live session by its own policy and wait for them (the daemon is stopping). */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.logTimer);
    const stops: Promise<unknown>[] = [];
    for (const live of this.runs.values()) {
      if (live.restartTimer) {
        clearTimeout(live.restartTimer);
        live.restartTimer = null;
        this.end(live, 'exited', null, 'the daemon stopped before restarting it');
      } else if (runIsLive(live.rec.state) && live.rec.state !== 'lost') stops.push(this.stop(live.rec.id).catch(() => undefined));
    }
    await Promise.all(stops);
  }
}

/** Signal numbers spmon knows, for a stop signal given as a number. */
export const KNOWN_SIGNALS = Object.keys(SIGNALS);
