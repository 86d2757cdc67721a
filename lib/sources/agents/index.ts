// AI coding agent sessions from their logs: discovers the logs of Claude Code, Codex and Gemini CLI under a
// given HOME and environment, parses them incrementally and reports one AgentLogSession per session.
// Binding sessions to processes is not done here (that needs /proc, through native/). Over 300 lines: the
// reading (discovery, budgets) and the merging of a session's files share the tracked logs.
//
// Two ways to read: readAll() reads every log to its end (the one-shot commands: a count is never silently
// partial), poll() reads within a byte budget (the dashboard, tick after tick) and says per session whether
// its count is complete and how many bytes are left.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { claudeConfigDirs, discoverClaudeLogs } from './claude_discovery';
import { byCodeUnits } from '../../model/text_order';
import { codexHome, codexSessionIdFromName, discoverCodexLogs } from './codex';
import { ContextWindowOverrides, contextPercentFor, contextWindowFor } from './context_window';
import type { DiscoveredLog } from './dir_entries';
import { discoverGeminiLogs, geminiProjectHash, geminiProjectRoot, geminiTmpDir } from './gemini';
import { AgentTool, LogSummary, TokenTotals, sumKnown } from './log_summary';
import { LogRead, ParallelOutcome, ReadWorkerOptions, readWithWorker, worthAWorker } from './parallel_read';
import { TrackedLog, TrackedLogOptions, trackedLogFor } from './tracked_log';

export { contextPercent, contextPercentFor, contextWindowFor } from './context_window';
export type { ContextWindowOverrides } from './context_window';
export type { AgentTool, TokenTotals } from './log_summary';
export { geminiProjectHash } from './gemini';
export type { ParallelOutcome, ReadWorkerOptions } from './parallel_read';

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
  /** Every log of the session is read to its end: the counts are the whole session's. */
  complete: boolean;
  /** Bytes of the session's logs not read yet (0 when complete). */
  unreadBytes: number;
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
  /** Bytes poll() reads per log. Default 4 MiB. readAll() has no bound. */
  maxBytesPerLogPerPoll?: number;
  /** Bytes poll() reads over all logs, unless the call gives its own budget. Default 16 MiB. */
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
  /**
   * readAll() on a second thread (parallel_read.ts). Default: when it pays. The environment's
   * SPMON_TEST_READ_WORKER, for tests only, overrides it: `always` (a worker whenever two fresh logs or more,
   * and readAll() throws if it read none), `fail` (a worker that throws at once: the main thread reads it
   * all), `never`.
   */
  readWorker?: ReadWorkerOptions;
}

