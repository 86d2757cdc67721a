// Context windows of known models, context % and its warning level.
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
  gemini: [
    ['gemini-', 1_048_576],
    ['gemini-1.5-pro', 2_097_152],
  ],
};

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

