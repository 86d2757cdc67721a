// Questions asked of one frame: the sessions, one session with its members, processes sorted and
// filtered, token use and the context level, pod memory with its top consumers, what an end request would
// be refused for. The daemon's control API and `spmon mcp` without a daemon answer with these, so both
// give the same JSON (camelCase keys; process and session rows as --json has them). Pure.
import type { Frame } from '../engine/frame';
import { ActingRefusal, callerChainOf, processRefusal, sessionRefusal } from '../model/acting_rule';
import { CONTEXT_CRITICAL_PERCENT, CONTEXT_WARN_PERCENT, contextLevel, ContextLevel } from '../model/context_level';
import { ownSession } from '../model/own_session';
import type { ProcessStat } from '../model/process_stat';
import type { Guard } from '../model/protection';
import type { RunInfo, Session, SessionKind } from '../model/sessions';
import { actingRefusalText } from './job_text';
import { hiddenMemoryCount, podMemory, PodMemory } from './pod_memory';
import { filterProcesses, sortProcesses } from './process_table';
import { sanitize } from './sanitize';
import { sortSessions } from './session_table';
import { processJson, sessionJson } from './snapshot_json';
import { tokensJson } from './tokens_view';
import { isoTime } from '../model/clock';

export const SESSION_KINDS: readonly SessionKind[] = ['pod', 'tmux', 'agent', 'tree', 'run'];

/** A question that cannot be answered as asked (an unknown session, a bad parameter). */
export class QueryError extends Error {
  constructor(
    readonly code: 'not-found' | 'bad-request',
    message: string,
  ) {
    super(message);
  }
}

/** Who asks: "mine" is its session, and it and its ancestors are never ended for it. */
export interface QueryContext {
  callerPid: number;
  /** spmon's own protection (the engine's guard). */
  guard: Guard;
}

export type ProcessRow = Record<string, unknown>;

export interface SessionRow {
  id: string;
  kind: SessionKind;
  name: string;
  processCount: number;
  /** The session sums (ussBytes, pssBytes, rssBytes, swapBytes, cpuPercent, growthBytesPerMin) follow, as --json has them. */
  [sum: string]: unknown;
  lastActivity: string | null;
  mine: boolean;
  agent: unknown;
  run: unknown;
}

const iso = (ms: number | null) => (ms === null ? null : isoTime(ms));
const round = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** The caller's own session (agent, else supervised run, else tmux, from its ancestry), or null. */
export function mineOf(frame: Frame, callerPid: number): Session | null {
  return ownSession(callerPid, frame.processes, frame.sessions)?.session ?? null;
}

/**
 * The session `id` names: "mine"; a full id; a supervised session's bare name; an agent session's id or a
 * unique prefix of it.
 */
export function resolveSession(frame: Frame, id: string, callerPid: number): Session {
  if (id === 'mine') {
    const s = mineOf(frame, callerPid);
    if (!s) throw new QueryError('not-found', `no session of yours: process ${callerPid} and its ancestors are in no agent, supervised or tmux session`);
    return s;
  }
  const exact = frame.sessions.find((s) => s.id === id) ?? frame.sessions.find((s) => s.kind === 'run' && s.id === `run:${id}`);
  if (exact) return exact;
  const agents = frame.sessions.filter((s) => s.kind === 'agent' && s.agent && (s.agent.sessionId === id || s.agent.sessionId.startsWith(id) || s.id.startsWith(id)));
  if (agents.length === 1 && id !== '') return agents[0];
  if (agents.length > 1) throw new QueryError('not-found', `"${sanitize(id)}" matches ${agents.length} agent sessions; give more of the id`);
  throw new QueryError('not-found', `no session "${sanitize(id)}" (list_sessions, or the API's sessions method, lists them)`);
}

/** A supervised session's facts as every front end shows them (the daemon's record holds more: its env, its log). */
function runFacts(r: RunInfo | null) {
  if (!r) return null;
  return { name: r.name, state: r.state, command: r.command, cwd: r.cwd, pid: r.pid, startTicks: r.startTicks, startedAt: r.startedAt, restarts: r.restarts, lastExit: r.lastExit, reason: r.reason };
}

