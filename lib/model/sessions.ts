// Sessions: named sets of processes with totals. Sums of USS and PSS are
// meaningful; a sum of RSS double counts shared pages (labelled as such). Pure.
import type { AgentTool, Binding } from './agent_binding';
import type { ModelSnapshot, ProcessStat } from './sampler';
import { buildTree, ProcessTree, subtree } from './tree';

export type SessionKind = 'pod' | 'tmux' | 'agent' | 'tree';

export interface TokenCounts {
  input: number | null;
  output: number | null;
  cacheCreation: number | null;
  cacheRead: number | null;
  total: number | null;
}

export interface AgentInfo {
  tool: AgentTool;
  sessionId: string;
  model: string | null;
  cwd: string | null;
  logPath: string | null;
  tokens: TokenCounts;
  contextPercent: number | null;
  evidence: string | null;
  confidence: number | null;
  /** The logs are read to their end: the counts are the whole session's. */
  complete: boolean;
  /** Bytes of the logs not read yet (0 when complete). */
  unreadBytes: number;
}

export interface Session {
  id: string;
  kind: SessionKind;
  name: string;
  pids: number[];
  /** Member identities, `${pid}:${startTicks}`, for ending the session safely. */
  keys: string[];
  ussBytes: number | null;
  pssBytes: number | null;
  /** Double counts shared pages: a sum of RSS, labelled as such. */
  rssBytes: number | null;
  cpuPercent: number | null;
  growthBytesPerMin: number | null;
  agent: AgentInfo | null;
  /** When the session was last active (agents: the log's last entry), ms since the epoch. */
  lastActivityMs: number | null;
}

/** A tmux pane as the tmux source lists it. */
export interface TmuxPaneFacts {
  socket: string;
  sessionId: string;
  sessionName: string;
  panePid: number;
}

/** An agent log session with what its log says, ready for the view. */
export interface AgentSessionFacts {
  tool: AgentTool;
  sessionId: string;
  logPath: string;
  cwd: string | null;
  model: string | null;
  tokens: TokenCounts;
  contextPercent: number | null;
  lastActivityMs: number | null;
  complete: boolean;
  unreadBytes: number;
}

/** A process the user picked (`T`): it and its descendants. */
export interface TreePick {
  pid: number;
  startTicks: number;
}

/** Sum a field over processes: null when no member knows it. */
function sum(ps: readonly ProcessStat[], get: (p: ProcessStat) => number | null): number | null {
  let total: number | null = null;
  for (const p of ps) {
    const v = get(p);
    if (v !== null) total = (total ?? 0) + v;
  }
  return total;
}

export function sessionOf(
  id: string,
  kind: SessionKind,
  name: string,
  members: readonly ProcessStat[],
  agent: AgentInfo | null = null,
  lastActivityMs: number | null = null,
): Session {
  // The pod's members come in /proc order, which is pid order: sort (a copy) only when they are not.
  let ordered = true;
  for (let i = 1; i < members.length && ordered; i++) ordered = members[i - 1].pid <= members[i].pid;
  const sorted = ordered ? members : members.slice().sort((a, b) => a.pid - b.pid);
  return {
    id,
    kind,
    name,
    pids: sorted.map((p) => p.pid),
    keys: sorted.map((p) => p.key),
    ussBytes: sum(members, (p) => p.ussBytes),
    pssBytes: sum(members, (p) => p.pssBytes),
    rssBytes: sum(members, (p) => p.rssBytes),
    cpuPercent: sum(members, (p) => p.cpuPercent),
    growthBytesPerMin: sum(members, (p) => p.growthBytesPerMin),
    agent,
    lastActivityMs,
  };
}

/** The pod: every process we can see, in the cgroup spmon runs in. */
export function podSession(snap: ModelSnapshot): Session {
  return sessionOf('pod', 'pod', snap.cgroup.path ?? 'host', snap.processes);
}

export function tmuxSessionId(p: Pick<TmuxPaneFacts, 'socket' | 'sessionId'>): string {
  return `tmux:${p.socket}:${p.sessionId}`;
}

export function agentSessionId(tool: AgentTool, sessionId: string): string {
  return `agent:${tool}:${sessionId}`;
}

export function treeSessionId(pid: number, startTicks: number): string {
  return `tree:${pid}:${startTicks}`;
}

export interface SessionInput {
  tmux: readonly TmuxPaneFacts[];
  agents: readonly AgentSessionFacts[];
  /** Bindings of agent sessions to processes, by `${tool}:${sessionId}`. */
  bindings: ReadonlyMap<string, Binding>;
  trees: readonly TreePick[];
  /** The snapshot's process tree from the caller (who may have built it already); else it is built here, when needed. */
  tree?: () => ProcessTree;
}

