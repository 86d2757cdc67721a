// AI coding agent sessions from their logs: discovers the logs of Claude Code, Codex and Gemini CLI under a
// given HOME and environment, parses them incrementally and reports one AgentLogSession per session.
// Binding sessions to processes is not done here (that needs /proc, through native/).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClaudeParser, claudeConfigDirs, discoverClaudeLogs } from './claude';
import { CodexParser, codexHome, codexSessionIdFromName, discoverCodexLogs } from './codex';
import { ContextWindowOverrides, contextPercent, contextWindowFor } from './context_window';
import type { DiscoveredLog } from './dir_entries';
import { GeminiParser, discoverGeminiLogs, geminiProjectHash, geminiProjectRoot, geminiTmpDir, parseGeminiDocument } from './gemini';
import { DocumentReader, LineParser, LogReader } from './log_reader';
import { AgentTool, LogSummary, SummaryParser, TokenTotals, sumKnown } from './log_summary';

export { contextPercent, contextWindowFor } from './context_window';
export type { ContextWindowOverrides } from './context_window';
export type { AgentTool, TokenTotals } from './log_summary';
export { geminiProjectHash } from './gemini';

const MiB = 1024 * 1024;
const HOUR = 3600 * 1000;

/** A session as the dashboard sees it: what its logs say (LogSummary, summed over sub-agent logs) and how far they are read. */
export interface AgentLogSession extends Omit<LogSummary, 'sessionId' | 'sidechain'> {
  tool: AgentTool;
  sessionId: string;
  /** The session's main log (for Claude `<sessionId>.jsonl`), the one a process would have open. */
  logPath: string;
  /** Every log merged into this session: the main one first, then sub-agent logs. */
  logPaths: string[];
  /** contextTokens over contextWindow, in %; not capped (over 100 means the window guess is wrong). */
  contextPercent: number | null;
  /** mtime of the newest log of the session. */
  logMtimeMs: number;
  /** Lines (or documents) not counted: malformed, over-long, or a trailing line still being written. */
  malformedLines: number;
  /** The main log ends with an incomplete line (parsed once its newline arrives). */
  partialLine: boolean;
  /** Bytes of the logs parsed so far, and their sizes: less while a big log is being caught up with. */
  parsedBytes: number;
  sizeBytes: number;
  caughtUp: boolean;
}