export function sessionRow(s: Session, mineId: string | null): SessionRow {
  const { pids: _pids, agent, run: _run, id, kind, name, ...sums } = sessionJson(s) as Record<string, unknown>;
  void _pids;
  void _run;
  const run = runFacts(s.run);
  return {
    id: id as string,
    kind: kind as SessionKind,
    name: name as string,
    processCount: s.pids.length,
    ...sums,
    lastActivity: iso(s.lastActivityMs),
    mine: s.id === mineId,
    agent,
    run,
  };
}

export function listSessions(frame: Frame, p: { kind?: SessionKind }, ctx: QueryContext) {
  const mine = mineOf(frame, ctx.callerPid);
  const list = sortSessions(p.kind ? frame.sessions.filter((s) => s.kind === p.kind) : frame.sessions);
  return { time: iso(frame.wallMs)!, sessions: list.map((s) => sessionRow(s, mine?.id ?? null)) };
}

/** Why ending `s` would be refused for this caller (no force), with its sentence. */
function refusalJson(r: ActingRefusal | null, what: string) {
  return r === null ? null : { code: r.code, pid: r.pid, name: r.name, message: actingRefusalText(r, what) };
}

export function actingContext(frame: Frame, ctx: QueryContext, force: boolean) {
  return { guard: ctx.guard, callerChain: callerChainOf(frame.processes, ctx.callerPid), force };
}

export function getSession(frame: Frame, p: { id: string; limit?: number }, ctx: QueryContext) {
  const s = resolveSession(frame, p.id, ctx.callerPid);
  const mine = mineOf(frame, ctx.callerPid);
  const members = sortProcesses(s.members, 'uss').slice(0, p.limit ?? 100);
  return {
    time: iso(frame.wallMs)!,
    session: sessionRow(s, mine?.id ?? null),
    memberCount: s.members.length,
    members: members.map((m) => processJson(m, frame)),
    endRefusal: refusalJson(sessionRefusal(s, actingContext(frame, ctx, false)), `session ${s.name}`),
    supervised: null as unknown,
  };
}

export function listProcesses(frame: Frame, p: { sort?: string; reverse?: boolean; filter?: string; limit?: number; session?: string }, ctx: QueryContext) {
  let base: readonly ProcessStat[] = frame.processes;
  if (p.session !== undefined) base = resolveSession(frame, p.session, ctx.callerPid).members;
  const matched = sortProcesses(filterProcesses(base, p.filter ?? ''), p.sort ?? 'uss', p.reverse === true);
  const shown = matched.slice(0, p.limit ?? 50);
  return { time: iso(frame.wallMs)!, total: frame.processes.length, matched: matched.length, processes: shown.map((x) => processJson(x, frame)) };
}

/** Agent sessions' token use (`spmon tokens --json` rows): all of them, or the one `session` names ("mine" too). */
export function tokenUsage(frame: Frame, p: { session?: string }, ctx: QueryContext) {
  let chosen: Session[];
  if (p.session === undefined) chosen = frame.sessions.filter((s) => s.kind === 'agent' && s.agent);
  else {
    const s = resolveSession(frame, p.session, ctx.callerPid);
    if (s.kind !== 'agent' || !s.agent) throw new QueryError('not-found', `${sanitize(s.id)} is a ${s.kind} session, not an agent session: it has no token use`);
    chosen = [s];
  }
  chosen.sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0));
  const mine = mineOf(frame, ctx.callerPid);
  const doc = tokensJson(chosen, frame.wallMs);
  return { time: doc.time, worst: doc.worst, sessions: doc.sessions.map((r) => ({ ...r, mine: r.id === mine?.id })) };
}

