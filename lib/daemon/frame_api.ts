// The control API's methods over the engine's frames: queries (sessions, one session, processes, tokens,
// the context level, pod memory, monitor status, health) and ending a session or a process by identity
// for a caller (docs/api.md). Nothing here knows of sockets: the daemon serves these to its clients, and
// `spmon mcp` without a daemon calls the same functions over an engine of its own, so both answer alike.
// The caller (the peer's pid) decides "mine" and is never ended for itself, nor are its ancestors.
import type { Engine } from '../engine/engine';
import type { Frame } from '../engine/frame';
import { isSortKey, SORT_KEYS } from '../fields/process_fields';
import { processRefusal, sessionRefusal } from '../model/acting_rule';
import type { Session, SessionKind } from '../model/sessions';
import { EndResult, EndTargetJson, goneJson, jobJson, refusedJson } from '../view/job_json';
import {
  actingContext,
  findProcess,
  getSession,
  healthChecks,
  listProcesses,
  listSessions,
  monitorFacts,
  noProcessText,
  podMemoryReport,
  QueryContext,
  QueryError,
  resolveSession,
  SESSION_KINDS,
  shouldTerminate,
  tokenUsage,
  vetTarget,
} from '../view/queries';
import { ownFrame } from './own_frame';
import { ApiError } from './protocol';
import type { Handler } from './server';

/** How long a query waits for the engine's first frames (a daemon answers before its first tick). */
const READY_TIMEOUT_MS = 30_000;
/** The longest grace a request may ask for, s. */
export const MAX_GRACE_SEC = 600;

export interface FrameApiOptions {
  /** The engine's tick interval, s (status and health report against it). */
  intervalSec: number;
  /** End a supervised session (the daemon's stop); without it such sessions cannot be ended here. */
  endRun?: (s: Session, o: { graceSec?: number; callerPid: number; frame: Frame }) => Promise<EndResult>;
  /** The supervised session's row (the daemon's ps), for `session`. */
  supervised?: (id: string) => unknown;
}

type Params = Record<string, unknown>;

function optStr(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new ApiError('bad-request', `"${key}" must be a non-empty string`);
  return v;
}

function optInt(p: Params, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApiError('bad-request', `"${key}" must be a whole number from ${min} to ${max}`);
  return v;
}

function optNum(p: Params, key: string, min: number, max: number): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ApiError('bad-request', `"${key}" must be a number from ${min} to ${max}`);
  return v;
}

function optBool(p: Params, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ApiError('bad-request', `"${key}" must be true or false`);
  return v;
}

function kindOf(p: Params): SessionKind | undefined {
  const k = optStr(p, 'kind');
  if (k !== undefined && !SESSION_KINDS.includes(k as SessionKind)) throw new ApiError('bad-request', `"kind" must be one of ${SESSION_KINDS.join(', ')}`);
  return k as SessionKind | undefined;
}

/** A QueryError as the API's error. */
function answer<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QueryError) throw new ApiError(err.code, err.message);
    throw err;
  }
}

