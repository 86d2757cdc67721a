// Incremental reading of append-only logs (JSON Lines).
//
// Files are opened through safe_open.ts (no symlinks, no FIFOs, regular files only). A log is read from
// where the last poll stopped, in bounded chunks, so a 1 GB log is parsed over several polls with memory
// bounded by the chunk and the longest accepted line. Lines go to the parser as bytes: decoding is the
// parser's choice (most lines of a big log need not be decoded at all).
import * as fs from 'fs';
import { FileIdentity, ReadStatus, identityOf, lstatQuiet, openRegular, unchangedSince } from './safe_open';

export type { ReadStatus } from './safe_open';

const MiB = 1024 * 1024;

/**
 * One parser per file: fed each complete line, in order, as buf[start, end) (no newline, no trailing CR, never
 * blank); returns false for a line it cannot use (malformed). `buf` is only valid during the call.
 */
export interface LineParser {
  line(buf: Buffer, start: number, end: number): boolean;
}

/** A parser whose counts can be taken out (plain data) and put into a fresh one of its kind. */
export interface StatefulParser {
  saveState(): unknown;
  loadState(state: unknown): void;
}

/** Where a LogReader stands (its saveState()): plain data that a worker thread can post. */
export interface LogReaderState {
  identity: FileIdentity | null;
  offset: number;
  skipping: boolean;
  malformed: number;
  partialLine: boolean;
  bytesRead: number;
  parser: unknown;
}

export interface LogReaderOptions {
  /** Bytes per read() call (also the scratch buffer's size). Default 1 MiB. */
  chunkBytes?: number;
  /** A line longer than this is skipped and counted as malformed. Default 8 MiB. */
  maxLineBytes?: number;
}

export interface ReadResult {
  status: ReadStatus;
  /** Bytes read from the file by this call (re-read bytes of a pending partial line included). */
  bytesRead: number;
  /** True when the parser was thrown away and the file re-parsed from 0 (it shrank or was replaced). */
  reset: boolean;
}

/**
 * Reads one append-only log incrementally. Remembers the file's identity (device, inode), its size, the
 * offset just past the last complete line and the parser; each poll reads only what was appended. When the
 * file shrinks or its inode changes (rotated, replaced, truncated) the parser is recreated and the file is
 * parsed again from 0. A trailing line without its newline is not parsed yet: it is re-read on the next poll
 * (bounded by maxLineBytes), and counted in `malformedLines` while it is pending.
 */
export class LogReader<P extends LineParser> {
  readonly path: string;
  private readonly makeParser: () => P;
  private readonly chunkBytes: number;
  private readonly maxLineBytes: number;
  private _parser: P;
  private identity: FileIdentity | null = null;
  /** Byte offset just past the last complete line (or past the skipped part of an over-long line). */
  private _offset = 0;
  /** Inside a line longer than maxLineBytes: discard up to the next newline. */
  private skipping = false;
  private malformed = 0;
  private _partialLine = false;
  private _bytesRead = 0;

