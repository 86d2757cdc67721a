// "Mine": the session a process belongs to, found from its ancestry: an agent that runs `spmon mcp` or
// `spmon request-termination` (or a hook) is an ancestor of that process, so the nearest ancestor that is
// a member of an agent session (else a supervised run, else a tmux session) names it. Pure.
import type { ProcessStat } from './process_stat';
import type { Session, SessionKind } from './sessions';

/** Kinds that can be "mine", most specific first. */
const MINE_ORDER: SessionKind[] = ['agent', 'run', 'tmux'];

/**
 * The session of `pid` or its nearest ancestor that is in one, preferring the most specific kind at the
 * nearest level: an agent's tool call runs inside its tmux pane, and the agent session is meant.
 */
export function ownSession(pid: number, processes: readonly ProcessStat[], sessions: readonly Session[]): { session: Session; via: ProcessStat } | null {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const sessionsOfKey = new Map<string, Session[]>();
  for (const s of sessions) {
    if (!MINE_ORDER.includes(s.kind)) continue;
    for (const k of s.keys) {
      let l = sessionsOfKey.get(k);
      if (!l) sessionsOfKey.set(k, (l = []));
      l.push(s);
    }
  }
  const seen = new Set<number>();
  for (let p = byPid.get(pid); p && !seen.has(p.pid); p = byPid.get(p.ppid)) {
    seen.add(p.pid);
    const mine = sessionsOfKey.get(p.key);
    if (!mine) continue;
    for (const kind of MINE_ORDER) {
      const s = mine.find((x) => x.kind === kind);
      if (s) return { session: s, via: p };
    }
  }
  return null;
}
