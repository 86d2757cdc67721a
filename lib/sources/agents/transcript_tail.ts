// The context fill of one Claude Code session from the end of its transcript, fast enough for a hook that
// runs on every tool call: only the last part of the file is read (the last request's usage is there), and
// the same parser and definition as everywhere else make the number (context_window.ts).
import * as fs from 'fs';
import { ClaudeParser } from './claude';
import { contextPercentFor, contextWindowFor } from './context_window';
import { openRegular } from './safe_open';

export interface TranscriptContext {
  sessionId: string | null;
  model: string | null;
  contextTokens: number | null;
  contextWindow: number | null;
  contextPercent: number | null;
}

/** Read at most `maxBytes` from the end of the transcript; null when it cannot be read (missing, not a regular file). */
export function claudeContextFromTail(path: string, maxBytes = 4 * 1024 * 1024): TranscriptContext | null {
  const opened = openRegular(path);
  if (opened.fd === null) return null;
  const { fd, stat } = opened;
  try {
    const len = Math.min(stat.size, maxBytes);
    const buf = Buffer.alloc(len);
    const got = fs.readSync(fd, buf, 0, len, stat.size - len);
    const parser = new ClaudeParser();
    // The first line may be cut (we started mid-file): begin after the first newline unless at offset 0.
    let start = stat.size - len === 0 ? 0 : buf.indexOf(0x0a) + 1;
    if (start <= 0 && stat.size - len !== 0) return { sessionId: null, model: null, contextTokens: null, contextWindow: null, contextPercent: null };
    while (start < got) {
      let end = buf.indexOf(0x0a, start);
      if (end < 0 || end > got) end = got;
      let e = end;
      if (e > start && buf[e - 1] === 0x0d) e--;
      if (e > start) parser.line(buf, start, e);
      start = end + 1;
    }
    const s = parser.summary();
    const window = contextWindowFor('claude', s.model, { usedTokens: s.peakContextTokens ?? s.contextTokens });
    return { sessionId: s.sessionId, model: s.model, contextTokens: s.contextTokens, contextWindow: window, contextPercent: contextPercentFor('claude', s.contextTokens, window) };
  } finally {
    fs.closeSync(fd);
  }
}
