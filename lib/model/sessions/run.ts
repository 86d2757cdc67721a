// Supervised sessions (`spmon run`): the daemon starts a command in a session of its own (setsid), so its
// members are the leader's process tree and anything else in its kernel session that started after it
// (a child that daemonized away from the tree, and was re-parented to the daemon, still counts). Pure.
import type { ProcessStat } from '../process_stat';
import { subtree } from '../tree';
import { findByKey } from './kinds';
import type { SessionProvider } from './provider';
import { sessionOf } from './session';

export const RUN_STATES = ['starting', 'running', 'backoff', 'stopping', 'exited', 'failed', 'gave-up', 'lost'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** How a run ended last: an exit code, or the signal that ended it; unknown (both null) when the daemon did not see it. */
export interface RunExit {
  code: number | null;
  signal: string | null;
  /** ISO 8601. */
  at: string;
}

/** What a session of kind `run` carries, from the daemon's record. */
export interface RunInfo {
  name: string;
  state: RunState;
  command: string[];
  cwd: string;
  /** The leader (the command spmon started): pid and start time (clock ticks), null while none runs. */
  pid: number | null;
  startTicks: number | null;
  /** When the current (or last) run started, ISO 8601. */
  startedAt: string | null;
  restarts: number;
  lastExit: RunExit | null;
  /** Why it stopped for good (gave-up, failed to start), in words. */
  reason: string | null;
  /**
   * A lost run whose leader died while processes of its kernel session live on: when (clock ticks since
   * boot) the leader was found gone. Only processes started by then are members, so a newcomer that reuses
   * the leader's pid for a session of its own is never taken for the run. Absent or null while it lives.
   */
  leaderGoneTicks?: number | null;
}

export function runSessionId(name: string): string {
  return `run:${name}`;
}

/** States in which a leader may be alive. */
export function runIsLive(state: RunState): boolean {
  return state === 'starting' || state === 'running' || state === 'stopping' || state === 'lost';
}

/** The members of a run: the leader's tree, and its kernel session's processes started after it (with their trees). */
export function runMembers(info: Pick<RunInfo, 'pid' | 'startTicks' | 'leaderGoneTicks'>, processes: readonly ProcessStat[], tree: Parameters<typeof subtree>[0]): ProcessStat[] {
  if (info.pid === null || info.startTicks === null) return [];
  const pid = info.pid;
  const start = info.startTicks;
  const until = info.leaderGoneTicks ?? Infinity;
  const out = new Map<string, ProcessStat>();
  // A leader found gone (a zombie nobody reaps may still be listed) has no tree: its children were re-parented.
  const leader = info.leaderGoneTicks == null ? findByKey(tree, processes, pid, `${pid}:${start}`) : undefined;
  if (leader) for (const p of subtree(tree, pid)) out.set(p.key, p);
  // setsid made the leader's pid the session id; later processes of that session belong to the run.
  for (const p of processes) {
    if (p.sid !== pid || p.startTicks < start || p.startTicks > until || out.has(p.key)) continue;
    if (p.pid === pid && p.startTicks === start) continue; // the leader itself (gone: a zombie not yet reaped)
    for (const q of subtree(tree, p.pid)) out.set(q.key, q);
  }
  return [...out.values()];
}

/** One session per supervised run (ended ones too, with no members, while the daemon remembers them). */
export function runProvider(runs: () => readonly (RunInfo & { id: string })[]): SessionProvider {
  return {
    kind: 'run',
    labelRank: 2.5,
    sessions: ({ snap, tree }) => {
      const list = runs();
      if (list.length === 0) return [];
      const t = tree();
      return list.map((r) => sessionOf(r.id, 'run', r.name, runIsLive(r.state) ? runMembers(r, snap.processes, t) : [], { run: r }));
    },
  };
}