/** Whether an agent session should end (hand over) now: its context fill against 80 % (warn) and 90 % (critical). */
export function shouldTerminate(frame: Frame, p: { session?: string }, ctx: QueryContext) {
  const s = resolveSession(frame, p.session ?? 'mine', ctx.callerPid);
  const pct = s.agent?.contextPercent ?? null;
  const level: ContextLevel | null = s.agent ? contextLevel(pct) : null;
  let reason: string;
  if (!s.agent) reason = `${sanitize(s.id)} is a ${s.kind} session, not an agent session: it has no context window`;
  else if (level === null) reason = 'the context fill is unknown (no request with token counts in its log yet)';
  else if (level === 'critical') reason = `the context is ${pct!.toFixed(1)} % full, at or above ${CONTEXT_CRITICAL_PERCENT} %: hand over (save state, request termination with a continuation)`;
  else if (level === 'warn') reason = `the context is ${pct!.toFixed(1)} % full, at or above ${CONTEXT_WARN_PERCENT} %: plan a hand-over soon`;
  else reason = `the context is ${pct!.toFixed(1)} % full, below ${CONTEXT_WARN_PERCENT} %`;
  return {
    time: iso(frame.wallMs)!,
    session: { id: s.id, kind: s.kind, name: s.name },
    contextPercent: round(pct, 1),
    level,
    shouldTerminate: level === 'critical',
    reason,
    thresholds: { warnPercent: CONTEXT_WARN_PERCENT, criticalPercent: CONTEXT_CRITICAL_PERCENT },
    tokens: s.agent ? s.agent.tokens : null,
  };
}

/** Pod memory against its limit and threshold, OOM kills, and what uses it most (by USS). */
export function podMemoryReport(frame: Frame, p: { top?: number }, ctx: QueryContext) {
  const pm: PodMemory = podMemory(frame);
  const m = frame.cgroup.memory;
  const top = p.top ?? 10;
  const mine = mineOf(frame, ctx.callerPid);
  return {
    time: iso(frame.wallMs)!,
    usedBytes: pm.usedBytes,
    limitBytes: pm.limitBytes,
    limitSource: pm.limitSource,
    availableBytes: pm.availableBytes,
    percent: round(pm.percent, 2),
    thresholdPercent: pm.thresholdPercent,
    level: pm.level,
    workingSetBytes: m.workingSetBytes,
    oomKills: m.oomKills,
    cgroup: { version: frame.cgroup.version, path: frame.cgroup.path },
    hiddenProcesses: hiddenMemoryCount(frame),
    topProcesses: sortProcesses(frame.processes, 'uss').slice(0, top).map((x) => processJson(x, frame)),
    topSessions: sortSessions(frame.sessions.filter((s) => s.kind !== 'pod' && s.members.length > 0))
      .slice(0, top)
      .map((s) => sessionRow(s, mine?.id ?? null)),
  };
}

/** What a request would end, and whether it may: a session (any id `resolveSession` takes) or a process by pid and start time. */
export function vetTarget(
  frame: Frame,
  p: { session?: string; pid?: number; startTime?: number; force?: boolean; purpose?: 'end' | 'request' },
  ctx: QueryContext,
) {
  const acting = actingContext(frame, ctx, p.force === true);
  const mine = mineOf(frame, ctx.callerPid);
  if (p.session !== undefined) {
    const s = resolveSession(frame, p.session, ctx.callerPid);
    const own = s.id === mine?.id;
    return {
      target: { kind: 'session' as const, id: s.id, name: s.name, pid: null, startTime: null },
      mine: own,
      refusal: refusalJson(sessionRefusal(s, acting, own && p.purpose === 'request'), `session ${s.name}`),
    };
  }
  const proc = findProcess(frame, p.pid, p.startTime);
  if (!proc) throw new QueryError('not-found', noProcessText(frame, p.pid, p.startTime));
  return {
    target: { kind: 'process' as const, id: null, name: proc.name, pid: proc.pid, startTime: proc.startTime },
    mine: mine !== null && mine.keys.includes(proc.key),
    refusal: refusalJson(processRefusal(proc, acting), `${proc.pid} ${proc.name}`),
  };
}

/** The process with this pid and start time (ms since the epoch, as process rows give it), or null. */
export function findProcess(frame: Pick<Frame, 'processes'>, pid: number | undefined, startTime: number | undefined): ProcessStat | null {
  if (pid === undefined || startTime === undefined) throw new QueryError('bad-request', 'give a session id, or pid and startTime (as list_processes gives them)');
  return frame.processes.find((x) => x.pid === pid && x.startTime === startTime) ?? null;
}

