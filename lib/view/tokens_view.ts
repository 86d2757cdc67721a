// What `spmon tokens` prints: the agent sessions' token use and context fill, as a table or as
// `spmon.tokens/v1` JSON, and the exit status scripts act on. Pure.
import type { ColumnSpec } from '../fields/field';
import { contextLevel, ContextLevel, worseLevel } from '../model/context_level';
import type { Session } from '../model/sessions';
import { formatCount, formatTokenTotal } from './cell';
import { formatPercent, UNKNOWN } from './format';
import { sanitize } from './sanitize';
import { headerCells, layoutTable, rowCellsOf } from './table';
import { isoTime } from '../model/clock';

export const TOKENS_SCHEMA = 'spmon.tokens/v1';

export class UnknownSessionError extends Error {}

/** `--session` must name something: an empty (or blank) value is a usage error, never "every session". */
export function checkSessionOption(wanted: string | undefined): void {
  if (wanted !== undefined && wanted.trim() === '')
    throw new UnknownSessionError('--session needs a session id (agent:<tool>:<id>, the bare id, or a unique prefix); it was empty');
}

/** Pick agent sessions: all, or the one `wanted` names (full id, bare session id, or a unique prefix of it). */
export function selectAgentSessions(sessions: readonly Session[], wanted?: string): Session[] {
  checkSessionOption(wanted);
  const agents = sessions.filter((s) => s.kind === 'agent' && s.agent);
  if (wanted === undefined) return agents;
  const exact = agents.filter((s) => s.id === wanted || s.agent!.sessionId === wanted);
  if (exact.length === 1) return exact;
  const prefix = agents.filter((s) => s.agent!.sessionId.startsWith(wanted) || s.id.startsWith(wanted));
  if (prefix.length === 1) return prefix;
  const known = agents.map((s) => s.id).slice(0, 10).join(', ') || 'none';
  throw new UnknownSessionError(
    prefix.length > 1 ? `"${sanitize(wanted)}" matches ${prefix.length} sessions; give more of the id` : `no agent session "${sanitize(wanted)}" (known: ${sanitize(known)})`,
  );
}

export function worstLevel(sessions: readonly Session[]): ContextLevel | null {
  return sessions.reduce<ContextLevel | null>((w, s) => worseLevel(w, contextLevel(s.agent?.contextPercent ?? null)), null);
}

export function exitStatusFor(level: ContextLevel | null): number {
  return level === 'critical' ? 2 : level === 'warn' ? 1 : 0;
}

export function tokensJson(sessions: readonly Session[], wallMs: number) {
  return {
    schema: TOKENS_SCHEMA,
    time: isoTime(wallMs),
    worst: worstLevel(sessions),
    sessions: sessions.map((s) => {
      const a = s.agent!;
      return {
        id: s.id,
        tool: a.tool,
        sessionId: a.sessionId,
        model: a.model,
        cwd: a.cwd,
        logPath: a.logPath,
        pids: s.pids,
        running: s.pids.length > 0,
        tokens: a.tokens,
        contextPercent: a.contextPercent === null ? null : Math.round(a.contextPercent * 10) / 10,
        level: contextLevel(a.contextPercent),
        lastActivity: s.lastActivityMs === null ? null : isoTime(s.lastActivityMs),
        evidence: a.evidence,
        confidence: a.confidence,
        complete: a.complete,
      };
    }),
  };
}

interface TokensColumn {
  column: ColumnSpec;
  text(s: Session): string;
}

const col = (header: string, width: number, align: 'left' | 'right', priority: number, text: (s: Session) => string): TokensColumn => ({
  column: { header, width, align, priority },
  text,
});

const TOKENS_COLUMNS: readonly TokensColumn[] = [
  col('Tool', 6, 'left', 100, (s) => s.agent!.tool),
  col('Session', 10, 'left', 95, (s) => sanitize(s.agent!.sessionId)),
  col('Model', 24, 'left', 60, (s) => sanitize(s.agent!.model ?? UNKNOWN)),
  col('PID', 7, 'right', 70, (s) => (s.pids.length ? String(s.pids[0]) : UNKNOWN)),
  col('Input', 8, 'right', 50, (s) => formatCount(s.agent!.tokens.input)),
  col('Output', 8, 'right', 55, (s) => formatCount(s.agent!.tokens.output)),
  col('Cache+', 8, 'right', 40, (s) => formatCount(s.agent!.tokens.cacheCreation)),
  col('Cache↺', 8, 'right', 45, (s) => formatCount(s.agent!.tokens.cacheRead)),
  col('Total', 8, 'right', 80, (s) => formatTokenTotal(s.agent!)),
  col('Ctx%', 5, 'right', 90, (s) => formatPercent(s.agent!.contextPercent, 0)),
  col('Level', 8, 'left', 85, (s) => contextLevel(s.agent!.contextPercent) ?? UNKNOWN),
  col('Cwd', 0, 'left', 30, (s) => sanitize(s.agent!.cwd ?? UNKNOWN)),
];

export function tokensTable(sessions: readonly Session[], width: number): string {
  if (sessions.length === 0) return 'No agent sessions found (Claude Code, Codex, Gemini CLI logs of the last 24 h).\n';
  const layout = layoutTable(TOKENS_COLUMNS, width, { flexMin: 4, minColumns: 2 });
  const lines = [headerCells(layout).join(' ').trimEnd()];
  for (const s of sessions) lines.push(rowCellsOf(layout, (c) => c.text(s)).join(' ').trimEnd());
  return lines.join('\n') + '\n';
}
