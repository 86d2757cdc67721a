// Context windows of known models, and context % as each tool shows it to its own user, so that spmon and
// the agent's display agree (README, "Context %"):
// - Claude Code: input + cache creation + cache read tokens of the last request of the main conversation,
//   over the model's window (its status line's context_window.used_percentage; output is not counted).
// - Codex: the last request's total_tokens less a 12,000-token baseline (prompts, tools, room to compact),
//   over the window less that baseline (codex-rs TokenUsage::percent_of_context_window_remaining: Codex shows
//   the rest as "N% context left"). Between 0 and 100.
// - Gemini CLI: the last promptTokenCount (a chat message's tokens.input) over 1,048,576 (its tokenLimit() for
//   every model), shown by Gemini CLI as "N% context left".
import type { AgentTool } from './log_summary';

/**
 * Overrides: a model id (exact) or a prefix ending in `*` → window in tokens, e.g.
 * `{ "claude-sonnet-4-5*": 1000000 }`. The longest matching prefix wins; an exact id beats any prefix.
 */
export type ContextWindowOverrides = Readonly<Record<string, number>>;

const K = 1000;

/** Known windows by model-id prefix (longest prefix wins), per tool. */
const KNOWN: Record<AgentTool, ReadonlyArray<readonly [string, number]>> = {
  claude: [['claude-', 200 * K]],
  codex: [
    ['gpt-5', 272 * K],
    ['gpt-4.1', 1_047_576],
    ['gpt-4o', 128 * K],
    ['o3', 200 * K],
    ['o4-mini', 200 * K],
    ['codex-mini', 200 * K],
  ],
  // Gemini CLI's tokenLimit() gives every model 1,048,576, whatever it is named.
  gemini: [['', 1_048_576]],
};

/** Codex's BASELINE_TOKENS: always in the context, so left out of both sides of its percentage. */
export const CODEX_BASELINE_TOKENS = 12_000;

/** Claude models with a 1M-token variant: assumed when a request held more than the 200k window. */
const CLAUDE_1M_FAMILIES = ['claude-sonnet-4', 'claude-opus-4-6'];

function longestPrefix(model: string, entries: Iterable<readonly [string, number]>): number | null {
  let best: [number, number] | null = null;
  for (const [prefix, window] of entries) {
    if (model.startsWith(prefix) && (best === null || prefix.length > best[0])) best = [prefix.length, window];
  }
  return best ? best[1] : null;
}

function fromOverrides(model: string | null, overrides: ContextWindowOverrides | undefined): number | null {
  if (!overrides || model === null) return null;
  const exact = overrides[model];
  if (typeof exact === 'number' && exact > 0) return exact;
  const prefixes: [string, number][] = [];
  for (const [k, v] of Object.entries(overrides)) {
    if (k.endsWith('*') && typeof v === 'number' && v > 0) prefixes.push([k.slice(0, -1), v]);
  }
  return longestPrefix(model, prefixes);
}

/**
 * The context window of a model, in tokens: an override, else what the log states (Codex), else the table.
 * Claude ids with `[1m]` have 1M; so does a model of a 1M-capable family once a request held more than
 * 200k tokens (the log does not say which window the session used). Null when unknown.
 */
export function contextWindowFor(
  tool: AgentTool,
  model: string | null,
  opts: { fromLog?: number | null; usedTokens?: number | null; overrides?: ContextWindowOverrides } = {},
): number | null {
  const over = fromOverrides(model, opts.overrides);
  if (over !== null) return over;
  if (opts.fromLog != null && opts.fromLog > 0) return opts.fromLog;
  if (model === null) return null;
  const id = model.toLowerCase();
  if (tool === 'claude' && id.includes('[1m]')) return 1_000_000;
  const known = longestPrefix(id, KNOWN[tool]);
  if (tool === 'claude' && known !== null && opts.usedTokens != null && opts.usedTokens > known) {
    if (CLAUDE_1M_FAMILIES.some((f) => id.startsWith(f))) return 1_000_000;
  }
  return known;
}

/** Used tokens as a percentage of the window; null when either is unknown. Not capped at 100. */
export function contextPercent(usedTokens: number | null, window: number | null): number | null {
  if (usedTokens === null || window === null || window <= 0) return null;
  return (usedTokens / window) * 100;
}

/** Context % of a session as its tool shows it (100 less the tool's "% context left"); null when unknown. */
export function contextPercentFor(tool: AgentTool, usedTokens: number | null, window: number | null): number | null {
  if (tool !== 'codex') return contextPercent(usedTokens, window);
  if (usedTokens === null || window === null || window <= 0) return null;
  if (window <= CODEX_BASELINE_TOKENS) return 100;
  const effective = window - CODEX_BASELINE_TOKENS;
  const used = Math.max(0, usedTokens - CODEX_BASELINE_TOKENS);
  return Math.min(100, (used / effective) * 100);
}
