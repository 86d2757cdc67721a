// A session: a named set of processes. Its totals (ΣUSS, ΣPSS add up; ΣRSS double counts) are summed by
// the field table (lib/fields/session_fields.ts), so the sums are declared where the fields are. Pure.
import type { AgentTool, TokenTotals } from '../../sources/agents/log_summary';
import type { ProcessStat } from '../process_stat';
import type { RunInfo } from './run';

export type SessionKind = 'pod' | 'tmux' | 'agent' | 'tree' | 'run';

export interface AgentInfo {
  tool: AgentTool;
  sessionId: string;
  model: string | null;
  cwd: string | null;
  logPath: string | null;
  tokens: TokenTotals;
  contextPercent: number | null;
  /** Tokens in the context at the last request, and the window they are measured against (contextPercent's two parts). */
  contextTokens: number | null;
  contextWindow: number | null;
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
  /**
   * The member processes in pid order: the frame's own ProcessStats, so they hold this tick's values
   * until the next tick (copy what must keep them).
   */
  members: readonly ProcessStat[];
  pids: number[];
  /** Member identities, `${pid}:${startTicks}`, for ending the session safely. */
  keys: string[];
  agent: AgentInfo | null;
  /** A supervised session's state (kind run). */
  run: RunInfo | null;
  /** When the session was last active (agents: the log's last entry), ms since the epoch. */
  lastActivityMs: number | null;
}

/** A session of `members` (any order; kept in pid order). */
export function sessionOf(
  id: string,
  kind: SessionKind,
  name: string,
  members: readonly ProcessStat[],
  facts: { agent?: AgentInfo | null; run?: RunInfo | null; lastActivityMs?: number | null } = {},
): Session {
  // The pod's members come in /proc order, which is pid order: sort (a copy) only when they are not.
  let ordered = true;
  for (let i = 1; i < members.length && ordered; i++) ordered = members[i - 1].pid <= members[i].pid;
  const sorted = ordered ? members : members.slice().sort((a, b) => a.pid - b.pid);
  return {
    id,
    kind,
    name,
    members: sorted,
    pids: sorted.map((p) => p.pid),
    keys: sorted.map((p) => p.key),
    agent: facts.agent ?? null,
    run: facts.run ?? null,
    lastActivityMs: facts.lastActivityMs ?? null,
  };
}
