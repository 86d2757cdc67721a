// `spmon tokens`: token use and context fill of every AI agent session, with an
// exit status scripts can act on (0 below warn, 1 at warn, 2 at critical).
import type { Settings } from './config';
import { contextLevel, ContextLevel, worseLevel } from './model/context_level';
import type { Session } from './model/sessions';
import { takeSnapshot } from './snapshot';
import { fit } from './view/fit';
import { formatPercent, UNKNOWN } from './view/format';
import { sanitize, toSafeJson } from './view/sanitize';
import { formatCount, formatTokenTotal } from './view/session_table';

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
    time: new Date(wallMs).toISOString(),
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
        lastActivity: s.lastActivityMs === null ? null : new Date(s.lastActivityMs).toISOString(),
        evidence: a.evidence,
        confidence: a.confidence,
        complete: a.complete,
      };
    }),
  };
}

export function tokensTable(sessions: readonly Session[], width: number): string {
  if (sessions.length === 0) return 'No agent sessions found (Claude Code, Codex, Gemini CLI logs of the last 24 h).\n';
  const head = ['Tool', 'Session', 'Model', 'PID', 'Input', 'Output', 'Cache+', 'Cache↺', 'Total', 'Ctx%', 'Level'];
  const widths = [6, 10, 24, 7, 8, 8, 8, 8, 8, 5, 8];
  const right = [false, false, false, true, true, true, true, true, true, true, false];
  const used = widths.reduce((a, b) => a + b, 0) + widths.length;
  const cwdW = Math.max(0, width - used);
  const row = (cells: string[], cwd: string) =>
    (cells.map((c, i) => fit(c, widths[i], right[i] ? 'right' : 'left')).join(' ') + (cwdW > 3 ? ' ' + fit(cwd, cwdW) : '')).trimEnd();
  const lines = [row(head, 'Cwd')];
  for (const s of sessions) {
    const a = s.agent!;
    const t = a.tokens;
    lines.push(
      row(
        [a.tool, sanitize(a.sessionId), sanitize(a.model ?? UNKNOWN), s.pids.length ? String(s.pids[0]) : '-', formatCount(t.input), formatCount(t.output),
          formatCount(t.cacheCreation), formatCount(t.cacheRead), formatTokenTotal(a), formatPercent(a.contextPercent, 0), contextLevel(a.contextPercent) ?? UNKNOWN],
        sanitize(a.cwd ?? UNKNOWN),
      ),
    );
  }
  return lines.join('\n') + '\n';
}

export interface TokensOptions {
  session?: string;
  json: boolean;
  columns: number;
  write: (s: string) => void;
}

/** Returns the exit status: 0 below warn, 1 at warn, 2 at critical (of the named session, else the worst). */
export async function runTokens(settings: Settings, o: TokensOptions, env: NodeJS.ProcessEnv): Promise<number> {
  checkSessionOption(o.session); // before reading anything
  const { snap, sessions } = await takeSnapshot({ ...settings, interval: 0 }, env);
  const chosen = selectAgentSessions(sessions, o.session).sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0));
  o.write(o.json ? toSafeJson(tokensJson(chosen, snap.wallMs), 2) + '\n' : tokensTable(chosen, o.columns));
  return exitStatusFor(worstLevel(chosen));
}
