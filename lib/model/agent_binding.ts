// Which live process is an AI coding agent, and which agent log session it is
// running: evidence with a confidence. Pure: logs and /proc facts come in as data.
import { geminiProjectHash } from '../sources/agents/gemini';
import type { RawProcessFiles } from '../native';
import type { ProcessStat } from './sampler';

import type { AgentTool } from '../sources/agents/log_summary';

export type { AgentTool };

/** What the model needs of a parsed agent log (lib/sources/agents gives more). */
export interface AgentLogFacts {
  tool: AgentTool;
  sessionId: string;
  logPath: string;
  cwd: string | null;
  /** Gemini: SHA-256 of the project root. */
  projectHash?: string | null;
  firstActivityMs: number | null;
  lastActivityMs: number | null;
}

/** `cwd-guess`: the same directory, but more than one agent process of the tool could be the one. */
export type Evidence = 'open-log' | 'sticky' | 'cwd' | 'cwd-guess';

export const CONFIDENCE: Record<Evidence, number> = { 'open-log': 0.9, sticky: 0.7, cwd: 0.55, 'cwd-guess': 0.3 };

/** Below this a binding is a guess: shown, never acted on by a policy. */
export const ACT_CONFIDENCE = CONFIDENCE.cwd;

export interface Binding {
  /** `${tool}:${sessionId}` */
  sessionKey: string;
  processKey: string;
  pid: number;
  evidence: Evidence;
  confidence: number;
}

const TOOL_PACKAGES: [AgentTool, RegExp][] = [
  ['claude', /(^|\/)(claude|claude-code)$|@anthropic-ai\/claude-code/],
  ['codex', /(^|\/)codex$|@openai\/codex/],
  ['gemini', /(^|\/)gemini$|@google\/gemini-cli/],
];

/**
 * The agent tool a process runs, by its name or argv: `claude`, `codex`,
 * `gemini`, also as a script run by node (`node .../@openai/codex/bin/codex.js`).
 */
export function agentToolOf(p: Pick<ProcessStat, 'name' | 'cmdline' | 'kernelThread'>): AgentTool | null {
  if (p.kernelThread) return null;
  for (const [tool, re] of TOOL_PACKAGES) if (p.name === tool || re.test(p.name)) return tool;
  if (!p.cmdline) return null;
  // argv[0] and, for interpreters, the script (argv[1] or the first non-option argument).
  const argv = p.cmdline.split(' ').slice(0, 4);
  const interp = /(^|\/)(node|nodejs|bun|deno|npx|python3?)$/.test(argv[0] ?? '');
  const candidates = interp ? argv.slice(1).filter((a) => !a.startsWith('-')).slice(0, 1) : argv.slice(0, 1);
  for (const a of candidates) {
    const path = a.replace(/\.(c?js|mjs|ts)$/, '');
    for (const [tool, re] of TOOL_PACKAGES) {
      if (re.test(path) || re.test(a)) return tool;
      // .../node_modules/@openai/codex/bin/codex.js
      if (path.includes(`/${tool}/`) && path.endsWith(`/${tool}`)) return tool;
    }
  }
  return null;
}

export interface BindInput {
  logs: readonly AgentLogFacts[];
  /** Live agent processes (agentToolOf is not null), with their tool. */
  agents: readonly { p: ProcessStat; tool: AgentTool }[];
  /** cwd and open files of candidate processes, by pid. */
  files: ReadonlyMap<number, RawProcessFiles>;
  /** Descendants of each agent process (for "a descendant has the log open"). */
  descendants: (p: ProcessStat) => readonly ProcessStat[];
  /** Bindings from earlier ticks, by session key. */
  previous: ReadonlyMap<string, Binding>;
  /** How far a process's start may lie after a session's last activity and still match by cwd. */
  slackMs?: number;
}

/**
 * Bind each log session to at most one process and each process to at most one
 * session, strongest evidence first: the log is open (0.9), an earlier binding of
 * the same (pid, start time) that the open log proved (0.7), same cwd and overlapping
 * activity (0.55; 0.3 when more than one process of the tool is, or may be, in that
 * directory: a guess), and an earlier binding by directory, kept as it was.
 */