export interface AgentLogsStats {
  polls: number;
  /** Bytes read from logs since construction, and by the last poll. */
  bytesRead: number;
  lastPollBytesRead: number;
  trackedLogs: number;
  /** Bytes of the read buffer held between polls: chunkBytes while there are logs to follow, else 0. */
  scratchBytes: number;
  /** What the worker thread of the last readAll() did; null when it had none. */
  lastWorker: ParallelOutcome | null;
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
  private readonly workerOpts: ReadWorkerOptions;
  private readonly _stats: Omit<AgentLogsStats, 'trackedLogs' | 'scratchBytes'> = { polls: 0, bytesRead: 0, lastPollBytesRead: 0, lastWorker: null };

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
    this.workerOpts = { ...opts.readWorker, ...testWorkerOptions(this.env.SPMON_TEST_READ_WORKER) };
  }

  get stats(): Readonly<AgentLogsStats> {
    return { ...this._stats, trackedLogs: this.tracked.size, scratchBytes: this.scratch?.length ?? 0 };
  }

  /** The directories searched, for messages and tests. */
  roots(): { claude: string[]; codex: string; gemini: string } {
    return { claude: claudeConfigDirs(this.env, this.home), codex: codexHome(this.env, this.home), gemini: geminiTmpDir(this.home) };
  }

  /**
   * Reads what is new within a byte budget (default maxBytesPerPoll; maxBytesPerLogPerPoll per log), newest
   * logs first, and returns the sessions; a session whose logs are not all read says so (complete, unreadBytes).
   * Synchronous: call it from the sampling tick.
   */
  poll(budget: { bytes?: number } = {}): AgentLogSession[] {
    this.maybeDiscover(false);
    // Newest first, so the live sessions are read before old ones when the budget runs short.
    const order = [...this.tracked.values()].sort((a, b) => (b.mtimeMs ?? b.found.mtimeMs) - (a.mtimeMs ?? a.found.mtimeMs));
    let left = Math.max(1, budget.bytes ?? this.perPoll);
    let read = 0;
    for (const t of order) {
      if (left <= 0) break;
      const r = t.poll(Math.min(this.perLog, left), this.scratchBuffer());
      left -= r.bytesRead;
      read += r.bytesRead;
      if (r.gone) this.tracked.delete(t.found.path);
    }
    this.countPoll(read);
    return this.sessions();
  }

  /**
   * Lists the directories and reads every log to its end, without a budget: for the one-shot commands
   * (`--once`, `--json`, `tokens`), which have no next tick. A log that cannot be read leaves its session
   * incomplete, never silently short.
   */
  readAll(): AgentLogSession[] {
    this.maybeDiscover(true);
    let read = 0;
    const readHere = (t: TrackedLog): LogRead => t.poll(Infinity, this.scratchBuffer());
    const done = (t: TrackedLog, r: LogRead): void => {
      read += r.bytesRead;
      if (r.gone) this.tracked.delete(t.found.path);
    };
    const all = [...this.tracked.values()];
    // Logs never read, biggest first: those a worker thread may share (parallel_read.ts).
    const fresh = all.filter((t) => t.fresh).sort((a, b) => b.found.sizeBytes - a.found.sizeBytes);
    const freshBytes = fresh.reduce((n, t) => n + t.found.sizeBytes, 0);
    let outcome: ParallelOutcome | null = null;
    if (worthAWorker(freshBytes, fresh.length, this.workerOpts)) outcome = readWithWorker(fresh, this.trackedOptions(), readHere, done, this.workerOpts);
    if (this.workerOpts.strict && (outcome === null || outcome.workerLogs === 0)) {
      throw new Error(`agent logs: the read worker read no log (${outcome === null ? 'it could not be started' : outcome.fallback ?? 'nothing claimed'})`);
    }
    const handled = new Set<TrackedLog>(outcome !== null ? fresh : []);
    for (const t of all) if (!handled.has(t)) done(t, readHere(t));
    this._stats.lastWorker = outcome;
    this.countPoll(read);
    return this.sessions();
  }

  private trackedOptions(): TrackedLogOptions {
    return { chunkBytes: this.chunkBytes, maxLineBytes: this.maxLineBytes, maxDocumentBytes: this.maxDocumentBytes };
  }

  /**
   * The read buffer (chunkBytes, 1 MiB by default), made for the first log read and dropped by countPoll when
   * no log is left to follow: a dashboard or daemon on a machine without agent logs holds none.
   */
  private scratchBuffer(): Buffer {
    if (this.scratch === null) this.scratch = Buffer.allocUnsafe(this.chunkBytes);
    return this.scratch;
  }

  private countPoll(read: number): void {
    if (this.tracked.size === 0) this.scratch = null;
    this._stats.polls++;
    this._stats.bytesRead += read;
    this._stats.lastPollBytesRead = read;
  }

  private maybeDiscover(force: boolean): void {
    const now = this.now();
    if (force || this.lastDiscovery === null || now - this.lastDiscovery >= this.rediscoverMs) {
      this.discover(now);
      this.lastDiscovery = now;
    }
  }

  private discover(now: number): void {
    const since = now - this.maxAgeMs;
    const roots = this.roots();
    const found: DiscoveredLog[] = [
      ...discoverClaudeLogs(uniqueRealDirs(roots.claude), since),
      ...discoverCodexLogs(roots.codex, since),
      ...discoverGeminiLogs(roots.gemini, since),
    ];
    const opts = this.trackedOptions();
    for (const f of found) {
      if (!this.tracked.has(f.path)) this.tracked.set(f.path, trackedLogFor(f, opts));
    }
  }

  private sessions(): AgentLogSession[] {
    // Group the logs by session: sub-agent logs join their parent; a Gemini .json chat that was resumed and
    // migrated to .jsonl (same session id) is superseded by the .jsonl.
    // A log not read yet joins the session its path names, so that session shows as incomplete.
    const groups = new Map<string, { tool: AgentTool; sessionId: string; members: { t: TrackedLog; s: LogSummary }[]; unread: TrackedLog[] }>();
    const group = (tool: AgentTool, sessionId: string) => {
      const key = `${tool}\0${sessionId}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { tool, sessionId, members: [], unread: [] }));
      return g;
    };
    for (const t of this.tracked.values()) {
      const fallback = t.found.tool === 'codex' ? codexSessionIdFromName(t.found.path) ?? stem(t.found.path) : stem(t.found.path);
      const s = t.summary();
      if (s !== null) group(t.found.tool, t.found.parentSessionId ?? s.sessionId ?? fallback).members.push({ t, s });
      else if (!t.everRead) group(t.found.tool, t.found.parentSessionId ?? fallback).unread.push(t);
      // else: read, and not the tool's log at all (a junk .jsonl): no session.
    }
    const out: AgentLogSession[] = [];
    for (const g of groups.values()) {
      let members = g.members;
      if (members.length === 0) continue; // nothing read of it yet
      if (g.tool === 'gemini' && members.some((m) => m.t.found.format === 'jsonl' && !m.t.found.sidechain)) {
        members = members.filter((m) => m.t.found.format === 'jsonl');
      }
      out.push(this.merge(g.tool, g.sessionId, members, g.unread));
    }
    // Ties by id in code-unit order (localeCompare's ICU collator would page in ~2 MB for good).
    out.sort((a, b) => (b.lastActivityMs ?? b.logMtimeMs) - (a.lastActivityMs ?? a.logMtimeMs) || byCodeUnits(a.sessionId, b.sessionId));
    return out;
  }

  private merge(tool: AgentTool, sessionId: string, members: { t: TrackedLog; s: LogSummary }[], unread: TrackedLog[]): AgentLogSession {
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
    const window = contextWindowFor(tool, p.model, { fromLog: p.contextWindow, usedTokens: p.peakContextTokens ?? p.contextTokens, overrides: this.overrides });
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
      contextPercent: contextPercentFor(tool, p.contextTokens, window),
      firstActivityMs: first,
      lastActivityMs: last,
      logMtimeMs: Math.max(...members.map((m) => m.t.mtimeMs ?? m.t.found.mtimeMs)),
      toolUses: members.reduce((n, m) => n + m.s.toolUses, 0),
      requests: members.reduce((n, m) => n + m.s.requests, 0),
      malformedLines: members.reduce((n, m) => n + m.t.malformedLines, 0),
      partialLine: primary.t.partialLine,
      parsedBytes: members.reduce((n, m) => n + m.t.parsedBytes, 0),
      sizeBytes: members.reduce((n, m) => n + (m.t.sizeBytes ?? 0), 0),
      complete: unread.length === 0 && members.every((m) => m.t.complete),
      unreadBytes: [...members.map((m) => m.t), ...unread].reduce((n, t) => n + t.unreadBytes, 0),
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

/** SPMON_TEST_READ_WORKER (tests only; see AgentLogsOptions.readWorker). */
function testWorkerOptions(v: string | undefined): ReadWorkerOptions {
  switch (v) {
    case 'always':
      return { mode: 'always', strict: true };
    case 'fail':
      return { mode: 'always', code: 'throw new Error("failing as SPMON_TEST_READ_WORKER=fail asks");' };
    case 'never':
      return { mode: 'never' };
    default:
      return {};
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