export interface AgentLogsOptions {
  /** The HOME whose logs are read. Default: env.HOME, else the user database's home (process.env is never read here). */
  home?: string;
  /** The environment for CLAUDE_CONFIG_DIR, CODEX_HOME (and HOME when `home` is not given). Default: none set. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Only logs modified in this window are picked up (those already tracked stay). Default 24 h. */
  maxAgeMs?: number;
  /** Directories are listed again at most this often; tracked logs are read every poll. Default 5 s; 0: every poll. */
  rediscoverMs?: number;
  /** Bytes read per log per poll. Default 4 MiB. */
  maxBytesPerLogPerPoll?: number;
  /** Bytes read per poll over all logs. Default 16 MiB. */
  maxBytesPerPoll?: number;
  /** Size of one read (and of the scratch buffer). Default 1 MiB. */
  chunkBytes?: number;
  /** A longer line is skipped and counted as malformed. Default 8 MiB. */
  maxLineBytes?: number;
  /** A bigger Gemini .json document is refused and counted as malformed. Default 64 MiB. */
  maxDocumentBytes?: number;
  /** Context windows by model id, or by prefix ending in `*`, over the built-in table. */
  contextWindows?: ContextWindowOverrides;
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

export interface AgentLogsStats {
  polls: number;
  /** Bytes read from logs since construction, and by the last poll. */
  bytesRead: number;
  lastPollBytesRead: number;
  trackedLogs: number;
}

/** One tracked file, whatever its format. */
interface TrackedLog {
  readonly found: DiscoveredLog;
  poll(budget: number, scratch: Buffer): { gone: boolean; bytesRead: number };
  summary(): LogSummary | null;
  readonly malformedLines: number;
  readonly partialLine: boolean;
  readonly parsedBytes: number;
  readonly sizeBytes: number | null;
  readonly mtimeMs: number | null;
  readonly caughtUp: boolean;
  /** The last poll could not read the file (EACCES, EIO): nothing more to wait for. */
  readonly failed: boolean;
  /** Gemini: the project root named by .project_root (looked up once). */
  projectRoot: string | null | undefined;
}

type ToolParser = LineParser & SummaryParser;

function parserFor(tool: AgentTool): () => ToolParser {
  switch (tool) {
    case 'claude':
      return () => new ClaudeParser();
    case 'codex':
      return () => new CodexParser();
    case 'gemini':
      return () => new GeminiParser();
  }
}

class JsonlLog implements TrackedLog {
  private readonly reader: LogReader<ToolParser>;
  projectRoot: string | null | undefined = undefined;
  private everRead = false;
  failed = false;
  constructor(readonly found: DiscoveredLog, opts: { chunkBytes: number; maxLineBytes: number }) {
    this.reader = new LogReader(found.path, parserFor(found.tool), opts);
  }
  poll(budget: number, scratch: Buffer): { gone: boolean; bytesRead: number } {
    const r = this.reader.poll(budget, scratch);
    if (r.status === 'read' || r.status === 'unchanged') this.everRead = true;
    this.failed = r.status === 'error';
    return { gone: r.status === 'missing' || r.status === 'not-regular', bytesRead: r.bytesRead };
  }
  summary(): LogSummary | null {
    return this.everRead ? this.reader.parser.summary() : null;
  }
  get malformedLines(): number {
    return this.reader.malformedLines;
  }
  get partialLine(): boolean {
    return this.reader.partialLine;
  }
  get parsedBytes(): number {
    return this.reader.offset;
  }
  get sizeBytes(): number | null {
    return this.reader.size;
  }
  get mtimeMs(): number | null {
    return this.reader.mtimeMs;
  }
  get caughtUp(): boolean {
    return this.reader.caughtUp;
  }
}

class JsonDocumentLog implements TrackedLog {
  private readonly reader: DocumentReader<LogSummary>;
  projectRoot: string | null | undefined = undefined;
  failed = false;
  constructor(readonly found: DiscoveredLog, maxBytes: number) {
    this.reader = new DocumentReader(found.path, parseGeminiDocument, { maxBytes });
  }
  poll(): { gone: boolean; bytesRead: number } {
    // A document is read whole (it cannot be parsed in pieces), bounded by maxDocumentBytes.
    const r = this.reader.poll();
    this.failed = r.status === 'error';
    return { gone: r.status === 'missing' || r.status === 'not-regular', bytesRead: r.bytesRead };
  }
  summary(): LogSummary | null {
    return this.reader.state;
  }
  get malformedLines(): number {
    return this.reader.malformedLines;
  }
  get partialLine(): boolean {
    return false;
  }
  get parsedBytes(): number {
    return this.reader.state !== null || this.reader.malformedLines > 0 ? this.reader.size ?? 0 : 0;
  }
  get sizeBytes(): number | null {
    return this.reader.size;
  }
  get mtimeMs(): number | null {
    return this.reader.mtimeMs;
  }
  get caughtUp(): boolean {
    return this.reader.size !== null;
  }
}

/** File name without its extension: the fallback session id. */
function stem(p: string): string {
  return path.basename(p).replace(/\.jsonl?$/, '');
}

/**
 * Finds and follows agent logs. Each poll() lists directories (at most every rediscoverMs), reads what was
 * appended to each tracked log within the byte budgets, forgets logs that disappeared, and returns the
 * sessions. Synchronous: call it from the sampling tick.
 */
export class AgentLogs {
  private readonly home: string;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly maxAgeMs: number;
  private readonly rediscoverMs: number;
  private readonly perLog: number;
  private readonly perPoll: number;
  private readonly chunkBytes: number;
  private readonly maxLineBytes: number;
  private readonly maxDocumentBytes: number;
  private readonly overrides: ContextWindowOverrides | undefined;
  private readonly now: () => number;
  private readonly tracked = new Map<string, TrackedLog>();
  private scratch: Buffer | null = null;
  private lastDiscovery: number | null = null;
  private readonly _stats: AgentLogsStats = { polls: 0, bytesRead: 0, lastPollBytesRead: 0, trackedLogs: 0 };

