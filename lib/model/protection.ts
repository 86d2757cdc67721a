// Who may be signalled: one rule for every path that ends processes (dashboard keys, sessions, the
// daemon's stop and requests, MCP tools, the memory guard). Pure.

/** Why a process may not be signalled at all. */
export type RefusalCode = 'invalid-pid' | 'unknown-start' | 'pid1' | 'self' | 'ancestor';

/** What the rule needs to know of the process asking: its own pid and its ancestors. */
export interface Guard {
  selfPid: number;
  /** spmon's ancestors: ending one would end spmon's own terminal, tmux server or supervisor. */
  ancestors: ReadonlySet<number>;
}

/** The pids of `pid`'s ancestors (not itself) in a process list. */
export function ancestorPids(processes: Iterable<{ pid: number; ppid: number }>, pid: number = process.pid): Set<number> {
  const parent = new Map<number, number>();
  for (const p of processes) parent.set(p.pid, p.ppid);
  const out = new Set<number>();
  let cur = parent.get(pid);
  while (cur !== undefined && cur > 0 && !out.has(cur) && cur !== pid) {
    out.add(cur);
    cur = parent.get(cur);
  }
  return out;
}

/** The guard of the process `selfPid` within a process list. */
export function guardOf(processes: Iterable<{ pid: number; ppid: number }>, selfPid: number = process.pid): Guard {
  return { selfPid, ancestors: ancestorPids(processes, selfPid) };
}

/** Why this process may never be signalled, or null. System processes are not refused here: callers warn (dashboard) or skip (memory guard). */
export function refusalOf(t: { pid: number; startTicks: number }, guard: Guard): RefusalCode | null {
  const pid = t.pid;
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) return 'invalid-pid';
  if (!Number.isFinite(t.startTicks) || t.startTicks < 0) return 'unknown-start';
  if (pid === 1) return 'pid1';
  if (pid === guard.selfPid) return 'self';
  if (guard.ancestors.has(pid)) return 'ancestor';
  return null;
}

/** The first member of a set that may not be signalled, with why; null when the whole set may be. */
export function setRefusalOf<T extends { pid: number; startTicks: number }>(members: readonly T[], guard: Guard): { member: T; code: RefusalCode } | null {
  for (const m of members) {
    const code = refusalOf(m, guard);
    if (code !== null) return { member: m, code };
  }
  return null;
}
