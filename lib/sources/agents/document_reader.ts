// Whole-document reads of small JSON files that are rewritten rather than appended to (Gemini's older
// session-*.json chats), and of small marker files (Gemini's .project_root).
import * as fs from 'fs';
import { FileIdentity, ReadStatus, identityOf, lstatQuiet, openRegular, unchangedSince } from './safe_open';

const MiB = 1024 * 1024;

export type DocumentStatus = ReadStatus | 'too-big';

/** Where a DocumentReader stands (its saveState()). */
export interface DocumentReaderState<S> {
  identity: FileIdentity | null;
  state: S | null;
  malformed: number;
  bytesRead: number;
  tooBig: boolean;
}

/**
 * Reads a whole (small) document again when its identity, size or mtime changed. Documents over maxBytes
 * are refused (counted as malformed). `parse` gets the bytes and throws when they are not a usable document.
 */
export class DocumentReader<S> {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly parse: (buf: Buffer) => S;
  private identity: FileIdentity | null = null;
  private _state: S | null = null;
  private _malformed = 0;
  private _bytesRead = 0;
  private _tooBig = false;

  constructor(path: string, parse: (buf: Buffer) => S, opts: { maxBytes?: number } = {}) {
    this.path = path;
    this.parse = parse;
    this.maxBytes = opts.maxBytes ?? 64 * MiB;
  }

  /** The state of the last document that parsed (kept while a newer one is half written or too big). */
  get state(): S | null {
    return this._state;
  }
  /** 1 when the current document could not be used (bad JSON, too big), else 0. */
  get malformedLines(): number {
    return this._malformed;
  }
  /** The current document is over maxBytes: not read, so what is known of it is not complete. */
  get tooBig(): boolean {
    return this._tooBig;
  }
  get size(): number | null {
    return this.identity?.size ?? null;
  }
  get mtimeMs(): number | null {
    return this.identity?.mtimeMs ?? null;
  }
  get bytesRead(): number {
    return this._bytesRead;
  }

  /** Where this reader stands, for another reader of the same file to go on from (plain data, if S is). */
  saveState(): DocumentReaderState<S> {
    return { identity: this.identity, state: this._state, malformed: this._malformed, bytesRead: this._bytesRead, tooBig: this._tooBig };
  }

  loadState(s: DocumentReaderState<S>): void {
    this.identity = s.identity;
    this._state = s.state;
    this._malformed = s.malformed;
    this._bytesRead = s.bytesRead;
    this._tooBig = s.tooBig;
  }

  poll(): { status: DocumentStatus; bytesRead: number } {
    const known = this.identity;
    if (known) {
      const st = lstatQuiet(this.path);
      if (st === null) return { status: 'missing', bytesRead: 0 };
      if (!st.isFile()) return { status: 'not-regular', bytesRead: 0 };
      if (unchangedSince(st, known)) return { status: 'unchanged', bytesRead: 0 };
    }
    const opened = openRegular(this.path);
    if (opened.fd === null) return { status: opened.status, bytesRead: 0 };
    const { fd, stat } = opened;
    try {
      this.identity = identityOf(stat);
      this._tooBig = stat.size > this.maxBytes;
      if (this._tooBig) {
        this._malformed = 1;
        return { status: 'too-big', bytesRead: 0 };
      }
      const buf = Buffer.allocUnsafe(stat.size);
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, got);
        if (n <= 0) break;
        got += n;
      }
      this._bytesRead += got;
      try {
        this._state = this.parse(buf.subarray(0, got));
        this._malformed = 0;
      } catch {
        this._malformed = 1;
      }
      return { status: 'read', bytesRead: got };
    } catch {
      return { status: 'error', bytesRead: 0 };
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Reads a small file (at most maxBytes) safely: no symlink, no FIFO, regular files only. Null otherwise.
 * For markers such as Gemini's `.project_root`.
 */
export function readSmallFile(path: string, maxBytes = 64 * 1024): string | null {
  const opened = openRegular(path);
  if (opened.fd === null) return null;
  const { fd, stat } = opened;
  try {
    if (stat.size > maxBytes) return null;
    const buf = Buffer.allocUnsafe(stat.size);
    const n = stat.size > 0 ? fs.readSync(fd, buf, 0, stat.size, 0) : 0;
    return buf.toString('utf8', 0, n);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
