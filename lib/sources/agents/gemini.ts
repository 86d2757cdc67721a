// Gemini CLI chats: $HOME/.gemini/tmp/<project>/chats/session-*.json, one JSON document
// {sessionId, projectHash, startTime, lastUpdated, messages: [...]} rewritten as the chat goes on; newer
// versions write session-*.jsonl instead: a metadata line {sessionId, projectHash, ...}, then message
// records (a message is written again, whole, when it changes: the last version of an id wins), `$set`
// metadata updates (whose `messages` may replay the history) and `$rewindTo` markers.
//
// <project> is the SHA-256 hex of the project root (`projectHash`), or in newer versions a short name whose
// directory holds `.project_root` with the root's path. Sub-agent chats live in chats/<parentSessionId>/.
//
// Messages of type `gemini` carry `model` and `tokens` {input (includes cached), output, cached, thoughts,
// tool, total}. A message record opens with {"id":…,"timestamp":…,"type":…}: a big one of another type (the
// user's) is skimmed for its timestamp; the rest is parsed whole.
import type * as crypto from 'crypto';
import * as path from 'path';
import { DiscoveredLog, regularFiles, subdirs } from './dir_entries';
import { readSmallFile } from './document_reader';
import { ActivitySpan, ActivitySpanState, JsonObject, RecentMap, RecentMapState, asObject, count, str, timestampMs } from './json_fields';
import { hasNonAscii, keyOpening, objectSpan, parseLatin1, parseUtf8, shortStringPair } from './json_scan';
import type { LineParser } from './log_reader';
import type { LogSummary, SummaryParser } from './log_summary';

/** Gemini's project hash: SHA-256 hex of the project root path. */
export function geminiProjectHash(projectRoot: string): string {
  // crypto is loaded here, on first use: most runs never hash a Gemini project.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('crypto') as typeof crypto).createHash('sha256').update(projectRoot).digest('hex');
}

export function geminiTmpDir(home: string): string {
  return path.join(home, '.gemini', 'tmp');
}

const isSessionFile = (name: string): boolean => name.startsWith('session-') && (name.endsWith('.json') || name.endsWith('.jsonl'));
const isJsonl = (name: string): boolean => name.endsWith('.jsonl');

/** Chats under <tmp>/<project>/chats/ (and sub-agent chats one level down), modified at or after `sinceMs`. */
export function discoverGeminiLogs(tmpDir: string, sinceMs: number): DiscoveredLog[] {
  const out: DiscoveredLog[] = [];
  for (const project of subdirs(tmpDir)) {
    const chats = path.join(project, 'chats');
    for (const f of regularFiles(chats, isSessionFile)) {
      if (f.mtimeMs < sinceMs) continue;
      const format = f.path.endsWith('.jsonl') ? 'jsonl' : 'json';
      out.push({ tool: 'gemini', path: f.path, mtimeMs: f.mtimeMs, sizeBytes: f.sizeBytes, format, sidechain: false, parentSessionId: null, projectDir: project });
    }
    for (const parent of subdirs(chats)) {
      for (const f of regularFiles(parent, isJsonl)) {
        if (f.mtimeMs < sinceMs) continue;
        out.push({
          tool: 'gemini',
          path: f.path,
          mtimeMs: f.mtimeMs,
          sizeBytes: f.sizeBytes,
          format: 'jsonl',
          sidechain: true,
          parentSessionId: path.basename(parent),
          projectDir: project,
        });
      }
    }
  }
  return out;
}

/** The project root named by a newer project directory's `.project_root` marker; null when there is none. */
export function geminiProjectRoot(projectDir: string): string | null {
  const text = readSmallFile(path.join(projectDir, '.project_root'), 16 * 1024);
  if (text === null) return null;
  const root = text.trim();
  return path.isAbsolute(root) && !root.includes('\n') ? root : null;
}

interface MessageUsage {
  input: number;
  output: number;
  cached: number;
  total: number;
  toolCalls: number;
}