  constructor(opts: AgentLogsOptions) {
    this.env = opts.env ?? {};
    this.home = opts.home ?? (this.env.HOME && path.isAbsolute(this.env.HOME) ? this.env.HOME : os.homedir());
    this.maxAgeMs = opts.maxAgeMs ?? 24 * HOUR;
    this.rediscoverMs = opts.rediscoverMs ?? 5000;
    this.perLog = Math.max(1, opts.maxBytesPerLogPerPoll ?? 4 * MiB);
    this.perPoll = Math.max(1, opts.maxBytesPerPoll ?? 16 * MiB);
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? 1 * MiB);
    this.maxLineBytes = opts.maxLineBytes ?? 8 * MiB;
    this.maxDocumentBytes = opts.maxDocumentBytes ?? 64 * MiB;
    this.overrides = opts.contextWindows;
    this.now = opts.now ?? Date.now;
  }

  get stats(): Readonly<AgentLogsStats> {
    return { ...this._stats, trackedLogs: this.tracked.size };
  }

  /** The directories searched, for messages and tests. */
  roots(): { claude: string[]; codex: string; gemini: string } {
    return { claude: claudeConfigDirs(this.env, this.home), codex: codexHome(this.env, this.home), gemini: geminiTmpDir(this.home) };
  }

  poll(): AgentLogSession[] {
    const now = this.now();
    if (this.lastDiscovery === null || now - this.lastDiscovery >= this.rediscoverMs) {
      this.discover(now);
      this.lastDiscovery = now;
    }
    if (this.scratch === null) this.scratch = Buffer.allocUnsafe(this.chunkBytes);
    // Newest first, so the live sessions are read before old ones when the budget runs short.
    const order = [...this.tracked.values()].sort((a, b) => (b.mtimeMs ?? b.found.mtimeMs) - (a.mtimeMs ?? a.found.mtimeMs));
    let left = this.perPoll;
    let read = 0;
    for (const t of order) {
      if (left <= 0) break;
      const r = t.poll(Math.min(this.perLog, left), this.scratch);
      left -= r.bytesRead;
      read += r.bytesRead;
      if (r.gone) this.tracked.delete(t.found.path);
    }
    this._stats.polls++;
    this._stats.bytesRead += read;
    this._stats.lastPollBytesRead = read;
    return this.sessions();
  }

  /**
   * Polls until every tracked log is parsed to its end, or `timeMs` of wall time has passed (for `--once`,
   * where there is no next tick). Returns the sessions of the last poll.
   */
  pollUntilCaughtUp(timeMs = 2000): AgentLogSession[] {
    const deadline = Date.now() + timeMs;
    let sessions = this.poll();
    while (Date.now() < deadline && this._stats.lastPollBytesRead > 0 && ![...this.tracked.values()].every((t) => t.caughtUp || t.failed)) {
      sessions = this.poll();
    }
    return sessions;
  }

  private discover(now: number): void {
    const since = now - this.maxAgeMs;
    const roots = this.roots();
    const found: DiscoveredLog[] = [
      ...discoverClaudeLogs(uniqueRealDirs(roots.claude), since),
      ...discoverCodexLogs(roots.codex, since),
      ...discoverGeminiLogs(roots.gemini, since),
    ];
    for (const f of found) {
      if (this.tracked.has(f.path)) continue;
      const t: TrackedLog =
        f.format === 'json'
          ? new JsonDocumentLog(f, this.maxDocumentBytes)
          : new JsonlLog(f, { chunkBytes: this.chunkBytes, maxLineBytes: this.maxLineBytes });
      this.tracked.set(f.path, t);
    }
  }