export interface SessionsResult {
  sessions: Session[];
}

const EMPTY_TREE: ProcessTree = { byPid: new Map(), children: new Map() };

/** sessionIds of the many processes in no session but the pod: one array for all of them, never mutated. */
const POD_ONLY: string[] = Object.freeze(['pod']) as unknown as string[];

/** The process with this key: by its pid in the tree (no map of every key), else by a scan. */
function findByKey(tree: ProcessTree, list: readonly ProcessStat[], pid: number, key: string): ProcessStat | undefined {
  const p = tree.byPid.get(pid);
  if (p !== undefined && p.key === key) return p;
  for (let i = list.length - 1; i >= 0; i--) if (list[i].key === key) return list[i];
  return undefined;
}

/**
 * Group the snapshot's processes into sessions: the pod, each tmux session
 * (its panes and all their descendants), each agent session (its bound process
 * and descendants; none while unbound), each picked tree.
 */
export function buildSessions(snap: ModelSnapshot, input: SessionInput): SessionsResult {
  // Only tmux panes, agents and picked trees need the tree; the pod alone does not.
  const tree = input.tmux.length > 0 || input.agents.length > 0 || input.trees.length > 0 ? (input.tree?.() ?? buildTree(snap.processes)) : EMPTY_TREE;
  const sessions: Session[] = [podSession(snap)];

  const tmuxGroups = new Map<string, { name: string; members: Map<string, ProcessStat> }>();
  for (const pane of input.tmux) {
    const id = tmuxSessionId(pane);
    let g = tmuxGroups.get(id);
    if (!g) tmuxGroups.set(id, (g = { name: pane.sessionName, members: new Map() }));
    for (const p of subtree(tree, pane.panePid)) g.members.set(p.key, p);
  }
  for (const [id, g] of tmuxGroups) sessions.push(sessionOf(id, 'tmux', g.name, [...g.members.values()]));

  for (const a of input.agents) {
    const binding = input.bindings.get(`${a.tool}:${a.sessionId}`) ?? null;
    const root = binding ? findByKey(tree, snap.processes, binding.pid, binding.processKey) : undefined;
    const members = root ? subtree(tree, root.pid) : [];
    const info: AgentInfo = {
      tool: a.tool,
      sessionId: a.sessionId,
      model: a.model,
      cwd: a.cwd,
      logPath: a.logPath,
      tokens: a.tokens,
      contextPercent: a.contextPercent,
      evidence: root ? binding!.evidence : null,
      confidence: root ? binding!.confidence : null,
      complete: a.complete,
      unreadBytes: a.unreadBytes,
    };
    const where = a.cwd ? a.cwd.split('/').filter(Boolean).pop() ?? a.cwd : a.sessionId.slice(0, 8);
    sessions.push(sessionOf(agentSessionId(a.tool, a.sessionId), 'agent', `${a.tool} ${where}`, members, info, a.lastActivityMs));
  }

  for (const t of input.trees) {
    const root = findByKey(tree, snap.processes, t.pid, `${t.pid}:${t.startTicks}`);
    if (!root) continue; // the picked process has exited
    sessions.push(sessionOf(treeSessionId(t.pid, t.startTicks), 'tree', `${root.name} (${root.pid})`, subtree(tree, root.pid)));
  }

  // Every process is in the pod (sessions[0]); most in nothing else.
  const more = new Map<string, string[]>();
  for (let i = 1; i < sessions.length; i++) {
    const s = sessions[i];
    for (const k of s.keys) {
      let ids = more.get(k);
      if (!ids) more.set(k, (ids = ['pod']));
      ids.push(s.id);
    }
  }
  // Label each process with its most specific session: agent, then tmux, then tree.
  const rank: Record<SessionKind, number> = { agent: 3, tmux: 2, tree: 1, pod: 0 };
  const byId = new Map(sessions.map((s) => [s.id, s]));
  for (const p of snap.processes) {
    const ids = more.get(p.key);
    if (ids === undefined) {
      p.sessionIds = POD_ONLY;
      p.sessionLabel = null;
      continue;
    }
    p.sessionIds = ids;
    let best: Session | null = null;
    for (const id of ids) {
      const s = byId.get(id)!;
      if (s.kind !== 'pod' && (!best || rank[s.kind] > rank[best.kind])) best = s;
    }
    p.sessionLabel = best ? best.name : null;
  }
  return { sessions };
}
