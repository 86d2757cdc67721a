// What a request from another program (the control API's `end`, MCP's acting tools) may end, on top of the
// protection rule (lib/model/protection.ts): never the caller or one of its ancestors (the agent that asked,
// its shell, its tmux server), and, unless forced, not the pod session nor pod plumbing (system processes).
// Pure: the caller's chain and the members come in as data.
import type { ProcessStat } from './process_stat';
import { ancestorPids, Guard, RefusalCode, refusalOf } from './protection';
import type { SessionKind } from './sessions';

/** Why a request may not end a target. */
export type ActingRefusalCode =
  | RefusalCode
  /** The process that asked, or one of its ancestors. */
  | 'caller'
  | 'pod-session'
  | 'system-process';

export interface ActingRefusal {
  code: ActingRefusalCode;
  /** The process that made the target refused (null for the pod session). */
  pid: number | null;
  name: string | null;
}

export interface ActingContext {
  /** spmon's own protection: itself and its ancestors. */
  guard: Guard;
  /** The caller and its ancestors (pids). */
  callerChain: ReadonlySet<number>;
  /** Allow the pod session and system processes. */
  force: boolean;
}

type Member = Pick<ProcessStat, 'pid' | 'ppid' | 'startTicks' | 'name' | 'system'>;

/** The caller's pid and its ancestors in a process list. */
export function callerChainOf(processes: Iterable<{ pid: number; ppid: number }>, callerPid: number): Set<number> {
  return ancestorPids(processes, callerPid).add(callerPid);
}

/** Why one process may not be ended by this request, or null. */
export function processRefusal(p: Member, ctx: ActingContext): ActingRefusal | null {
  const code = refusalOf(p, ctx.guard);
  if (code !== null) return { code, pid: p.pid, name: p.name };
  if (ctx.callerChain.has(p.pid)) return { code: 'caller', pid: p.pid, name: p.name };
  if (p.system && !ctx.force) return { code: 'system-process', pid: p.pid, name: p.name };
  return null;
}

/**
 * Why a session may not be ended by this request, or null: the pod (unless forced); a member the
 * protection rule refuses or of the caller's chain; a root member (one whose parent is not a member) that is
 * a system process, unless forced. Supervised runs are spmon's own: their members are never plumbing.
 * `own`: the session is the caller's own and it asks for its own end (a termination request), so its
 * chain and spmon's protection of its ancestors do not count; pid 1 still does.
 */
export function sessionRefusal(s: { kind: SessionKind; members: readonly Member[] }, ctx: ActingContext, own = false): ActingRefusal | null {
  if (s.kind === 'pod' && !ctx.force) return { code: 'pod-session', pid: null, name: null };
  const pids = new Set(s.members.map((m) => m.pid));
  for (const m of s.members) {
    const code = refusalOf(m, ctx.guard);
    if (code !== null && !(own && (code === 'ancestor' || code === 'self'))) return { code, pid: m.pid, name: m.name };
    if (!own && ctx.callerChain.has(m.pid)) return { code: 'caller', pid: m.pid, name: m.name };
  }
  if (s.kind !== 'run' && !ctx.force) {
    for (const m of s.members) if (m.system && !pids.has(m.ppid)) return { code: 'system-process', pid: m.pid, name: m.name };
  }
  return null;
}
