// Claude Code session logs: <dir>/projects/<cwd with / as ->/<sessionId>.jsonl, one JSON record a line.
//
// Usage is on `assistant` lines at message.usage. One API request is streamed as several lines (one per
// content block) that repeat the request's usage, the last line carrying the final numbers: each request
// (requestId, else message.id) counts once, with the last usage seen for it.
//
// Most of a log's bytes are tool results on `user` lines (the output twice: in message.content and in
// toolUseResult). Only assistant lines carry usage, model and tool calls, so they are parsed whole; a big
// line without "assistant" in it is skimmed: its shape is checked and, when it is a message record (it
// opens with "parentUuid", and such records always carry a top-level timestamp) whose only "timestamp"
// key is that one, the timestamp is read from the bytes. Anything else is parsed whole.
import * as path from 'path';
import { DiscoveredLog, dirMtimeMs, regularFiles, subdirs } from './dir_entries';
import { ActivitySpan, JsonObject, RecentMap, asObject, count, str, timestampMs } from './json_fields';
import { Finder, hasNonAscii, keyOpening, objectSpan, parseLatin1, parseUtf8, shortStringPair, startsWith } from './json_scan';
import type { LineParser } from './log_reader';
import type { LogSummary, SummaryParser } from './log_summary';

/**
 * Claude's config directories: each entry of CLAUDE_CONFIG_DIR (comma-separated; `~/` is HOME; relative
 * entries are ignored), else both $HOME/.config/claude and $HOME/.claude.
 */
export function claudeConfigDirs(env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const raw = env.CLAUDE_CONFIG_DIR;
  if (raw && raw.trim() !== '') {
    const dirs: string[] = [];
    for (let entry of raw.split(',')) {
      entry = entry.trim();
      if (entry === '~') entry = home;
      else if (entry.startsWith('~/')) entry = path.join(home, entry.slice(2));
      if (path.isAbsolute(entry) && !dirs.includes(path.normalize(entry))) dirs.push(path.normalize(entry));
    }
    return dirs;
  }
  return [path.join(home, '.config', 'claude'), path.join(home, '.claude')];
}

const isJsonl = (name: string): boolean => name.endsWith('.jsonl');

/**
 * Logs under <dir>/projects/<project>/: `<sessionId>.jsonl`, older sub-agent logs `agent-*.jsonl` (their lines
 * carry the parent's sessionId), and newer sub-agent logs `<sessionId>/subagents/*.jsonl`. Only files modified
 * at or after `sinceMs`.
 */
export function discoverClaudeLogs(configDirs: readonly string[], sinceMs: number): DiscoveredLog[] {
  const out: DiscoveredLog[] = [];
  for (const dir of configDirs) {
    for (const project of subdirs(path.join(dir, 'projects'))) {
      for (const f of regularFiles(project, isJsonl)) {
        if (f.mtimeMs < sinceMs) continue;
        const sidechain = path.basename(f.path).startsWith('agent-');
        out.push({ tool: 'claude', path: f.path, mtimeMs: f.mtimeMs, sizeBytes: f.sizeBytes, format: 'jsonl', sidechain, parentSessionId: null, projectDir: null });
      }
      for (const sessionDir of subdirs(project)) {
        const agents = path.join(sessionDir, 'subagents');
        const m = dirMtimeMs(agents);
        if (m === null) continue;
        for (const f of regularFiles(agents, isJsonl)) {
          if (f.mtimeMs < sinceMs) continue;
          out.push({
            tool: 'claude',
            path: f.path,
            mtimeMs: f.mtimeMs,
            sizeBytes: f.sizeBytes,
            format: 'jsonl',
            sidechain: true,
            parentSessionId: path.basename(sessionDir),
            projectDir: null,
          });
        }
      }
    }
  }
  return out;
}

interface Usage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

function usageOf(u: Record<string, unknown>): Usage {
  return {
    input: count(u.input_tokens) ?? 0,
    output: count(u.output_tokens) ?? 0,
    cacheCreation: count(u.cache_creation_input_tokens) ?? 0,
    cacheRead: count(u.cache_read_input_tokens) ?? 0,
  };
}

/** Lines at least this long are skimmed when they can be; shorter ones cost little to parse whole. */
const SKIM_BYTES = 4096;
const MESSAGE_RECORD = Buffer.from('{"parentUuid":', 'latin1');
const TIMESTAMP_KEY = keyOpening('timestamp');
/** Record types of Claude Code logs: a line of one of them (or with a sessionId) makes the file an agent log. */
const RECORD_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'file-history-snapshot', 'attachment', 'progress']);