/** The first frame with rates (the second tick), waiting for it when the engine has just started. */
export function readyFrame(engine: Engine, timeoutMs = READY_TIMEOUT_MS): Promise<Frame> {
  const f = engine.frame;
  if (f && f.seq >= 2) return Promise.resolve(f);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new ApiError('busy', `the engine has produced no frame within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = engine.subscribe((frame) => {
      if (frame.seq < 2) return;
      clearTimeout(timer);
      off();
      resolve(frame);
    });
  });
}

/**
 * A frame that sees the caller (a caller that started after the latest tick gets a fresh one); with
 * `mine`, one in which the caller's own session can be told (own_frame.ts: a young agent's log bound).
 */
async function callerFrame(engine: Engine, pid: number, mine = false): Promise<Frame> {
  const f = await readyFrame(engine);
  const g = seesCaller(f, pid) ? f : engine.tick();
  return mine ? ownFrame(engine, pid, g) : g;
}

const seesCaller = (f: Frame, pid: number) => f.processes.some((p) => p.pid === pid);

/** Ending things for a caller whose ancestry is unknown (another pid namespace) could end its own tree. */
function needCaller(f: Frame, pid: number): void {
  if (!seesCaller(f, pid)) throw new ApiError('refused', `the calling process (pid ${pid}) is not visible here, so its own tree cannot be kept safe: nothing is ended for it`);
}

export function frameApi(engine: Engine, hooks: FrameApiOptions): Record<string, Handler> {
  const ctxOf = (pid: number): QueryContext => ({ callerPid: pid, guard: engine.guard });
  // `mine`: whether these parameters ask about the caller's own session.
  const query = <T>(fn: (f: Frame, ctx: QueryContext, p: Params) => T, mine: (p: Params) => boolean = () => false): Handler => async (p, peer) => {
    const f = await callerFrame(engine, peer.pid, mine(p));
    return answer(() => fn(f, ctxOf(peer.pid), p));
  };
  const stages = (graceSec: number | undefined) => (graceSec === undefined ? undefined : [{ signal: 'SIGTERM' as const, waitMs: graceSec * 1000 }]);

  return {
    sessions: query((f, ctx, p) => listSessions(f, { kind: kindOf(p) }, ctx)),
    session: query((f, ctx, p) => {
      const r = getSession(f, { id: optStr(p, 'id') ?? 'mine', limit: optInt(p, 'limit', 1) }, ctx);
      r.supervised = r.session.kind === 'run' && hooks.supervised ? hooks.supervised(r.session.id) : null;
      return r;
    }, (p) => (optStr(p, 'id') ?? 'mine') === 'mine'),
    processes: query((f, ctx, p) => {
      const sort = optStr(p, 'sort');
      if (sort !== undefined && !isSortKey(sort)) throw new ApiError('bad-request', `"sort" must be one of ${SORT_KEYS.join(', ')}`);
      return listProcesses(f, { sort, reverse: optBool(p, 'reverse'), filter: p.filter === undefined ? undefined : String(p.filter), limit: optInt(p, 'limit', 1), session: optStr(p, 'session') }, ctx);
    }),
    tokens: query((f, ctx, p) => tokenUsage(f, { session: optStr(p, 'session') }, ctx), (p) => optStr(p, 'session') === 'mine'),
    shouldTerminate: query((f, ctx, p) => shouldTerminate(f, { session: optStr(p, 'session') }, ctx), (p) => (optStr(p, 'session') ?? 'mine') === 'mine'),
    podMemory: query((f, ctx, p) => podMemoryReport(f, { top: optInt(p, 'top', 1, 1000) }, ctx)),
    vet: query((f, ctx, p) => {
      const purpose = optStr(p, 'purpose') ?? 'end';
      if (purpose !== 'end' && purpose !== 'request') throw new ApiError('bad-request', '"purpose" must be end or request');
      needCaller(f, ctx.callerPid);
      return vetTarget(f, { session: optStr(p, 'session'), pid: optInt(p, 'pid', 1), startTime: optInt(p, 'startTime', 0), force: optBool(p, 'force'), purpose }, ctx);
    }, (p) => optStr(p, 'session') === 'mine'),
    monitor: async () => {
      const f = await readyFrame(engine);
      return monitorFacts(f, {
        nowMs: Date.now(),
        ticks: engine.ticks,
        intervalSec: hooks.intervalSec,
        threshold: engine.settings.threshold,
        readOnly: engine.settings.readOnly,
        activeJobs: engine.terminator.active().length,
        ended: engine.terminator.history(),
      });
    },
    health: async () => {
      // A just-started engine gets a moment for its first frames; one that cannot tick is reported failing.
      const f = await readyFrame(engine, 10_000).catch(() => engine.frame);
      return healthChecks(f, { nowMs: Date.now(), intervalSec: hooks.intervalSec, selfPid: process.pid });
    },
    end: async (p, peer) => {
      const force = optBool(p, 'force') === true;
      const graceSec = optNum(p, 'graceSec', 0, MAX_GRACE_SEC);
      const session = optStr(p, 'session');
      await readyFrame(engine);
      // The members as they are now: what the caller saw may be a tick old.
      const f = engine.tick();
      needCaller(f, peer.pid);
      const ctx = ctxOf(peer.pid);
      const acting = actingContext(f, ctx, force);
      if (session !== undefined) {
        const s = answer(() => resolveSession(f, session, peer.pid));
        const target: EndTargetJson = { kind: 'session', id: s.id, name: s.name, pid: null, startTime: null };
        const refusal = sessionRefusal(s, acting);
        if (refusal) return refusedJson(target, refusal);
        if (s.kind === 'run') {
          if (!hooks.endRun) throw new ApiError('refused', 'supervised sessions are ended by the daemon that runs them');
          return hooks.endRun(s, { graceSec, callerPid: peer.pid, frame: f });
        }
        const job = engine.endSession(s.id, { members: s.members.slice(), stages: stages(graceSec), protectedPids: acting.callerChain });
        if (!job) return goneJson(target, `session ${s.name} is gone`);
        return jobJson(await job.done, target);
      }
      const pid = optInt(p, 'pid', 1, 0x7fffffff);
      const startTime = optInt(p, 'startTime', 0);
      const proc = answer(() => findProcess(f, pid, startTime));
      const target: EndTargetJson = { kind: 'process', id: null, name: proc?.name ?? '', pid: pid!, startTime: startTime! };
      if (!proc) return goneJson(target, noProcessText(f, pid, startTime));
      const refusal = processRefusal(proc, acting);
      if (refusal) return refusedJson(target, refusal);
      const tree = optBool(p, 'tree') !== false;
      const job = tree ? engine.endTree(proc, { stages: stages(graceSec), protectedPids: acting.callerChain }) : engine.endProcess(proc, { stages: stages(graceSec) });
      return jobJson(await job.done, target);
    },
  };
}
