// Sessions: named sets of processes with totals. Sums of USS and PSS are
// meaningful; a sum of RSS double counts shared pages (labelled as such).
import type { ModelSnapshot, ProcessStat } from './sampler';

export type SessionKind = 'pod' | 'tmux' | 'agent' | 'tree';

export interface AgentInfo {
  tool: 'claude' | 'codex' | 'gemini';
  sessionId: string;
  model: string | null;
  cwd: string | null;
  logPath: string | null;
  tokens: { input: number | null; output: number | null; cacheCreation: number | null; cacheRead: number | null; total: number | null };
  contextPercent: number | null;
  evidence: string | null;
  confidence: number | null;
}

export interface Session {
  id: string;
  kind: SessionKind;
  name: string;
  pids: number[];
  ussBytes: number | null;
  pssBytes: number | null;
  rssBytes: number | null;
  cpuPercent: number | null;
  agent: AgentInfo | null;
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

export function sessionOf(id: string, kind: SessionKind, name: string, members: readonly ProcessStat[], agent: AgentInfo | null = null): Session {
  return {
    id,
    kind,
    name,
    pids: members.map((p) => p.pid).sort((a, b) => a - b),
    ussBytes: sum(members, (p) => p.ussBytes),
    pssBytes: sum(members, (p) => p.pssBytes),
    rssBytes: sum(members, (p) => p.rssBytes),
    cpuPercent: sum(members, (p) => p.cpuPercent),
    agent,
  };
}

/** The pod: every process we can see, in the cgroup spmon runs in. */
export function podSession(snap: ModelSnapshot): Session {
  const name = snap.cgroup.path ?? 'host';
  return sessionOf('pod', 'pod', name, snap.processes);
}
