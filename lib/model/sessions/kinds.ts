// The session kinds spmon finds by itself: the pod, tmux sessions, agent sessions and picked trees.
// (Supervised `run` sessions come from the daemon: lib/model/sessions/run.ts.) Pure.
import type { Binding } from '../agent_binding';
import type { ProcessStat } from '../process_stat';
import type { ProcessTree } from '../tree';
import { subtree } from '../tree';
import type { TmuxPane } from '../../sources/tmux';
import type { TokenTotals } from '../../sources/agents/log_summary';
import type { SessionProvider } from './provider';
import { AgentInfo, Session, sessionOf } from './session';
import type { AgentTool } from '../../sources/agents/log_summary';

export function tmuxSessionId(p: Pick<TmuxPane, 'socket' | 'sessionId'>): string {
  return `tmux:${p.socket}:${p.sessionId}`;
}

export function agentSessionId(tool: AgentTool, sessionId: string): string {
  return `agent:${tool}:${sessionId}`;
}

export function treeSessionId(pid: number, startTicks: number): string {
  return `tree:${pid}:${startTicks}`;
}

/** The pod: every process spmon can see, in the cgroup it runs in. */
export const podProvider: SessionProvider = {
  kind: 'pod',
  labelRank: 0,
  sessions: ({ snap }) => [sessionOf('pod', 'pod', snap.cgroup.path ?? 'host', snap.processes)],
};

/** Each tmux session: its panes and all their descendants, on every server of the user. */
export function tmuxProvider(panes: () => readonly TmuxPane[]): SessionProvider {
  return {
    kind: 'tmux',
    labelRank: 2,
    sessions: ({ tree }) => {
      const list = panes();
      if (list.length === 0) return [];
      const t = tree();
      const groups = new Map<string, { name: string; members: Map<string, ProcessStat> }>();
      for (const pane of list) {
        const id = tmuxSessionId(pane);
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { name: pane.sessionName, members: new Map() }));
        for (const p of subtree(t, pane.panePid)) g.members.set(p.key, p);
      }
      return [...groups].map(([id, g]) => sessionOf(id, 'tmux', g.name, [...g.members.values()]));
    },
  };
}

/** An agent log session with what its log says. */
export interface AgentSessionFacts {
  tool: AgentTool;
  sessionId: string;
  logPath: string;
  cwd: string | null;
  model: string | null;
  tokens: TokenTotals;
  contextPercent: number | null;
  contextTokens: number | null;
  contextWindow: number | null;
  lastActivityMs: number | null;
  complete: boolean;
  unreadBytes: number;
}

/** Each agent log session: its bound process and descendants (none while unbound). */
export function agentProvider(input: () => { logs: readonly AgentSessionFacts[]; bindings: ReadonlyMap<string, Binding> }): SessionProvider {
  return {
    kind: 'agent',
    labelRank: 3,
    sessions: ({ snap, tree }) => {
      const { logs, bindings } = input();
      if (logs.length === 0) return [];
      const t = tree();
      return logs.map((a) => {
        const binding = bindings.get(`${a.tool}:${a.sessionId}`) ?? null;
        const root = binding ? findByKey(t, snap.processes, binding.pid, binding.processKey) : undefined;
        const agent: AgentInfo = {
          tool: a.tool,
          sessionId: a.sessionId,
          model: a.model,
          cwd: a.cwd,
          logPath: a.logPath,
          tokens: a.tokens,
          contextPercent: a.contextPercent,
          contextTokens: a.contextTokens,
          contextWindow: a.contextWindow,
          evidence: root ? binding!.evidence : null,
          confidence: root ? binding!.confidence : null,
          complete: a.complete,
          unreadBytes: a.unreadBytes,
        };
        const where = a.cwd ? (a.cwd.split('/').filter(Boolean).pop() ?? a.cwd) : a.sessionId.slice(0, 8);
        return sessionOf(agentSessionId(a.tool, a.sessionId), 'agent', `${a.tool} ${where}`, root ? subtree(t, root.pid) : [], {
          agent,
          lastActivityMs: a.lastActivityMs,
        });
      });
    },
  };
}

/** A process the user picked (`T`): it and its descendants. */
export interface TreePick {
  pid: number;
  startTicks: number;
}

/** Each picked tree whose root still lives. */
export function treeProvider(picks: () => readonly TreePick[]): SessionProvider {
  return {
    kind: 'tree',
    labelRank: 1,
    sessions: ({ snap, tree }) => {
      const list = picks();
      if (list.length === 0) return [];
      const t = tree();
      const out: Session[] = [];
      for (const pick of list) {
        const root = findByKey(t, snap.processes, pick.pid, `${pick.pid}:${pick.startTicks}`);
        if (!root) continue; // the picked process has exited
        out.push(sessionOf(treeSessionId(pick.pid, pick.startTicks), 'tree', `${root.name} (${root.pid})`, subtree(t, root.pid)));
      }
      return out;
    },
  };
}

/** The process with this key: by its pid in the tree (no map of every key), else by a scan. */
export function findByKey(tree: ProcessTree, list: readonly ProcessStat[], pid: number, key: string): ProcessStat | undefined {
  const p = tree.byPid.get(pid);
  if (p !== undefined && p.key === key) return p;
  for (let i = list.length - 1; i >= 0; i--) if (list[i].key === key) return list[i];
  return undefined;
}
