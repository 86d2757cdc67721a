// The daemon's event history: every automatic action and every request (a session started, exited,
// restarted after a delay, given up on, stopped, found lost; termination requests and memory-guard
// decisions), with the numbers it was based on. Appended to <state>/events.jsonl, which is bounded
// (rotated once to events.jsonl.1), so the history survives a daemon that dies and never fills the disk.
import * as fs from 'fs';
import * as path from 'path';
import { isoTime } from '../model/clock';

export interface DaemonEvent {
  /** Increases by one per event, across daemon restarts. */
  seq: number;
  /** ISO 8601. */
  time: string;
  kind: string;
  /** A session id (`run:web`, `agent:claude:...`) or a process (`pid 42`), when there is one. */
  target: string | null;
  reason: string | null;
  outcome: string | null;
  /** What the decision was based on (delays, exit codes, memory figures...). */
  details: Record<string, unknown>;
}

const MAX_FILE_BYTES = 1024 * 1024;
const KEEP_IN_MEMORY = 1000;

export class EventLog {
  private readonly file: string;
  private readonly recent: DaemonEvent[] = [];
  private seq = 0;
  private readonly listeners = new Set<(e: DaemonEvent) => void>();

  constructor(dir: string) {
    this.file = path.join(dir, 'events.jsonl');
    for (const f of [`${this.file}.1`, this.file]) {
      let text = '';
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as DaemonEvent;
          if (typeof e.seq === 'number') this.keep(e);
        } catch {
          // A line cut by a crash: skipped.
        }
      }
    }
  }

  private keep(e: DaemonEvent): void {
    this.recent.push(e);
    if (this.recent.length > KEEP_IN_MEMORY) this.recent.splice(0, this.recent.length - KEEP_IN_MEMORY);
    this.seq = Math.max(this.seq, e.seq);
  }

  add(kind: string, target: string | null, o: { reason?: string | null; outcome?: string | null; details?: Record<string, unknown> } = {}): DaemonEvent {
    const e: DaemonEvent = { seq: this.seq + 1, time: isoTime(), kind, target, reason: o.reason ?? null, outcome: o.outcome ?? null, details: o.details ?? {} };
    this.keep(e);
    try {
      let size = 0;
      try {
        size = fs.statSync(this.file).size;
      } catch {
        // Not there yet.
      }
      if (size > MAX_FILE_BYTES) fs.renameSync(this.file, `${this.file}.1`);
      fs.appendFileSync(this.file, JSON.stringify(e) + '\n', { mode: 0o600 });
    } catch {
      // The history in memory still has it.
    }
    for (const fn of this.listeners) fn(e);
    return e;
  }

  /** Events after `afterSeq`, oldest first, at most `limit`. */
  since(afterSeq = 0, limit = KEEP_IN_MEMORY): DaemonEvent[] {
    return this.recent.filter((e) => e.seq > afterSeq).slice(0, limit);
  }

  get lastSeq(): number {
    return this.seq;
  }

  onEvent(fn: (e: DaemonEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
