// What one tool's parser reports about one log file. AgentLogs (index.ts) merges the files of a session.
/** The agent tools whose logs spmon reads. */
export type AgentTool = 'claude' | 'codex' | 'gemini';

/**
 * Tokens used by a session. `input` excludes cache reads; `total` is the sum of the four (Gemini: the sum of
 * the messages' own totals). A field a tool does not report is null (unknown is not zero), and all of them
 * are null until the first usage record is seen.
 */
export interface TokenTotals {
  input: number | null;
  output: number | null;
  cacheCreation: number | null;
  cacheRead: number | null;
  total: number | null;
}

export interface LogSummary {
  /** From the records; null when none carried one yet (AgentLogs then falls back to the file name). */
  sessionId: string | null;
  cwd: string | null;
  /** Gemini: SHA-256 hex of the project root. Null for the other tools. */
  projectHash: string | null;
  /** The last model seen. */
  model: string | null;
  tokens: TokenTotals;
  /** Tokens in the context at the last request (the numerator of context %). */
  contextTokens: number | null;
  /** Claude: the most tokens any main-conversation request held (which window a 1M-capable model ran with). */
  peakContextTokens?: number | null;
  /** The window the log itself states (Codex `model_context_window`), else null. */
  contextWindow: number | null;
  firstActivityMs: number | null;
  lastActivityMs: number | null;
  /** Tool calls the model made (Claude `tool_use` items, Codex function calls, Gemini `toolCalls`). */
  toolUses: number;
  /** Distinct model requests with usage (Claude requests, Codex token_count events, Gemini messages). */
  requests: number;
  /** A sub-agent's log (Claude sidechain / Gemini subagent), merged into its parent session. */
  sidechain: boolean;
}

/** A parser that can say what it has seen so far. */
export interface SummaryParser {
  summary(): LogSummary;
}

/** Sum of the known fields; null when none is known. */
export function sumKnown(...vs: (number | null)[]): number | null {
  let t: number | null = null;
  for (const v of vs) if (v !== null) t = (t ?? 0) + v;
  return t;
}
