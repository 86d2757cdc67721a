// Codex CLI session logs: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl (CODEX_HOME default $HOME/.codex).
//
// `session_meta` gives the session id and cwd, `turn_context` the model; `event_msg` records of type
// `token_count` carry info.total_token_usage, which is CUMULATIVE for the session (the last one wins, never
// add them up), and info.last_token_usage for the last request. `cached_input_tokens` is part of
// `input_tokens`. `info` is null before the first response.
import * as path from 'path';
import { DiscoveredLog, regularFiles, subdirs } from './dir_entries';
import { ActivitySpan, JsonObject, asObject, count, parseRecord, str, timestampMs } from './json_fields';
import type { LineParser } from './log_reader';
import type { LogSummary, SummaryParser, TokenTotals } from './log_summary';

export function codexHome(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const h = env.CODEX_HOME;
  return h && path.isAbsolute(h) ? h : path.join(home, '.codex');
}

const isRollout = (name: string): boolean => name.startsWith('rollout-') && name.endsWith('.jsonl');

/** Rollout logs under <codexHome>/sessions/YYYY/MM/DD/ modified at or after `sinceMs`. */
export function discoverCodexLogs(home: string, sinceMs: number): DiscoveredLog[] {
  const out: DiscoveredLog[] = [];
  for (const year of subdirs(path.join(home, 'sessions'))) {
    for (const month of subdirs(year)) {
      for (const day of subdirs(month)) {
        for (const f of regularFiles(day, isRollout)) {
          if (f.mtimeMs < sinceMs) continue;
          out.push({ tool: 'codex', path: f.path, mtimeMs: f.mtimeMs, format: 'jsonl', sidechain: false, parentSessionId: null, projectDir: null });
        }
      }
    }
  }
  return out;
}

/** The session id in a rollout file name: rollout-2025-01-02T03-04-05-<uuid>.jsonl. */
export function codexSessionIdFromName(file: string): string | null {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(path.basename(file));
  return m ? m[1] : null;
}

const TOOL_CALLS = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call']);

export class CodexParser implements LineParser, SummaryParser {
  private sessionId: string | null = null;
  private cwd: string | null = null;
  private model: string | null = null;
  private readonly span = new ActivitySpan();
  private tokens: TokenTotals | null = null;
  private contextTokens: number | null = null;
  private contextWindow: number | null = null;
  private toolUses = 0;
  private requests = 0;
  private lines = 0;

  line(text: string): boolean {
    const rec = parseRecord(text);
    if (rec === null) return false;
    this.lines++;
    this.span.add(timestampMs(rec.timestamp));
    const payload = asObject(rec.payload);
    switch (rec.type) {
      case 'session_meta':
        if (payload) {
          // A forked session's log repeats its origin's meta later on: the first one names this session.
          if (this.sessionId === null) this.sessionId = str(payload.id);
          this.cwd = str(payload.cwd) ?? this.cwd;
          this.span.add(timestampMs(payload.timestamp));
        }
        break;
      case 'turn_context':
        if (payload) {
          this.model = str(payload.model) ?? this.model;
          this.cwd = str(payload.cwd) ?? this.cwd;
        }
        break;
      case 'event_msg':
        if (payload?.type === 'token_count') this.tokenCount(payload);
        break;
      case 'response_item':
        if (payload && TOOL_CALLS.has(payload.type as string)) this.toolUses++;
        break;
      default:
        // Logs before the session_meta record (2025-08 and earlier): a first line {id, timestamp, ...},
        // then bare response items.
        if (rec.type === undefined && this.lines === 1 && this.sessionId === null) this.sessionId = str(rec.id);
        else if (TOOL_CALLS.has(rec.type as string)) this.toolUses++;
    }
    return true;
  }

  private tokenCount(payload: JsonObject): void {
    const info = asObject(payload.info);
    if (info === null) return;
    const total = asObject(info.total_token_usage);
    if (total !== null) {
      const input = count(total.input_tokens);
      const cached = count(total.cached_input_tokens);
      const output = count(total.output_tokens);
      const inputNoCache = input === null ? null : Math.max(0, input - (cached ?? 0));
      this.tokens = {
        input: inputNoCache,
        output,
        cacheCreation: null,
        cacheRead: cached,
        total: input === null && output === null ? null : (input ?? 0) + (output ?? 0),
      };
      this.requests++;
    }
    const last = asObject(info.last_token_usage);
    const used = last ? count(last.input_tokens) : null;
    if (used !== null) this.contextTokens = used;
    const window = count(info.model_context_window);
    if (window !== null && window > 0) this.contextWindow = window;
  }

  summary(): LogSummary {
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      projectHash: null,
      model: this.model,
      tokens: this.tokens ?? { input: null, output: null, cacheCreation: null, cacheRead: null, total: null },
      contextTokens: this.contextTokens,
      contextWindow: this.contextWindow,
      firstActivityMs: this.span.first,
      lastActivityMs: this.span.last,
      toolUses: this.toolUses,
      requests: this.requests,
      sidechain: false,
    };
  }
}
