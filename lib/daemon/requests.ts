// Termination requests: end an agent session (its whole tree, by identity) and continue the work where
// the user will see it: in the same supervised session when the agent ran under `spmon run`, in the same
// tmux pane when it ran in tmux, else in a new supervised session in the agent's directory. Requests come
// from the CLI (`spmon request-termination`), the Claude Code hook, the agent policy, MCP, and JSON files
// dropped into <state>/requests/. Every request, processed or refused, is kept in a bounded history.
// Long because a request's life (resolve, end, continue, retry) is one sequence; the tmux and file
// handling are beside it (tmux_control.ts, request_files.ts).
import * as fs from 'fs';
import * as path from 'path';
import type { AgentsSettings } from '../config';
import type { Engine } from '../engine/engine';
import type { Frame } from '../engine/frame';
import type { Stage, TerminateTarget } from '../engine/terminator';
import { ownSession } from '../model/own_session';
import { ancestorPids } from '../model/protection';
import type { ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';
import { buildTree, subtree } from '../model/tree';
import type { EventLog } from './events';
import { ApiError } from './protocol';
import type { Supervisor } from './supervisor';
import { continueInPane, findPane } from './tmux_control';
import { isoTime } from '../model/clock';

export const REQUEST_REASONS = ['token_limit_approaching', 'phase_complete', 'error', 'manual'] as const;
export type RequestReason = (typeof REQUEST_REASONS)[number];
export type RequestPriority = 'graceful' | 'immediate';
export type RequestSource = 'cli' | 'file' | 'hook' | 'policy' | 'mcp';

export interface RequestInput {
  session?: string;
  pid?: number;
  /** Pins `pid`: a process that started at another time is not the one meant. */
  pidStartTime?: number;
  /** Pins `pid` as process rows do: its start in ms since the epoch. */
  startTimeMs?: number;
  /** A process that started after this (ms since the epoch) is not the one meant (a request file's timestamp). */
  notAfterMs?: number;
  reason: RequestReason;
  continuationCommand?: string | null;
  priority?: RequestPriority;
  note?: string | null;
  source: RequestSource;
  /** Who asked (the peer of the control API): with no session or pid, their own session is meant. */
  requesterPid?: number;
  /** Refuse when the same place had a request less than this long ago (the policy's cool-down). */
  cooldownSec?: number;
}

export type RequestState = 'ending' | 'continuing' | 'done' | 'failed' | 'refused';

export interface RequestRecord {
  id: string;
  createdAt: string;
  source: RequestSource;
  reason: RequestReason;
  priority: RequestPriority;
  continuationCommand: string | null;
  note: string | null;
  target: { session: string | null; kind: string | null; name: string | null; pid: number | null; startTicks: number | null; cwd: string | null; place: string | null };
  state: RequestState;
  /** Where the continuation runs: a supervised session id, or a tmux pane. */
  continuation: { where: 'run' | 'tmux' | 'new-run'; id: string | null; attempts: number } | null;
  /** What happened, in words (why it was refused or failed, or how it ended). */
  outcome: string | null;
  /** When refused because another request is already ending the same place: that request. */
  alreadyEndingBy: { id: string; continuationCommand: string | null } | null;
  finishedAt: string | null;
}

/** A continuation that ends within this long counts as failed. */
export const MIN_UPTIME_SEC = 5;
/** Attempts at a continuation, and the first wait between them (doubling). */
export const CONTINUATION_ATTEMPTS = 3;
export const CONTINUATION_BACKOFF_SEC = 2;
/** `immediate`: SIGTERM, this grace, SIGKILL. */
const IMMEDIATE_GRACE_MS = 3000;
const HISTORY = 200;
/** Between answering a request and acting on it. */
const ANSWER_FIRST_MS = 1000;
/** How long the tmux pane of an agent is looked for (a listing takes milliseconds; tmux may hang). */
const PANE_LOOKUP_MS = 10_000;

/** `p`'s value, or `fallback` once `ms` have passed without one. */
function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

export interface RequestDeps {
  engine: Engine;
  supervisor: Supervisor;
  events: EventLog;
  settings: () => { agents: AgentsSettings; grace: number };
  env: NodeJS.ProcessEnv;
  dir: string;
  log: (m: string) => void;
}

/** The shell-quoted form of a word. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A tool's default continuation with its session id put in. */
export function defaultContinuation(agents: AgentsSettings, tool: 'claude' | 'codex' | 'gemini', sessionId: string): string {
  return agents.continuation[tool].replace(/\{session\}/g, shellQuote(sessionId));
}

/** The root of a session's members: the one whose parent is not a member (the lowest pid among several). */
function rootOf(members: readonly ProcessStat[]): ProcessStat | null {
  const pids = new Set(members.map((p) => p.pid));
  const roots = members.filter((p) => !pids.has(p.ppid));
  return roots.sort((a, b) => a.pid - b.pid)[0] ?? null;
}

export class RequestProcessor {
  private readonly history: RequestRecord[] = [];
  private readonly historyFile: string;
  private seq = 0;
  /** Places (a run session, a tmux pane, a directory) with a request under way or recently done. */
  private readonly places = new Map<string, { id: string; atMs: number }>();

  constructor(private readonly d: RequestDeps) {
    this.historyFile = path.join(d.dir, 'requests.jsonl');
    try {
      for (const line of fs.readFileSync(this.historyFile, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as RequestRecord;
          this.remember(r);
        } catch {
          // A line cut by a crash.
        }
      }
    } catch {
      // No history yet.
    }
  }

  private remember(r: RequestRecord): void {
    const i = this.history.findIndex((x) => x.id === r.id);
    if (i >= 0) this.history[i] = r;
    else this.history.push(r);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    const n = Number(/^req-(\d+)/.exec(r.id)?.[1] ?? 0);
    this.seq = Math.max(this.seq, n);
    if (r.target.place) this.places.set(r.target.place, { id: r.id, atMs: Date.parse(r.finishedAt ?? r.createdAt) });
  }

  /** Append the record's current state to the history file (bounded: rewritten from memory past 1 MiB). */
  private persist(r: RequestRecord): void {
    this.remember(r);
    try {
      let size = 0;
      try {
        size = fs.statSync(this.historyFile).size;
      } catch {
        // New.
      }
      if (size > 1024 * 1024) {
        const tmp = `${this.historyFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, this.history.map((x) => JSON.stringify(x)).join('\n') + '\n', { mode: 0o600 });
        fs.renameSync(tmp, this.historyFile);
      } else fs.appendFileSync(this.historyFile, JSON.stringify(r) + '\n', { mode: 0o600 });
    } catch (err) {
      this.d.log(`cannot record request ${r.id}: ${(err as Error).message}`);
    }
  }

  list(): RequestRecord[] {
    return this.history.slice().reverse();
  }

  /** When the last request for this place was made (for the policy's cool-down), ms; null: none. */
  lastForPlace(place: string): number | null {
    return this.places.get(place)?.atMs ?? null;
  }

  /**
   * Resolve the target in `frame` (default: a fresh tick; callers inside a frame's subscribers pass that
   * frame), answer at once, and end and continue it in the background.
   */
  file(input: RequestInput, given?: Frame): RequestRecord {
    if (!REQUEST_REASONS.includes(input.reason)) throw new ApiError('bad-request', `reason must be one of ${REQUEST_REASONS.join(', ')}`);
    const priority = input.priority ?? 'graceful';
    if (priority !== 'graceful' && priority !== 'immediate') throw new ApiError('bad-request', 'priority must be graceful or immediate');
    const frame = given ?? this.d.engine.tick();
    const { session, members } = this.resolve(input, frame);
    const root = rootOf(members);
    const place = this.placeOf(session, root, frame);
    const rec: RequestRecord = {
      id: `req-${++this.seq}-${Date.now().toString(36)}`,
      createdAt: isoTime(),
      source: input.source,
      reason: input.reason,
      priority,
      continuationCommand: input.continuationCommand?.trim() ? input.continuationCommand : null,
      note: input.note ?? null,
      target: {
        session: session?.id ?? null,
        kind: session?.kind ?? null,
        name: session?.name ?? null,
        pid: root?.pid ?? null,
        startTicks: root?.startTicks ?? null,
        cwd: session?.agent?.cwd ?? session?.run?.cwd ?? frame.detail?.cwd ?? null,
        place,
      },
      state: 'ending',
      continuation: null,
      outcome: null,
      alreadyEndingBy: null,
      finishedAt: null,
    };
    const busy = place ? this.history.find((r) => r.target.place === place && (r.state === 'ending' || r.state === 'continuing')) : undefined;
    const last = place ? this.places.get(place) : undefined;
    const cooling = !busy && input.cooldownSec !== undefined && last !== undefined && Date.now() - last.atMs < input.cooldownSec * 1000;
    if (busy || cooling) {
      rec.state = 'refused';
      rec.alreadyEndingBy = busy ? { id: busy.id, continuationCommand: busy.continuationCommand } : null;
      rec.outcome = busy
        ? `${busy.id} is already ending ${place}`
        : `${last!.id} ended ${place} ${Math.round((Date.now() - last!.atMs) / 1000)} s ago (cool-down ${input.cooldownSec} s)`;
      rec.finishedAt = isoTime();
      this.persist(rec);
      this.event(rec);
      return rec;
    }
    this.persist(rec);
    this.d.events.add('request', rec.target.session ?? `pid ${rec.target.pid}`, {
      reason: rec.reason,
      details: { id: rec.id, source: rec.source, priority, continuationCommand: rec.continuationCommand, note: rec.note, place },
    });
    // A moment first: the asker (often inside the tree being ended: a hook, the agent's own tool call) gets
    // its answer and can say what happens next before the signals come.
    setTimeout(() => {
      void this.process(rec, session, members).catch((err: Error) => this.finish(rec, 'failed', err instanceof ApiError ? err.message : `internal error: ${err.message}`));
    }, ANSWER_FIRST_MS);
    return rec;
  }

  /** The session (and its members) a request names. */
  private resolve(input: RequestInput, frame: Frame): { session: Session | null; members: ProcessStat[] } {
    const sessions = frame.sessions;
    if (input.session !== undefined) {
      const want = input.session;
      const s =
        sessions.find((x) => x.id === want) ??
        sessions.find((x) => x.kind === 'agent' && x.agent?.sessionId === want) ??
        sessions.find((x) => x.kind === 'run' && x.run?.name === want);
      if (s?.kind === 'pod') throw new ApiError('refused', 'the pod session cannot be ended by a request');
      if (s && s.members.length > 0) return { session: s, members: s.members.slice() };
      // An agent asking for itself (a hook, a tool call) before this daemon has bound its log to it: its
      // own place, from its ancestry, is the session meant.
      const own = input.requesterPid !== undefined && s?.kind === 'agent' ? ownSession(input.requesterPid, frame.processes, sessions) : null;
      if (own && (own.session.kind !== 'agent' || own.session.id === s!.id)) return { session: own.session, members: own.session.members.slice() };
      if (!s) throw new ApiError('not-found', `no session "${want}" (an agent session must be bound to its running process: see spmon tokens)`);
      throw new ApiError('not-found', `session ${s.id} has no running process`);
    }
    const pid = input.pid ?? input.requesterPid;
    if (pid === undefined) throw new ApiError('bad-request', 'name the session (--session) or a process (--pid)');
    const p = frame.processes.find((x) => x.pid === pid);
    if (!p) throw new ApiError('not-found', `no process ${pid}`);
    if (input.pidStartTime !== undefined && p.startTicks !== input.pidStartTime)
      throw new ApiError('not-found', `process ${pid} is not the one meant: it started at ${p.startTicks} ticks, not ${input.pidStartTime} (its pid was reused)`);
    if (input.startTimeMs !== undefined && p.startTime !== input.startTimeMs)
      throw new ApiError('not-found', `process ${pid} is not the one meant: it started at ${p.startTime === null ? 'an unknown time' : isoTime(p.startTime)}, not ${isoTime(input.startTimeMs)} (its pid was reused)`);
    if (input.notAfterMs !== undefined && p.startTime !== null && p.startTime > input.notAfterMs)
      throw new ApiError('not-found', `process ${pid} started after the request was made: its pid was reused`);
    const own = ownSession(p.pid, frame.processes, sessions);
    // A process above the asker's own session (its tmux server, its login shell): ending it would end the
    // asker and everything around it. Its own session (an agent asking for itself by pid) is fine.
    if (input.pid !== undefined && input.requesterPid !== undefined && input.pid !== input.requesterPid && ancestorPids(frame.processes, input.requesterPid).has(p.pid)) {
      const mine = ownSession(input.requesterPid, frame.processes, sessions);
      if (!own || !mine || own.session.id !== mine.session.id)
        throw new ApiError(
          'refused',
          `process ${p.pid} is an ancestor of the one asking${mine ? `, above its own session ${mine.session.id}` : ''}: ending it would end the asker and all around it (name a session with --session, or end it from the dashboard)`,
        );
    }
    if (own) return { session: own.session, members: own.session.members.slice() };
    if (input.pid === undefined) throw new ApiError('not-found', `process ${pid} (the one asking) is in no agent, supervised or tmux session`);
    // A process in no session: it and its descendants.
    return { session: null, members: subtree(buildTree(frame.processes), p.pid) };
  }

  /** Where a continuation would run: the run session, the tmux pane, else the directory. */
  private placeOf(session: Session | null, root: ProcessStat | null, frame: Frame): string | null {
    if (!root) return null;
    const run = frame.sessions.find((s) => s.kind === 'run' && s.keys.includes(root.key));
    if (run) return run.id;
    if (session?.kind === 'run') return session.id;
    const cwd = session?.agent?.cwd ?? null;
    return `${session?.id ?? `pid:${root.pid}:${root.startTicks}`}${cwd ? `@${cwd}` : ''}`;
  }

  private stages(priority: RequestPriority): Stage[] {
    const s = this.d.settings();
    return priority === 'graceful'
      ? [
          { signal: 'SIGINT', waitMs: s.agents.gracefulWaitSec * 1000 },
          { signal: 'SIGTERM', waitMs: s.grace * 1000 },
        ]
      : [{ signal: 'SIGTERM', waitMs: IMMEDIATE_GRACE_MS }];
  }

  private async process(rec: RequestRecord, session: Session | null, members: ProcessStat[]): Promise<void> {
    // Filed just before the daemon began to stop: the stop ends the supervised sessions by their own policy,
    // and nothing new (a continuation) starts under a daemon that is going away.
    if (this.d.supervisor.isShuttingDown) return this.finish(rec, 'failed', 'the daemon stopped before the request was acted on');
    const frame = this.d.engine.frame!;
    const root = rootOf(members);
    if (!root) return this.finish(rec, 'failed', 'its processes are gone');
    const stages = this.stages(rec.priority);
    const run = frame.sessions.find((s) => s.kind === 'run' && s.keys.includes(root.key));
    // 1. Under spmon run: the supervisor ends the whole run (no restart of the old command) and starts the
    //    continuation in its place, same cwd and environment.
    if (run) {
      rec.continuation = rec.continuationCommand ? { where: 'run', id: run.id, attempts: 1 } : null;
      rec.state = rec.continuationCommand ? 'continuing' : 'ending';
      this.persist(rec);
      const after = await this.d.supervisor.replace(run.id, stages, rec.continuationCommand ? ['/bin/sh', '-c', rec.continuationCommand] : null, {
        restart: 'on-failure',
        maxRestarts: CONTINUATION_ATTEMPTS - 1,
        restartDelaySec: CONTINUATION_BACKOFF_SEC,
        minUptimeSec: MIN_UPTIME_SEC,
      });
      if (!rec.continuationCommand) return this.finish(rec, 'done', `ended ${run.id}`);
      return this.finish(rec, 'done', `ended the agent; ${run.id} runs the continuation (pid ${after.pid ?? '-'})`);
    }
    // 2. Anywhere else: end the agent's tree here.
    const cwd = rec.target.cwd;
    // A tmux listing that does not answer within PANE_LOOKUP_MS leaves the continuation to a new supervised
    // session: the request goes on (it never waits on tmux for ever).
    const pane = rec.continuationCommand ? await withTimeout(findPane(root, frame, this.d.env), PANE_LOOKUP_MS, null) : null;
    const job = this.d.engine.terminator.terminateSet(members as TerminateTarget[], {
      label: rec.target.session ?? `tree of ${root.pid}`,
      stages,
      rescan: () => {
        const f = this.d.engine.tick();
        const now = session ? (f.sessions.find((s) => s.id === session.id)?.members ?? []) : subtree(buildTree(f.processes), root.pid);
        return now.filter((p) => p.pid !== root.pid || p.startTicks === root.startTicks);
      },
    });
    const ended = await job.done;
    const bad = ended.members.filter((m) => m.state === 'failed' || m.state === 'permission-denied' || m.state === 'refused');
    if (ended.state === 'refused' || bad.length > 0) {
      return this.finish(rec, 'failed', `could not end ${rec.target.session ?? root.pid}: ${bad.length} of ${ended.members.length} processes ${ended.state === 'refused' ? 'refused' : 'not ended'}`);
    }
    if (!rec.continuationCommand) return this.finish(rec, 'done', `ended ${ended.members.length} process${ended.members.length === 1 ? '' : 'es'}`);
    rec.state = 'continuing';
    // 3. In its tmux pane: typed into the pane's shell, or the pane respawned with it.
    if (pane) {
      rec.continuation = { where: 'tmux', id: `${pane.socket}:${pane.paneId}`, attempts: 0 };
      for (let attempt = 1; attempt <= CONTINUATION_ATTEMPTS; attempt++) {
        rec.continuation.attempts = attempt;
        this.persist(rec);
        const r = await continueInPane(pane, rec.continuationCommand, cwd, this.d.engine, MIN_UPTIME_SEC * 1000, this.d.env);
        this.d.events.add('continuation', rec.target.session, { reason: rec.continuationCommand, outcome: r.ok ? 'running' : 'failed', details: { id: rec.id, where: 'tmux', pane: pane.paneId, how: r.how, attempt, detail: r.detail } });
        if (r.ok) return this.finish(rec, 'done', `continued in tmux pane ${pane.paneId} (${r.how})`);
        if (attempt < CONTINUATION_ATTEMPTS) await new Promise((res) => setTimeout(res, CONTINUATION_BACKOFF_SEC * 1000 * 2 ** (attempt - 1)));
      }
      return this.finish(rec, 'failed', `the continuation ended within ${MIN_UPTIME_SEC} s ${CONTINUATION_ATTEMPTS} times in tmux pane ${pane.paneId}`);
    }
    // 4. Else: a new supervised session in the agent's directory.
    const tool = session?.agent?.tool ?? 'agent';
    try {
      const started = await this.d.supervisor.start({
        name: this.d.supervisor.freshName(`${tool}-continued`),
        command: ['/bin/sh', '-c', rec.continuationCommand],
        cwd: cwd ?? undefined,
        restart: 'on-failure',
        maxRestarts: CONTINUATION_ATTEMPTS - 1,
        restartDelaySec: CONTINUATION_BACKOFF_SEC,
        minUptimeSec: MIN_UPTIME_SEC,
      });
      rec.continuation = { where: 'new-run', id: started.id, attempts: 1 };
      return this.finish(rec, 'done', `continued as ${started.id}`);
    } catch (err) {
      return this.finish(rec, 'failed', `the continuation could not start: ${(err as Error).message}`);
    }
  }

  private finish(rec: RequestRecord, state: 'done' | 'failed', outcome: string): void {
    rec.state = state;
    rec.outcome = outcome;
    rec.finishedAt = isoTime();
    this.persist(rec);
    this.event(rec);
  }

  private event(rec: RequestRecord): void {
    this.d.events.add('request-' + rec.state, rec.target.session ?? (rec.target.pid !== null ? `pid ${rec.target.pid}` : null), {
      reason: rec.reason,
      outcome: rec.outcome,
      details: { id: rec.id, continuation: rec.continuation },
    });
  }
}
