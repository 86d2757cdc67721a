// A frame in which a process's own session ("mine") can be told. An agent that asks about or for itself
// soon after it started (or after the engine started) can come before its log is bound to its process:
// that takes a tick or two (the open files of agent processes are read on the tick after they are seen).
// Its own session would then be the supervised run or tmux session around it. While that can still
// change, fresh ticks are taken, for a few seconds at most.
import type { Engine } from '../engine/engine';
import type { Frame } from '../engine/frame';
import { ownSession } from '../model/own_session';
import { ancestorPids } from '../model/protection';

/** How long a question about a process's own session waits for its agent's log to be bound. */
export const BIND_WAIT_MS = 5000;
/** An agent process (or an engine) younger than this may not be bound yet, ms. */
const YOUNG_MS = 5000;
/** Ticks after an engine's start in which no agent has been bound yet whatever its age. */
const YOUNG_TICKS = 4;

/** Whether `pid`'s own session may still become an agent session: an unbound young agent among its ancestors. */
export function awaitsBinding(pid: number, f: Frame): boolean {
  if (ownSession(pid, f.processes, f.sessions)?.session.kind === 'agent') return false;
  // The binding model loads only when asked (a snapshot, which never waits, does not load it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { agentToolOf } = require('../model/agent_binding') as typeof import('../model/agent_binding');
  const line = ancestorPids(f.processes, pid).add(pid);
  return f.processes.some((p) => line.has(p.pid) && agentToolOf(p) !== null && (f.seq <= YOUNG_TICKS || (p.startTime !== null && f.wallMs - p.startTime < YOUNG_MS)));
}

/** `first` (else a fresh tick), or fresh ticks 200 ms apart while `pid`'s agent may still be bound, up to `waitMs`. */
export async function ownFrame(engine: Engine, pid: number, first?: Frame, waitMs = BIND_WAIT_MS): Promise<Frame> {
  const until = Date.now() + waitMs;
  let f = first ?? engine.tick();
  while (Date.now() < until && awaitsBinding(pid, f)) {
    await new Promise((r) => setTimeout(r, 200));
    f = engine.tick();
  }
  return f;
}
