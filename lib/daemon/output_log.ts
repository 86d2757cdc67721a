// A supervised session's output: its stdout and stderr go straight into one file (O_APPEND), so the child
// is never blocked by a pipe nobody drains, writes as fast as the disk takes, and keeps writing to the
// same file if the daemon dies. The daemon bounds the file: past the cap, the oldest part is freed in
// place (fallocate PUNCH_HOLE), so offsets stay true byte offsets and a reader loses nothing it has not
// been told of; where the filesystem cannot punch holes, the file is emptied and a base offset kept.
import * as fs from 'fs';
import { punchHole } from '../native';

const BLOCK = 4096;

export interface LogWindow {
  /** First byte offset still held (what is before it was freed to keep the cap). */
  startOffset: number;
  /** Bytes written so far (the offset the next byte gets). */
  endOffset: number;
}

export interface LogRead {
  /** The bytes from `offset` (or from the first byte still held, when `offset` was freed). */
  data: Buffer;
  /** Where this read started: `offset`, or later when that part was freed. */
  offset: number;
  nextOffset: number;
  /** Bytes between the asked offset and what was still held (freed to keep the cap). */
  skipped: number;
}

export class OutputLog {
  /**
   * `base`: bytes emptied away before the file's own offset 0 (only where holes cannot be punched);
   * `start`: the first logical offset still held.
   */
  constructor(
    readonly path: string,
    private base = 0,
    private start = 0,
  ) {}

  /** Create (or reopen) the file for a child to write to: append-only, private. The caller closes the fd after spawning. */
  openForChild(): number {
    return fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
  }

  /** The logical window held now (base + the file's size). */
  window(): LogWindow {
    let size = 0;
    try {
      size = fs.statSync(this.path).size;
    } catch {
      // No file: nothing was written (or it was removed).
    }
    return { startOffset: Math.max(this.start, this.base), endOffset: this.base + size };
  }

  /** What to persist to reopen this log after a restart of the daemon. */
  get state(): { base: number; start: number } {
    return { base: this.base, start: this.start };
  }

  /**
   * Keep at most `capBytes` on disk: when more is held, free the oldest part, keeping the last
   * `capBytes / 2` (whole blocks). Returns the bytes freed.
   */
  enforceCap(capBytes: number): number {
    let fd: number;
    try {
      fd = fs.openSync(this.path, fs.constants.O_RDWR);
    } catch {
      return 0;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const held = this.base + size - Math.max(this.start, this.base);
      if (held <= capBytes) return 0;
      const keep = Math.max(BLOCK, Math.floor(capBytes / 2));
      const physStart = Math.max(0, this.start - this.base);
      const physEnd = Math.floor((size - keep) / BLOCK) * BLOCK;
      if (physEnd <= physStart) return 0;
      const err = punchHole(fd, physStart, physEnd - physStart);
      if (err === 0) {
        this.start = this.base + physEnd;
        return physEnd - physStart;
      }
      // No hole punching here (EOPNOTSUPP): empty the file; the child's O_APPEND goes on at its new end.
      fs.ftruncateSync(fd, 0);
      const freed = size - physStart;
      this.base += size;
      this.start = this.base;
      return freed;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Up to `maxBytes` from logical `offset` (clamped to the window). */
  read(offset: number, maxBytes: number): LogRead {
    const w = this.window();
    const from = Math.min(Math.max(offset, w.startOffset), w.endOffset);
    const len = Math.max(0, Math.min(maxBytes, w.endOffset - from));
    const data = Buffer.alloc(len);
    let got = 0;
    if (len > 0) {
      const fd = fs.openSync(this.path, 'r');
      try {
        got = fs.readSync(fd, data, 0, len, from - this.base);
      } finally {
        fs.closeSync(fd);
      }
    }
    return { data: data.subarray(0, got), offset: from, nextOffset: from + got, skipped: Math.max(0, from - Math.max(0, offset)) };
  }

  /** The offset `lines` lines before the end (at most `maxBytes` back). */
  tailOffset(lines: number, maxBytes = 1024 * 1024): number {
    const w = this.window();
    if (lines <= 0) return w.endOffset;
    const from = Math.max(w.startOffset, w.endOffset - maxBytes);
    const r = this.read(from, w.endOffset - from);
    let n = 0;
    // A final newline ends the last line; it does not start another.
    let i = r.data.length - 1;
    if (i >= 0 && r.data[i] === 0x0a) i--;
    for (; i >= 0; i--) {
      if (r.data[i] === 0x0a && ++n >= lines) return r.offset + i + 1;
    }
    return r.offset;
  }

  remove(): void {
    fs.rmSync(this.path, { force: true });
  }
}