  constructor(path: string, makeParser: () => P, opts: LogReaderOptions = {}) {
    this.path = path;
    this.makeParser = makeParser;
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? 1 * MiB);
    this.maxLineBytes = Math.max(1, opts.maxLineBytes ?? 8 * MiB);
    this._parser = makeParser();
  }

  get parser(): P {
    return this._parser;
  }
  /** Offset of the first byte not yet consumed (the start of a pending partial line, if any). */
  get offset(): number {
    return this._offset;
  }
  /** Size of the file at the last poll (null before the first successful one). */
  get size(): number | null {
    return this.identity?.size ?? null;
  }
  get mtimeMs(): number | null {
    return this.identity?.mtimeMs ?? null;
  }
  /** True when everything up to the last complete line has been parsed. */
  get caughtUp(): boolean {
    if (!this.identity) return false;
    return this._partialLine || this._offset >= this.identity.size;
  }
  /** The file ends with a line that has no newline yet: not parsed until it is completed. */
  get partialLine(): boolean {
    return this._partialLine;
  }
  /** Lines skipped for good (bad JSON, binary, over-long), plus one while a trailing partial line is pending. */
  get malformedLines(): number {
    return this.malformed + (this._partialLine ? 1 : 0);
  }
  /** Bytes read from the file since this reader was created (all polls, all resets). */
  get bytesRead(): number {
    return this._bytesRead;
  }

  /**
   * Reads and parses what was appended since the last poll, at most `budget` bytes (a line that straddles
   * the budget is finished, up to maxLineBytes). `scratch` is a reusable buffer of at least chunkBytes.
   */
  poll(budget = Infinity, scratch?: Buffer): ReadResult {
    const known = this.identity;
    if (known && this.caughtUp) {
      // Cheap check without opening: same inode, size and mtime as last time, and all of it parsed.
      const st = lstatQuiet(this.path);
      if (st === null) return { status: 'missing', bytesRead: 0, reset: false };
      if (!st.isFile()) return { status: 'not-regular', bytesRead: 0, reset: false };
      if (unchangedSince(st, known)) return { status: 'unchanged', bytesRead: 0, reset: false };
    }
    const opened = openRegular(this.path);
    if (opened.fd === null) return { status: opened.status, bytesRead: 0, reset: false };
    const { fd, stat } = opened;
    try {
      const now = identityOf(stat);
      let reset = false;
      if (known && (known.dev !== now.dev || known.ino !== now.ino || now.size < known.size || now.size < this._offset)) {
        this.resetState();
        reset = true;
      }
      this.identity = now;
      const bytesRead = this.readFrom(fd, now.size, budget, scratch);
      return { status: 'read', bytesRead, reset };
    } catch {
      return { status: 'error', bytesRead: 0, reset: false };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Where this reader stands, its parser's counts included, for another reader of the same file to go on from. */
  saveState(this: LogReader<P & StatefulParser>): LogReaderState {
    return {
      identity: this.identity,
      offset: this._offset,
      skipping: this.skipping,
      malformed: this.malformed,
      partialLine: this._partialLine,
      bytesRead: this._bytesRead,
      parser: this._parser.saveState(),
    };
  }

  /** Takes over what another reader of this file read (the next poll goes on from its offset). */
  loadState(this: LogReader<P & StatefulParser>, s: LogReaderState): void {
    const parser = this.makeParser();
    parser.loadState(s.parser);
    this._parser = parser;
    this.identity = s.identity;
    this._offset = s.offset;
    this.skipping = s.skipping;
    this.malformed = s.malformed;
    this._partialLine = s.partialLine;
    this._bytesRead = s.bytesRead;
  }

  private resetState(): void {
    this._parser = this.makeParser();
    this._offset = 0;
    this.skipping = false;
    this.malformed = 0;
    this._partialLine = false;
  }

  private feed(buf: Buffer, start: number, end: number): void {
    // A newline byte never occurs inside a UTF-8 multi-byte sequence, so splitting bytes on 0x0A is safe.
    if (end > start && buf[end - 1] === 0x0d) end--;
    let first = start;
    while (first < end && isBlank(buf[first])) first++;
    if (first === end) return; // a blank line is no record
    let ok: boolean;
    try {
      ok = this._parser.line(buf, start, end);
    } catch {
      ok = false;
    }
    if (!ok) this.malformed++;
  }

  private readFrom(fd: number, size: number, budget: number, scratch?: Buffer): number {
    const buf = scratch && scratch.length >= this.chunkBytes ? scratch : Buffer.allocUnsafe(this.chunkBytes);
    let pos = this._offset; // the next byte to read from the file
    let spent = 0;
    // buf[0, keep): the start of a line read but not yet complete, moved to the front so the next read
    // goes on after it (no copy elsewhere, no allocation).
    let keep = 0;
    // Pieces of a line longer than buf (copied: buf is reused), and their total length.
    let carry: Buffer[] = [];
    let carryLen = 0;
    this._partialLine = false;
    // Past the budget, only a line already begun is finished (bounded by maxLineBytes); skipping an
    // over-long line stops at the budget and goes on next poll.
    while (pos < size && (spent < budget || keep > 0 || carryLen > 0)) {
      const room = buf.length - keep;
      const want = Math.min(room, size - pos, spent < budget ? Math.max(1, budget - spent) : room);
      const n = fs.readSync(fd, buf, keep, want, pos);
      if (n <= 0) break;
      spent += n;
      this._bytesRead += n;
      pos += n;
      const len = keep + n;
      keep = 0;
      const view = buf.subarray(0, len);
      let start = 0;
      let sawNewline = false;
      if (this.skipping) {
        const nl = view.indexOf(0x0a, 0);
        if (nl < 0) {
          this._offset = pos;
          continue;
        }
        this.skipping = false;
        sawNewline = true;
        start = nl + 1;
      }
      for (;;) {
        const nl = view.indexOf(0x0a, start);
        if (nl < 0) break;
        sawNewline = true;
        if (carryLen > 0) {
          carry.push(Buffer.from(view.subarray(start, nl)));
          const whole = Buffer.concat(carry, carryLen + (nl - start));
          carry = [];
          carryLen = 0;
          if (whole.length > this.maxLineBytes) this.malformed++;
          else this.feed(whole, 0, whole.length);
        } else if (nl - start > this.maxLineBytes) {
          this.malformed++;
        } else {
          this.feed(view, start, nl);
        }
        start = nl + 1;
      }
      const rest = len - start;
      if (rest > 0 && sawNewline && spent >= budget) {
        // Budget spent and the line in progress finished: the next line waits for the next poll.
        this._offset = pos - rest;
        return spent;
      }
      if (rest > 0) {
        if (carryLen + rest > this.maxLineBytes) {
          // Over-long line: drop what we hold and skip up to its newline (maybe in a later poll).
          this.malformed++;
          carry = [];
          carryLen = 0;
          this.skipping = true;
        } else if (carryLen === 0 && rest < buf.length) {
          buf.copy(buf, 0, start, len);
          keep = rest;
        } else {
          carry.push(Buffer.from(view.subarray(start, len)));
          carryLen += rest;
        }
      }
      this._offset = pos - keep - carryLen;
    }
    if (keep + carryLen > 0) {
      // A line without its newline: the last line of the file while it is written, or the budget ran out
      // in the middle of it. Re-read from its start next time.
      this._offset = pos - keep - carryLen;
      this._partialLine = pos >= size;
    }
    return spent;
  }
}

/** Space, tab, CR, LF, FF, VT: what JSON.parse would skip around a value (and String.trim too). */
function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a || b === 0x0c || b === 0x0b;
}