export function noProcessText(frame: Pick<Frame, 'processes'>, pid: number | undefined, startTime: number | undefined): string {
  const other = frame.processes.find((x) => x.pid === pid);
  return other
    ? `no process ${pid} started at ${startTime}: pid ${pid} is now another process (${sanitize(other.name)}, started at ${other.startTime})`
    : `no process ${pid} started at ${startTime} is running`;
}

/** The engine behind the answers: its latest frame, its ticks, what it ended lately. */
export function monitorFacts(
  frame: Frame,
  o: { nowMs: number; ticks: { count: number; cpuMs: number }; intervalSec: number; threshold: number; readOnly: boolean; activeJobs: number; ended: readonly { pid: number; name: string; outcome: string; finishedAt: number; set: string | null }[] },
) {
  const byKind: Record<string, number> = {};
  for (const s of frame.sessions) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
  return {
    time: iso(o.nowMs)!,
    frame: {
      seq: frame.seq,
      time: iso(frame.wallMs)!,
      ageMs: Math.max(0, Math.round(o.nowMs - frame.wallMs)),
      intervalMs: frame.intervalMs === null ? null : Math.round(frame.intervalMs),
      sampleMs: round(frame.cost.sampleMs, 2),
      lastTickCpuMs: round(frame.cost.lastTickCpuMs, 2),
    },
    ticks: { count: o.ticks.count, cpuMs: round(o.ticks.cpuMs, 1)! },
    intervalSec: o.intervalSec,
    processes: frame.processes.length,
    sessions: { total: frame.sessions.length, byKind },
    thresholdPercent: o.threshold,
    readOnly: o.readOnly,
    terminations: {
      active: o.activeJobs,
      recent: o.ended.slice(0, 10).map((e) => ({ pid: e.pid, name: e.name, outcome: e.outcome, at: iso(e.finishedAt)!, set: e.set })),
    },
  };
}

/** Is the engine answering with fresh, complete numbers? */
export function healthChecks(frame: Frame | null, o: { nowMs: number; intervalSec: number; selfPid: number }) {
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  if (!frame) {
    checks.push({ name: 'frame', ok: false, detail: 'no frame yet: the engine has not finished its first tick' });
    return { status: 'failing' as const, checks };
  }
  const age = o.nowMs - frame.wallMs;
  const fresh = age <= Math.max(3 * o.intervalSec * 1000, 5000);
  checks.push({ name: 'frame', ok: fresh, detail: `frame ${frame.seq} is ${Math.round(age)} ms old (interval ${o.intervalSec} s)` });
  const self = frame.processes.find((p) => p.pid === o.selfPid);
  checks.push({ name: 'proc', ok: frame.processes.length > 0 && self !== undefined, detail: `${frame.processes.length} processes read${self ? '' : '; spmon does not see itself'}` });
  checks.push({ name: 'memory', ok: self?.ussBytes !== null && self?.ussBytes !== undefined, detail: self?.ussBytes != null ? 'USS and PSS are readable (smaps_rollup)' : 'USS/PSS unreadable (smaps_rollup)' });
  const hidden = hiddenMemoryCount(frame);
  checks.push({ name: 'visibility', ok: hidden === 0, detail: hidden === 0 ? 'every process\'s memory is readable' : `USS/PSS of ${hidden} processes unreadable (other users'; needs root or CAP_SYS_PTRACE)` });
  const cg = frame.cgroup;
  checks.push({ name: 'cgroup', ok: cg.version !== null, detail: cg.version === null ? 'no cgroup found: host view' : `cgroup v${cg.version} ${sanitize(cg.path ?? '')}, limit ${cg.memory.limitBytes ?? 'none'}` });
  // Reading everything is what matters; a hidden process or a host view is a degraded answer, not a failure.
  const failing = !fresh || !checks[1].ok;
  const degraded = checks.some((c) => !c.ok);
  return { status: failing ? ('failing' as const) : degraded ? ('degraded' as const) : ('ok' as const), checks };
}