/** Lines at least this long are skimmed when they can be; shorter ones cost little to parse whole. */
const SKIM_BYTES = 4096;
const ID_KEY = keyOpening('id');
const TIMESTAMP_KEY = keyOpening('timestamp');
const TYPE_KEY = keyOpening('type');
/** Message types of Gemini CLI chats: a message of one of them makes the file a chat log. */
const MESSAGE_TYPES = new Set(['user', 'gemini', 'info', 'error', 'warning']);

/** What a GeminiParser has counted (its saveState()): plain data, its map included, that a worker thread can post. */
export interface GeminiState {
  sessionId: string | null;
  projectHash: string | null;
  model: string | null;
  subagent: boolean;
  span: ActivitySpanState;
  messages: RecentMapState<MessageUsage>;
  sum: { input: number; output: number; cached: number; total: number; toolCalls: number };
  seenTokens: boolean;
  contextTokens: number | null;
  nMessages: number;
  recognized: boolean;
}

/** Accumulates Gemini chat records, from a .jsonl (line by line) or a .json document (parseGeminiDocument). */
export class GeminiParser implements LineParser, SummaryParser {
  private sessionId: string | null = null;
  private projectHash: string | null = null;
  private model: string | null = null;
  private subagent = false;
  private readonly span = new ActivitySpan();
  /** Last version of each recent message; earlier messages stay in the sums. */
  private readonly messages = new RecentMap<MessageUsage>(20000);
  private sum = { input: 0, output: 0, cached: 0, total: 0, toolCalls: 0 };
  private seenTokens = false;
  private contextTokens: number | null = null;
  private nMessages = 0;
  /** A record was chat metadata or a chat message: the file is a Gemini chat (a junk .jsonl never is). */
  recognized = false;

  line(buf: Buffer, start: number, end: number): boolean {
    if (end - start >= SKIM_BYTES) {
      const skimmed = this.skim(buf, start, end);
      if (skimmed !== null) return skimmed;
    }
    let rec = parseLatin1(buf, start, end);
    if (rec === null) return false;
    const set = asObject(rec.$set);
    // Latin-1 keeps ASCII exact; a kept string with anything else is taken from a UTF-8 parse.
    if (hasNonAscii(rec.sessionId, rec.projectHash, rec.model, set?.sessionId, set?.projectHash) || (set !== null && Array.isArray(set.messages))) {
      rec = parseUtf8(buf, start, end) ?? rec;
    }
    this.record(rec);
    return true;
  }

  /** A big message of a type other than `gemini`: its time. True/false (malformed) when done here, null to parse it whole. */
  private skim(buf: Buffer, start: number, end: number): boolean | null {
    const o = objectSpan(buf, start, end);
    if (o === null) return false;
    const id = shortStringPair(buf, o.start + 1, o.end, ID_KEY);
    if (id === null || buf[id.next] !== 0x2c) return null;
    const ts = shortStringPair(buf, id.next + 1, o.end, TIMESTAMP_KEY);
    if (ts === null || buf[ts.next] !== 0x2c) return null;
    const type = shortStringPair(buf, ts.next + 1, o.end, TYPE_KEY);
    if (type === null) return null;
    const t = buf.toString('latin1', type.v0, type.v1);
    if (t === 'gemini' || !MESSAGE_TYPES.has(t)) return null;
    this.span.add(timestampMs(buf.toString('latin1', ts.v0, ts.v1)));
    this.recognized = true;
    return true;
  }

  private record(rec: JsonObject): void {
    if (typeof rec.$rewindTo === 'string') {
      this.recognized = true;
      return; // spent tokens stay spent
    }
    if (typeof rec.id === 'string') {
      this.message(rec);
      return;
    }
    const set = asObject(rec.$set);
    if (set !== null) {
      this.metadata(set);
      if (Array.isArray(set.messages)) for (const m of set.messages) this.message(asObject(m));
      return;
    }
    this.metadata(rec);
  }

  /** Session fields of a metadata record or of the whole document. */
  metadata(rec: JsonObject): void {
    if (str(rec.sessionId) !== null || str(rec.projectHash) !== null) this.recognized = true;
    this.sessionId = str(rec.sessionId) ?? this.sessionId;
    this.projectHash = str(rec.projectHash) ?? this.projectHash;
    if (rec.kind === 'subagent') this.subagent = true;
    this.span.add(timestampMs(rec.startTime));
    this.span.add(timestampMs(rec.lastUpdated));
  }