/** Parses one Claude Code log, line by line; memory stays bounded (recent requests only). */
export class ClaudeParser implements LineParser, SummaryParser {
  private sessionId: string | null = null;
  private cwd: string | null = null;
  private model: string | null = null;
  private readonly span = new ActivitySpan();
  /** Latest usage per recent request; older requests stay in the sums below. */
  private readonly requests = new RecentMap<Usage>(4096);
  private readonly toolUseIds = new RecentMap<true>(4096);
  private nRequests = 0;
  private sum: Usage = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  private seenUsage = false;
  private contextTokens: number | null = null;
  private toolUses = 0;
  private mainLines = 0;
  private sideLines = 0;
  /** A line was a Claude Code record: the file is an agent log (a junk .jsonl never is). */
  recognized = false;
  private readonly assistant = new Finder('"assistant"');
  private readonly timestamp = new Finder('"timestamp":"');

  line(buf: Buffer, start: number, end: number): boolean {
    if (end - start >= SKIM_BYTES && this.sessionId !== null && this.cwd !== null && this.assistant.find(buf, start, end) < 0) {
      const skimmed = this.skim(buf, start, end);
      if (skimmed !== null) return skimmed;
    }
    let rec = parseLatin1(buf, start, end);
    if (rec === null) return false;
    const message = asObject(rec.message);
    // Latin-1 keeps ASCII exact; a kept string with anything else is taken from a UTF-8 parse.
    if (hasNonAscii(rec.sessionId, rec.cwd, message?.model)) rec = parseUtf8(buf, start, end) ?? rec;
    this.record(rec);
    return true;
  }

  /** A big line that is no assistant record: true/false (malformed) when done here, null to parse it whole. */
  private skim(buf: Buffer, start: number, end: number): boolean | null {
    const o = objectSpan(buf, start, end);
    if (o === null) return false; // not an object: not JSON at all
    if (!startsWith(buf, o.start, o.end, MESSAGE_RECORD)) return null;
    if (this.timestamp.countUpToTwo(buf, o.start, o.end) !== 1) return null;
    const pair = shortStringPair(buf, this.timestamp.find(buf, o.start, o.end), o.end, TIMESTAMP_KEY);
    if (pair === null) return null;
    this.span.add(timestampMs(buf.toString('latin1', pair.v0, pair.v1)));
    this.recognized = true;
    return true;
  }

  private record(rec: JsonObject): void {
    const sid = str(rec.sessionId);
    if (sid !== null) this.sessionId = sid;
    const cwd = str(rec.cwd);
    if (cwd !== null) this.cwd = cwd;
    if (sid !== null || (typeof rec.type === 'string' && RECORD_TYPES.has(rec.type))) this.recognized = true;
    this.span.add(timestampMs(rec.timestamp));
    const sidechain = rec.isSidechain === true;
    if (rec.type === 'user' || rec.type === 'assistant') {
      if (sidechain) this.sideLines++;
      else this.mainLines++;
    }
    if (rec.type !== 'assistant') return;
    const message = asObject(rec.message);
    if (message === null) return;
    const model = str(message.model);
    // '<synthetic>' marks messages Claude Code makes up itself (API errors, interruptions): no request.
    if (model === '<synthetic>') return;
    if (model !== null) this.model = model;
    if (Array.isArray(message.content)) {
      for (const item of message.content) {
        const block = asObject(item);
        if (block?.type !== 'tool_use') continue;
        const id = str(block.id);
        if (id !== null) {
          if (this.toolUseIds.has(id)) continue;
          this.toolUseIds.set(id, true);
        }
        this.toolUses++;
      }
    }
    const u = asObject(message.usage);
    if (u === null) return;
    const usage = usageOf(u);
    const key = str(rec.requestId) ?? str(message.id);
    const prev = key !== null ? this.requests.get(key) : undefined;
    if (prev) {
      this.sum.input -= prev.input;
      this.sum.output -= prev.output;
      this.sum.cacheCreation -= prev.cacheCreation;
      this.sum.cacheRead -= prev.cacheRead;
    } else {
      this.nRequests++;
    }
    if (key !== null) this.requests.set(key, usage);
    this.sum.input += usage.input;
    this.sum.output += usage.output;
    this.sum.cacheCreation += usage.cacheCreation;
    this.sum.cacheRead += usage.cacheRead;
    this.seenUsage = true;
    // Claude Code's own figure (its status line's context_window.used_percentage): input + cache creation +
    // cache read of the last request of the main conversation; output is not counted.
    if (!sidechain) this.contextTokens = usage.input + usage.cacheCreation + usage.cacheRead;
  }

  summary(): LogSummary {
    const s = this.sum;
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      projectHash: null,
      model: this.model,
      tokens: this.seenUsage
        ? { input: s.input, output: s.output, cacheCreation: s.cacheCreation, cacheRead: s.cacheRead, total: s.input + s.output + s.cacheCreation + s.cacheRead }
        : { input: null, output: null, cacheCreation: null, cacheRead: null, total: null },
      contextTokens: this.contextTokens,
      contextWindow: null,
      firstActivityMs: this.span.first,
      lastActivityMs: this.span.last,
      toolUses: this.toolUses,
      requests: this.nRequests,
      sidechain: this.sideLines > 0 && this.mainLines === 0,
    };
  }
}
