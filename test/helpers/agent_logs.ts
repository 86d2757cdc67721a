// Agent logs written into a private HOME, in the formats test/fixtures/agents/README.md describes, with
// recent timestamps (so they count as live sessions) and token counts chosen by the test. Each writer returns
// the log's path and what spmon should report for it.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface Tokens {
  input: number | null;
  output: number | null;
  cacheCreation: number | null;
  cacheRead: number | null;
  total: number | null;
}

export interface WrittenLog {
  path: string;
  sessionId: string;
  tokens: Tokens;
  /** Context used at the last request, in % of the window (unrounded). */
  contextPercent: number;
}

const iso = (agoMs: number) => new Date(Date.now() - agoMs).toISOString();
const jsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

export interface ClaudeUsage {
  input: number;
  cacheCreation: number;
  cacheRead: number;
  output: number;
}

/**
 * ~/.claude/projects/<cwd with / as ->/<sessionId>.jsonl: request req_1 streamed on two lines (the same
 * usage repeated, output 5 then 20: counted once, with 20), then the last request req_2 with `last`.
 * The context is req_2's input + cache creation + cache read over 200k (models `claude-*`).
 */
export function writeClaudeLog(
  home: string,
  o: { sessionId: string; cwd: string; model: string; last: ClaudeUsage; agoMs?: number },
): WrittenLog {
  const t0 = o.agoMs ?? 5000;
  const dir = path.join(home, '.claude', 'projects', o.cwd.replace(/[^A-Za-z0-9]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${o.sessionId}.jsonl`);
  const common = { sessionId: o.sessionId, cwd: o.cwd, isSidechain: false };
  const first = { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 };
  const l = o.last;
  fs.writeFileSync(
    file,
    jsonl([
      { type: 'user', ...common, timestamp: iso(t0), message: { role: 'user', content: 'hello' } },
      {
        type: 'assistant', ...common, timestamp: iso(t0 - 100), requestId: 'req_1',
        message: { id: 'msg_1', role: 'assistant', model: o.model, content: [{ type: 'text', text: 'thinking' }], usage: { ...first, output_tokens: 5 } },
      },
      {
        type: 'assistant', ...common, timestamp: iso(t0 - 200), requestId: 'req_1',
        message: {
          id: 'msg_1', role: 'assistant', model: o.model,
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }], usage: { ...first, output_tokens: 20 },
        },
      },
      { type: 'user', ...common, timestamp: iso(t0 - 300), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a b' }] } },
      {
        type: 'assistant', ...common, timestamp: iso(t0 - 400), requestId: 'req_2',
        message: {
          id: 'msg_2', role: 'assistant', model: o.model, content: [{ type: 'text', text: 'ok' }],
          usage: { input_tokens: l.input, cache_creation_input_tokens: l.cacheCreation, cache_read_input_tokens: l.cacheRead, output_tokens: l.output },
        },
      },
    ]),
  );
  const tokens = { input: 10 + l.input, output: 20 + l.output, cacheCreation: 100 + l.cacheCreation, cacheRead: 1000 + l.cacheRead, total: 0 };
  tokens.total = tokens.input + tokens.output + tokens.cacheCreation + tokens.cacheRead;
  return { path: file, sessionId: o.sessionId, tokens, contextPercent: ((l.input + l.cacheCreation + l.cacheRead) / 200_000) * 100 };
}

/**
 * ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<sessionId>.jsonl: session_meta, turn_context, a token_count
 * with a null info, then two CUMULATIVE token_counts (the second holds `total`; counting both would double),
 * and a trailing null info. The last request reads `lastInput` tokens and writes 10. Context, as Codex shows it:
 * the last request's total_tokens past a 12,000-token baseline, over the log's model_context_window less it.
 */
export function writeCodexLog(
  home: string,
  o: { sessionId: string; cwd: string; model: string; total: { input: number; cached: number; output: number }; lastInput: number; window: number; agoMs?: number },
): WrittenLog {
  const t0 = o.agoMs ?? 5000;
  const now = new Date();
  const dir = path.join(home, '.codex', 'sessions', String(now.getFullYear()), String(now.getMonth() + 1).padStart(2, '0'), String(now.getDate()).padStart(2, '0'));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `rollout-${iso(t0).slice(0, 19).replace(/:/g, '-')}-${o.sessionId}.jsonl`);
  const usage = (input: number, cached: number, output: number) => ({
    input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: 0, total_tokens: input + output,
  });
  const half = usage(Math.floor(o.total.input / 2), Math.floor(o.total.cached / 2), Math.floor(o.total.output / 2));
  fs.writeFileSync(
    file,
    jsonl([
      { timestamp: iso(t0), type: 'session_meta', payload: { id: o.sessionId, timestamp: iso(t0), cwd: o.cwd, originator: 'codex_cli_rs', cli_version: '0.46.0' } },
      { timestamp: iso(t0 - 100), type: 'turn_context', payload: { cwd: o.cwd, approval_policy: 'on-request', model: o.model } },
      { timestamp: iso(t0 - 200), type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: null } },
      { timestamp: iso(t0 - 300), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{}', call_id: 'c1' } },
      { timestamp: iso(t0 - 400), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: half, last_token_usage: half, model_context_window: o.window } } },
      {
        timestamp: iso(t0 - 500), type: 'event_msg',
        payload: {
          type: 'token_count',
          info: { total_token_usage: usage(o.total.input, o.total.cached, o.total.output), last_token_usage: usage(o.lastInput, 0, 10), model_context_window: o.window },
        },
      },
      { timestamp: iso(t0 - 600), type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: { primary: { used_percent: 5 } } } },
    ]),
  );
  return {
    path: file,
    sessionId: o.sessionId,
    tokens: {
      input: o.total.input - o.total.cached,
      output: o.total.output,
      cacheCreation: null,
      cacheRead: o.total.cached,
      total: o.total.input + o.total.output,
    },
    contextPercent: (Math.max(0, o.lastInput + 10 - 12_000) / (o.window - 12_000)) * 100,
  };
}

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export interface GeminiTokens {
  input: number;
  cached: number;
  output: number;
  total: number;
}

/**
 * ~/.gemini/tmp/<sha256(projectRoot)>/chats/session-<time>-<id8>.json: one document with a user message and
 * two `gemini` messages, the first (1000 in, 200 of them cached, 50 out, 1080 total), the second `last`.
 * Context: the last message's input over the model's window (gemini-*: 1,048,576).
 */
export function writeGeminiLog(
  home: string,
  o: { sessionId: string; projectRoot: string; model: string; last: GeminiTokens; agoMs?: number },
): WrittenLog {
  const t0 = o.agoMs ?? 5000;
  const dir = path.join(home, '.gemini', 'tmp', sha256(o.projectRoot), 'chats');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `session-${iso(t0).slice(0, 16).replace(/:/g, '-')}-${o.sessionId.slice(0, 8)}.json`);
  const l = o.last;
  const doc = {
    sessionId: o.sessionId,
    projectHash: sha256(o.projectRoot),
    startTime: iso(t0),
    lastUpdated: iso(t0 - 400),
    messages: [
      { id: 'g1', timestamp: iso(t0 - 100), type: 'user', content: 'hi' },
      {
        id: 'g2', timestamp: iso(t0 - 200), type: 'gemini', content: '', model: o.model,
        tokens: { input: 1000, output: 50, cached: 200, thoughts: 30, tool: 0, total: 1080 },
      },
      {
        id: 'g3', timestamp: iso(t0 - 300), type: 'gemini', content: 'ok', model: o.model,
        tokens: { input: l.input, output: l.output, cached: l.cached, thoughts: 0, tool: 0, total: l.total },
      },
    ],
  };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  return {
    path: file,
    sessionId: o.sessionId,
    tokens: { input: 800 + (l.input - l.cached), output: 50 + l.output, cacheCreation: null, cacheRead: 200 + l.cached, total: 1080 + l.total },
    contextPercent: (l.input / 1_048_576) * 100,
  };
}