  /** One message record; false when it is not an object. */
  message(m: JsonObject | null): boolean {
    if (m === null) return false;
    if (typeof m.type === 'string' && MESSAGE_TYPES.has(m.type)) this.recognized = true;
    this.span.add(timestampMs(m.timestamp));
    if (m.type !== 'gemini') return true;
    const model = str(m.model);
    if (model !== null) this.model = model;
    const t = asObject(m.tokens);
    const usage: MessageUsage = {
      input: 0,
      output: 0,
      cached: 0,
      total: 0,
      toolCalls: Array.isArray(m.toolCalls) ? m.toolCalls.length : 0,
    };
    if (t !== null) {
      const input = count(t.input) ?? 0;
      const cached = count(t.cached) ?? 0;
      usage.input = Math.max(0, input - cached);
      usage.cached = cached;
      usage.output = count(t.output) ?? 0;
      usage.total = count(t.total) ?? 0;
      this.seenTokens = true;
      this.contextTokens = input;
    }
    const id = str(m.id);
    const prev = id !== null ? this.messages.get(id) : undefined;
    if (prev) {
      this.sum.input -= prev.input;
      this.sum.output -= prev.output;
      this.sum.cached -= prev.cached;
      this.sum.total -= prev.total;
      this.sum.toolCalls -= prev.toolCalls;
    } else {
      this.nMessages++;
    }
    if (id !== null) this.messages.set(id, usage);
    this.sum.input += usage.input;
    this.sum.output += usage.output;
    this.sum.cached += usage.cached;
    this.sum.total += usage.total;
    this.sum.toolCalls += usage.toolCalls;
    return true;
  }

  /** What the records so far came to, for another GeminiParser to go on from (a log read by a worker thread). */
  saveState(): GeminiState {
    return {
      sessionId: this.sessionId,
      projectHash: this.projectHash,
      model: this.model,
      subagent: this.subagent,
      span: this.span.state(),
      messages: this.messages.state(),
      sum: { ...this.sum },
      seenTokens: this.seenTokens,
      contextTokens: this.contextTokens,
      nMessages: this.nMessages,
      recognized: this.recognized,
    };
  }

  loadState(state: unknown): void {
    const s = state as GeminiState;
    this.sessionId = s.sessionId;
    this.projectHash = s.projectHash;
    this.model = s.model;
    this.subagent = s.subagent;
    this.span.restore(s.span);
    this.messages.restore(s.messages);
    this.sum = { ...s.sum };
    this.seenTokens = s.seenTokens;
    this.contextTokens = s.contextTokens;
    this.nMessages = s.nMessages;
    this.recognized = s.recognized;
  }

  summary(): LogSummary {
    const s = this.sum;
    return {
      sessionId: this.sessionId,
      cwd: null,
      projectHash: this.projectHash,
      model: this.model,
      tokens: this.seenTokens
        ? { input: s.input, output: s.output, cacheCreation: null, cacheRead: s.cached, total: s.total }
        : { input: null, output: null, cacheCreation: null, cacheRead: null, total: null },
      contextTokens: this.contextTokens,
      contextWindow: null,
      firstActivityMs: this.span.first,
      lastActivityMs: this.span.last,
      toolUses: s.toolCalls,
      requests: this.nMessages,
      sidechain: this.subagent,
    };
  }
}

/** The summary of a whole .json chat document; throws when it is not a chat (counted as malformed). */
export function parseGeminiDocument(doc: unknown): LogSummary {
  const d = asObject(doc);
  if (d === null || !Array.isArray(d.messages)) throw new Error('not a Gemini chat document');
  const p = new GeminiParser();
  p.metadata(d);
  for (const m of d.messages) p.message(asObject(m));
  return p.summary();
}

/** parseGeminiDocument of a document's bytes, decoded as Latin-1 unless a string it keeps is not ASCII. */
export function parseGeminiBytes(buf: Buffer): LogSummary {
  const s = parseGeminiDocument(JSON.parse(buf.toString('latin1')));
  return hasNonAscii(s.sessionId, s.projectHash, s.model) ? parseGeminiDocument(JSON.parse(buf.toString('utf8'))) : s;
}