  private sessions(): AgentLogSession[] {
    // Group the logs by session: sub-agent logs join their parent; a Gemini .json chat that was resumed and
    // migrated to .jsonl (same session id) is superseded by the .jsonl.
    const groups = new Map<string, { tool: AgentTool; sessionId: string; members: { t: TrackedLog; s: LogSummary }[] }>();
    for (const t of this.tracked.values()) {
      const s = t.summary();
      if (s === null) continue;
      const fallback = t.found.tool === 'codex' ? codexSessionIdFromName(t.found.path) ?? stem(t.found.path) : stem(t.found.path);
      const sessionId = t.found.parentSessionId ?? s.sessionId ?? fallback;
      const key = `${t.found.tool}\0${sessionId}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { tool: t.found.tool, sessionId, members: [] }));
      g.members.push({ t, s });
    }
    const out: AgentLogSession[] = [];
    for (const g of groups.values()) {
      let members = g.members;
      if (g.tool === 'gemini' && members.some((m) => m.t.found.format === 'jsonl' && !m.t.found.sidechain)) {
        members = members.filter((m) => m.t.found.format === 'jsonl');
      }
      out.push(this.merge(g.tool, g.sessionId, members));
    }
    out.sort((a, b) => (b.lastActivityMs ?? b.logMtimeMs) - (a.lastActivityMs ?? a.logMtimeMs) || a.sessionId.localeCompare(b.sessionId));
    return out;
  }

  private merge(tool: AgentTool, sessionId: string, members: { t: TrackedLog; s: LogSummary }[]): AgentLogSession {
    const isMain = (m: { t: TrackedLog; s: LogSummary }): boolean => !m.t.found.sidechain && !m.s.sidechain;
    const activity = (m: { t: TrackedLog; s: LogSummary }): number => m.s.lastActivityMs ?? m.t.mtimeMs ?? 0;
    const ranked = [...members].sort(
      (a, b) =>
        Number(isMain(b)) - Number(isMain(a)) ||
        Number(stem(b.t.found.path) === sessionId) - Number(stem(a.t.found.path) === sessionId) ||
        activity(b) - activity(a),
    );
    const primary = ranked[0];
    const p = primary.s;
    const sumField = (get: (tk: TokenTotals) => number | null): number | null => sumKnown(...members.map((m) => get(m.s.tokens)));
    const tokens: TokenTotals = {
      input: sumField((t) => t.input),
      output: sumField((t) => t.output),
      cacheCreation: sumField((t) => t.cacheCreation),
      cacheRead: sumField((t) => t.cacheRead),
      total: sumField((t) => t.total),
    };
    let first: number | null = null;
    let last: number | null = null;
    for (const m of members) {
      if (m.s.firstActivityMs !== null && (first === null || m.s.firstActivityMs < first)) first = m.s.firstActivityMs;
      if (m.s.lastActivityMs !== null && (last === null || m.s.lastActivityMs > last)) last = m.s.lastActivityMs;
    }
    let cwd = p.cwd ?? ranked.find((m) => m.s.cwd !== null)?.s.cwd ?? null;
    if (cwd === null && tool === 'gemini') cwd = this.geminiRoot(primary.t, p.projectHash);
    const window = contextWindowFor(tool, p.model, { fromLog: p.contextWindow, usedTokens: p.contextTokens, overrides: this.overrides });
    return {
      tool,
      sessionId,
      logPath: primary.t.found.path,
      logPaths: ranked.map((m) => m.t.found.path),
      cwd,
      projectHash: p.projectHash,
      model: p.model ?? ranked.find((m) => m.s.model !== null)?.s.model ?? null,
      tokens,
      contextTokens: p.contextTokens,
      contextWindow: window,
      contextPercent: contextPercent(p.contextTokens, window),
      firstActivityMs: first,
      lastActivityMs: last,
      logMtimeMs: Math.max(...members.map((m) => m.t.mtimeMs ?? m.t.found.mtimeMs)),
      toolUses: members.reduce((n, m) => n + m.s.toolUses, 0),
      requests: members.reduce((n, m) => n + m.s.requests, 0),
      malformedLines: members.reduce((n, m) => n + m.t.malformedLines, 0),
      partialLine: primary.t.partialLine,
      parsedBytes: members.reduce((n, m) => n + m.t.parsedBytes, 0),
      sizeBytes: members.reduce((n, m) => n + (m.t.sizeBytes ?? 0), 0),
      caughtUp: members.every((m) => m.t.caughtUp),
    };
  }

  /** Gemini's cwd: the project root in `.project_root` when it hashes to the chat's projectHash. */
  private geminiRoot(t: TrackedLog, projectHash: string | null): string | null {
    if (t.projectRoot === undefined) t.projectRoot = t.found.projectDir ? geminiProjectRoot(t.found.projectDir) : null;
    const root = t.projectRoot;
    if (root === null) return null;
    if (projectHash !== null && geminiProjectHash(root) !== projectHash) return null;
    return root;
  }
}

/** Config dirs that exist, de-duplicated by real path (~/.config/claude may be a link to ~/.claude). */
function uniqueRealDirs(dirs: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    let real: string;
    try {
      real = fs.realpathSync(d);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(d);
  }
  return out;
}
