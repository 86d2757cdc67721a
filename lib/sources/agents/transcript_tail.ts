// The context fill of one Claude Code session from the end of its transcript, fast enough for a hook that
// runs on every tool call: only the last part of the file is read (the last request's usage is there; more
// when a big tool result fills that part), and
// the same parser and definition as everywhere else make the number (context_window.ts).
import * as fs from 'fs';
import { ClaudeParser } from './claude';
import { contextPercentFor, contextWindowFor } from './context_window';
import type { LogSummary } from './log_summary';
import { openRegular } from './safe_open';

export interface TranscriptContext {
  sessionId: string | null;
  model: string | null;
  contextTokens: number | null;
  contextWindow: number | null;
  contextPercent: number | null;
}

/**
 * The context from the end of the transcript: the last `maxBytes` first, and twice as much again while no
 * request of the main conversation is in what was read (a tool result of many MB can fill the tail), up to
 * `capBytes`; null when it cannot be read (missing, not a regular file).
 */
export function claudeContextFromTail(path: string, maxBytes = 4 * 1024 * 1024, capBytes = 64 * 1024 * 1024): TranscriptContext | null {
  const opened = openRegular(path);
  if (opened.fd === null) return null;
  const { fd, stat } = opened;
  try {
    for (let window = Math.max(1, maxBytes); ; window *= 2) {
      const s = tailSummary(fd, stat.size, Math.min(window, capBytes));
      const whole = window >= stat.size || window >= capBytes;
      if ((s !== null && s.contextTokens !== null) || whole) {
        if (s === null) return { sessionId: null, model: null, contextTokens: null, contextWindow: null, contextPercent: null };
        const w = contextWindowFor('claude', s.model, { usedTokens: s.peakContextTokens ?? s.contextTokens });
        return { sessionId: s.sessionId, model: s.model, contextTokens: s.contextTokens, contextWindow: w, contextPercent: contextPercentFor('claude', s.contextTokens, w) };
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** What the whole lines in the last `len` bytes of the file say; null when no whole line is there. */
function tailSummary(fd: number, size: number, maxLen: number): LogSummary | null {
  const len = Math.min(size, maxLen);
  const buf = Buffer.alloc(len);
  const got = fs.readSync(fd, buf, 0, len, size - len);
  const parser = new ClaudeParser();
  // The first line may be cut (we started mid-file): begin after the first newline unless at offset 0.
  let start = size - len === 0 ? 0 : buf.indexOf(0x0a) + 1;
  if (start <= 0 && size - len !== 0) return null;
  while (start < got) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0 || end > got) end = got;
    let e = end;
    if (e > start && buf[e - 1] === 0x0d) e--;
    if (e > start) parser.line(buf, start, e);
    start = end + 1;
  }
  return parser.summary();
}
