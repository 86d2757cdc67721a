// Codex CLI session logs: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl (CODEX_HOME default $HOME/.codex).
//
// `session_meta` gives the session id and cwd, `turn_context` the model; `event_msg` records of type
// `token_count` carry info.total_token_usage, which is CUMULATIVE for the session (the last one wins, never
// add them up), and info.last_token_usage for the last request. `cached_input_tokens` is part of
// `input_tokens`. `info` is null before the first response.
//
// Codex writes each line as {"timestamp":…,"type":…,"payload":{"type":…,…}} (serde: struct fields in order,
// the payload's tag first), so what a big line (a tool's output, a reasoning blob) tells is in its first
// hundred bytes: such lines are skimmed; session_meta, turn_context, token_count and any line that does not
// open that way are parsed whole.
import * as path from 'path';
import { DiscoveredLog, regularFiles, subdirs } from './dir_entries';
import { ActivitySpan, ActivitySpanState, JsonObject, asObject, count, str, timestampMs } from './json_fields';
import { hasNonAscii, keyOpening, objectSpan, parseLatin1, parseUtf8, shortStringPair } from './json_scan';
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
          out.push({ tool: 'codex', path: f.path, mtimeMs: f.mtimeMs, sizeBytes: f.sizeBytes, format: 'jsonl', sidechain: false, parentSessionId: null, projectDir: null });
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
/** Rollout line types: a line of one of them makes the file a Codex log (a junk .jsonl never is). */
const RECORD_TYPES = new Set(['session_meta', 'turn_context', 'event_msg', 'response_item', 'compacted']);
/** Lines at least this long are skimmed when they can be; shorter ones cost little to parse whole. */
const SKIM_BYTES = 4096;
const TIMESTAMP_KEY = keyOpening('timestamp');
const TYPE_KEY = keyOpening('type');
const PAYLOAD_OPENING = Buffer.from(',"payload":{', 'latin1');

/** What a CodexParser has counted (its saveState()): plain data that a worker thread can post. */
export interface CodexState {
  sessionId: string | null;
  cwd: string | null;
  model: string | null;
  span: ActivitySpanState;
  tokens: TokenTotals | null;
  contextTokens: number | null;
  contextWindow: number | null;
  toolUses: number;
  requests: number;
  lines: number;
  recognized: boolean;
}

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
  /** A line was a Codex rollout record: the file is an agent log. */
  recognized = false;

  line(buf: Buffer, start: number, end: number): boolean {
    this.lines++;
    if (end - start >= SKIM_BYTES && this.lines > 1) {
      const skimmed = this.skim(buf, start, end);
      if (skimmed !== null) return skimmed;
    }
    let rec = parseLatin1(buf, start, end);
    if (rec === null) return false;
    const payload = asObject(rec.payload);
    // Latin-1 keeps ASCII exact; a kept string with anything else is taken from a UTF-8 parse.
    if (hasNonAscii(payload?.id, payload?.cwd, payload?.model, rec.id)) rec = parseUtf8(buf, start, end) ?? rec;
    this.record(rec);
    return true;
  }

  /**
   * A big line opening with {"timestamp":"...","type":"...","payload":{"type":"...": its time, and a tool call
   * counted. True/false (malformed) when done here, null to parse it whole.
   */
  private skim(buf: Buffer, start: number, end: number): boolean | null {
    const o = objectSpan(buf, start, end);
    if (o === null) return false;
    const ts = shortStringPair(buf, o.start + 1, o.end, TIMESTAMP_KEY);
    if (ts === null || buf[ts.next] !== 0x2c) return null;
    const type = shortStringPair(buf, ts.next + 1, o.end, TYPE_KEY);
    if (type === null) return null;
    const t = buf.toString('latin1', type.v0, type.v1);
    // These carry what the summary needs (ids, cwd, model, token counts): parsed whole.
    if (t !== 'response_item' && t !== 'event_msg' && t !== 'compacted') return null;
    let payloadType: string | null = null;
    if (t !== 'compacted') {
      const p = type.next;
      let at = p;
      for (let i = 0; i < PAYLOAD_OPENING.length; i++, at++) if (buf[at] !== PAYLOAD_OPENING[i]) return null;
      const pt = shortStringPair(buf, at, o.end, TYPE_KEY);
      if (pt === null) return null;
      payloadType = buf.toString('latin1', pt.v0, pt.v1);
      if (t === 'event_msg' && payloadType === 'token_count') return null;
    }
    this.span.add(timestampMs(buf.toString('latin1', ts.v0, ts.v1)));
    if (t === 'response_item' && payloadType !== null && TOOL_CALLS.has(payloadType)) this.toolUses++;
    this.recognized = true;
    return true;
  }

  private record(rec: JsonObject): void {
    this.span.add(timestampMs(rec.timestamp));
    const payload = asObject(rec.payload);
    if (typeof rec.type === 'string' && RECORD_TYPES.has(rec.type)) this.recognized = true;
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
        if (rec.type === undefined && this.lines === 1 && this.sessionId === null) {
          this.sessionId = str(rec.id);
          if (this.sessionId !== null && timestampMs(rec.timestamp) !== null) this.recognized = true;
        } else if (TOOL_CALLS.has(rec.type as string)) this.toolUses++;
    }
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
    // What Codex counts as in the context window: the last request's total_tokens (input + output),
    // else (older logs without it) its input plus output.
    const last = asObject(info.last_token_usage);
    if (last !== null) {
      const total = count(last.total_tokens);
      const input = count(last.input_tokens);
      const output = count(last.output_tokens);
      const used = total ?? (input === null && output === null ? null : (input ?? 0) + (output ?? 0));
      if (used !== null) this.contextTokens = used;
    }
    const window = count(info.model_context_window);
    if (window !== null && window > 0) this.contextWindow = window;
  }

  /** What the lines so far came to, for another CodexParser to go on from (a log read by a worker thread). */
  saveState(): CodexState {
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      model: this.model,
      span: this.span.state(),
      tokens: this.tokens,
      contextTokens: this.contextTokens,
      contextWindow: this.contextWindow,
      toolUses: this.toolUses,
      requests: this.requests,
      lines: this.lines,
      recognized: this.recognized,
    };
  }

  loadState(state: unknown): void {
    const s = state as CodexState;
    this.sessionId = s.sessionId;
    this.cwd = s.cwd;
    this.model = s.model;
    this.span.restore(s.span);
    this.tokens = s.tokens;
    this.contextTokens = s.contextTokens;
    this.contextWindow = s.contextWindow;
    this.toolUses = s.toolUses;
    this.requests = s.requests;
    this.lines = s.lines;
    this.recognized = s.recognized;
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