export function bindAgents(input: BindInput): Map<string, Binding> {
  const slack = input.slackMs ?? 60_000;
  const byKey = new Map(input.agents.map((a) => [a.p.key, a]));
  const out = new Map<string, Binding>();
  const taken = new Set<string>();
  const bind = (log: AgentLogFacts, p: ProcessStat, evidence: Evidence) => {
    const sessionKey = `${log.tool}:${log.sessionId}`;
    out.set(sessionKey, { sessionKey, processKey: p.key, pid: p.pid, evidence, confidence: CONFIDENCE[evidence] });
    taken.add(p.key);
  };

  // 1. An open log file is proof.
  const holders = new Map<string, ProcessStat>();
  for (const a of input.agents) {
    for (const q of [a.p, ...input.descendants(a.p)]) {
      for (const f of input.files.get(q.pid)?.files ?? []) if (!holders.has(f)) holders.set(f, a.p);
    }
  }
  for (const log of input.logs) {
    const p = holders.get(log.logPath);
    if (p && !taken.has(p.key) && byKey.get(p.key)?.tool === log.tool) bind(log, p, 'open-log');
  }
  // 2. What was bound before stays bound while the same process lives.
  for (const log of input.logs) {
    const key = `${log.tool}:${log.sessionId}`;
    if (out.has(key)) continue;
    const prev = input.previous.get(key);
    // Only what the open log proved sticks at 0.7. A binding by directory is made again below each time (the
    // same way while it can), so a second agent that comes to the directory makes it a guess.
    if (prev && (prev.evidence === 'open-log' || prev.evidence === 'sticky') && byKey.has(prev.processKey) && !taken.has(prev.processKey))
      bind(log, byKey.get(prev.processKey)!.p, 'sticky');
  }
  // 3. Same project directory, active while the process lived: newest activity first.
  const open = input.logs
    .filter((l) => !out.has(`${l.tool}:${l.sessionId}`))
    .slice()
    .sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0));
  // Rivals are counted among the processes the stronger evidence left, so the second log of a directory with
  // two agents is a guess too (its one remaining candidate is only what the first guess left over).
  const left = new Set(input.agents.filter((a) => !taken.has(a.p.key)).map((a) => a.p.key));
  for (const log of open) {
    let best: ProcessStat | null = null;
    let candidates = 0;
    const prev = input.previous.get(`${log.tool}:${log.sessionId}`);
    let prevCandidate: ProcessStat | null = null;
    for (const a of input.agents) {
      if (a.tool !== log.tool || !left.has(a.p.key)) continue;
      const start = a.p.startTime;
      if (start !== null && log.lastActivityMs !== null && log.lastActivityMs < start - slack) continue;
      const files = input.files.get(a.p.pid);
      // Not looked at yet (it came since the last tick): it may be in the directory, so it is a rival, but
      // never the one bound. (Looked at and unreadable, another user's, is no rival: cwd null.)
      if (files === undefined) {
        candidates++;
        continue;
      }
      const cwd = files.cwd;
      if (cwd === null) continue;
      const sameProject = log.tool === 'gemini' && log.projectHash ? geminiProjectHash(cwd) === log.projectHash : log.cwd !== null && cwd === log.cwd;
      if (!sameProject) continue;
      candidates++;
      if (taken.has(a.p.key)) continue;
      if (prev?.processKey === a.p.key) prevCandidate = a.p;
      // The most recently started process is the likeliest to be writing the newest log.
      if (!best || (a.p.startTime ?? 0) > (best.startTime ?? 0)) best = a.p;
    }
    // Two agents of the tool in one directory: which is which is a guess (kept as it was, so it does not flip).
    if (best) bind(log, candidates > 1 ? (prevCandidate ?? best) : best, candidates > 1 ? 'cwd-guess' : 'cwd');
  }
  // 4. A binding by directory whose process has since left the directory (cd) stays as it was while it lives.
  for (const log of input.logs) {
    const key = `${log.tool}:${log.sessionId}`;
    const prev = input.previous.get(key);
    if (out.has(key) || !prev || (prev.evidence !== 'cwd' && prev.evidence !== 'cwd-guess')) continue;
    const a = byKey.get(prev.processKey);
    if (a && !taken.has(prev.processKey)) bind(log, a.p, prev.evidence);
  }
  return out;
}
