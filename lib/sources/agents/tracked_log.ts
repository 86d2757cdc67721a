// One followed log file, whatever its format: an appended JSON Lines log read incrementally, or a JSON
// document read whole when it changes. AgentLogs (index.ts) keeps one per discovered file.
import { ClaudeParser } from './claude';
import { CodexParser } from './codex';
import type { DiscoveredLog } from './dir_entries';
import { DocumentReader, DocumentReaderState } from './document_reader';
import { GeminiParser, parseGeminiBytes } from './gemini';
import { LineParser, LogReader, LogReaderState, StatefulParser } from './log_reader';
import type { AgentTool, LogSummary, SummaryParser } from './log_summary';

export interface TrackedLog {
  readonly found: DiscoveredLog;
  /** Reads what is new, at most `budget` bytes (a document is read whole). */
  poll(budget: number, scratch: Buffer): { gone: boolean; bytesRead: number };
  /** What the file says; null before it is read, and for a file that is not the tool's log at all. */
  summary(): LogSummary | null;
  /** Read at least once (successfully): a null summary then means "not an agent log". */
  readonly everRead: boolean;
  readonly malformedLines: number;
  readonly partialLine: boolean;
  readonly parsedBytes: number;
  readonly sizeBytes: number | null;
  readonly mtimeMs: number | null;
  /** Everything up to the end of the file is counted (a pending last line is the writer's, not unread). */
  readonly complete: boolean;
  /** Bytes not read yet (0 when complete; the listed size for a file never read). */
  readonly unreadBytes: number;
  /** Gemini: the project root named by .project_root (looked up once). */
  projectRoot: string | null | undefined;
  /** Never polled: what is known of it is only what discovery listed. */
  readonly fresh: boolean;
  /** Where it stands, as plain data another thread can post (structured clone). */
  saveState(): TrackedLogState;
  /** Takes over what another TrackedLog of the same file read (saveState() of one made by trackedLogFor). */
  loadState(s: TrackedLogState): void;
}

export type TrackedLogState =
  | { format: 'jsonl'; reader: LogReaderState; everRead: boolean; failed: boolean }
  | { format: 'json'; reader: DocumentReaderState<LogSummary>; failed: boolean };

/** Sizes and bounds of reading, as AgentLogs was configured. */
export interface TrackedLogOptions {
  chunkBytes: number;
  maxLineBytes: number;
  maxDocumentBytes: number;
}

/** The TrackedLog for a discovered file: the same for every thread that reads it. */
export function trackedLogFor(found: DiscoveredLog, opts: TrackedLogOptions): TrackedLog {
  return found.format === 'json' ? new JsonDocumentLog(found, opts.maxDocumentBytes) : new JsonlLog(found, opts);
}

type ToolParser = LineParser & StatefulParser & SummaryParser & { readonly recognized: boolean };

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

export class JsonlLog implements TrackedLog {
  private readonly reader: LogReader<ToolParser>;
  projectRoot: string | null | undefined = undefined;
  everRead = false;
  private failed = false;
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
    return this.everRead && this.reader.parser.recognized ? this.reader.parser.summary() : null;
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
  get complete(): boolean {
    return this.everRead && !this.failed && this.reader.caughtUp;
  }
  get unreadBytes(): number {
    if (this.complete) return 0;
    return Math.max(0, (this.reader.size ?? this.found.sizeBytes) - this.reader.offset);
  }
  get fresh(): boolean {
    return this.reader.size === null && !this.failed;
  }
  saveState(): TrackedLogState {
    return { format: 'jsonl', reader: this.reader.saveState(), everRead: this.everRead, failed: this.failed };
  }
  loadState(s: TrackedLogState): void {
    if (s.format !== 'jsonl') throw new Error(`${this.found.path}: not the state of a JSON Lines log`);
    this.reader.loadState(s.reader);
    this.everRead = s.everRead;
    this.failed = s.failed;
  }
}

export class JsonDocumentLog implements TrackedLog {
  private readonly reader: DocumentReader<LogSummary>;
  projectRoot: string | null | undefined = undefined;
  private failed = false;
  constructor(readonly found: DiscoveredLog, maxBytes: number) {
    this.reader = new DocumentReader(found.path, parseGeminiBytes, { maxBytes });
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
  get everRead(): boolean {
    return this.reader.size !== null;
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
  get complete(): boolean {
    return this.reader.size !== null && !this.failed && !this.reader.tooBig;
  }
  get unreadBytes(): number {
    return this.complete ? 0 : this.reader.size ?? this.found.sizeBytes;
  }
  get fresh(): boolean {
    return this.reader.size === null && !this.failed;
  }
  saveState(): TrackedLogState {
    return { format: 'json', reader: this.reader.saveState(), failed: this.failed };
  }
  loadState(s: TrackedLogState): void {
    if (s.format !== 'json') throw new Error(`${this.found.path}: not the state of a JSON document`);
    this.reader.loadState(s.reader);
    this.failed = s.failed;
  }
}
