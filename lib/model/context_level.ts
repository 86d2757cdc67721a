// How full an agent's context window is, as a level users are warned by.

export type ContextLevel = 'ok' | 'warn' | 'critical';

export const CONTEXT_WARN_PERCENT = 80;
export const CONTEXT_CRITICAL_PERCENT = 90;

/** 'critical' at 90 % and above, 'warn' at 80 %, else 'ok'; null for an unknown percentage. */
export function contextLevel(pct: number | null, warnAt = CONTEXT_WARN_PERCENT, criticalAt = CONTEXT_CRITICAL_PERCENT): ContextLevel | null {
  if (pct === null || !Number.isFinite(pct)) return null;
  if (pct >= criticalAt) return 'critical';
  if (pct >= warnAt) return 'warn';
  return 'ok';
}

/** The worse of two levels (null: unknown, better than ok for an exit status). */
export function worseLevel(a: ContextLevel | null, b: ContextLevel | null): ContextLevel | null {
  const rank = (l: ContextLevel | null) => (l === 'critical' ? 3 : l === 'warn' ? 2 : l === 'ok' ? 1 : 0);
  return rank(a) >= rank(b) ? a : b;
}
