// Which processes get their smaps_rollup read this tick. Reading it costs time in
// proportion to the target's resident memory and holds the target's mmap lock
// meanwhile, so the dashboard reads it within a time budget, the most useful
// first, big processes less often and never twice in a row. Pure.

export interface SmapsCandidate {
  pid: number;
  key: string;
  /** Since the last read, ms; null: never read. */
  ageMs: number | null;
  /** The last read found it unreadable (another user's process). */
  denied: boolean;
  /** |ΔRssAnon| + |ΔRssShmem| since the last read, bytes. */
  movedBytes: number;
  /** Resident size now (statm), bytes: what a read costs. */
  sizeBytes: number;
  /** It was read in the previous tick. */
  readLastTick: boolean;
  /**
   * It has run (utime + stime moved) since the last read, or was never read. One that has not can still see its
   * USS/PSS change through others (a sharer that exits or forks), so it is read again at maxAge, not hotMaxAge.
   */
  ran: boolean;
}

export interface SmapsScheduleOptions {
  /** Time for smaps reads per tick, ms. */
  budgetMs: number;
  /** Every process is read again within about this long (budget permitting). */
  maxAgeMs: number;
  /** An on-screen process that has run is read again after this long even when its RssAnon/RssShmem did not move. */
  hotMaxAgeMs: number;
  /** A process whose anon+shmem moved this much is read again (on screen or not). */
  movedBytes: number;
  /** A process waits at least `msPerGiB` per GiB of its resident size between reads: bigger ones cost more and stall longer. */
  msPerGiB: number;
  /** From this size on a process is "big": never read two ticks running, and first in line once it is over maxAge. */
  bigBytes: number;
}

export const defaultSmapsSchedule: SmapsScheduleOptions = {
  budgetMs: 20,
  maxAgeMs: 30_000,
  hotMaxAgeMs: 5_000,
  movedBytes: 256 * 1024,
  msPerGiB: 2_000,
  bigBytes: 1024 ** 3,
};

/**
 * The pids to read, in order: never read; big ones over maxAge (the budget lets a read that
 * would overrun a tick's budget through only when it is the first of its tick, so these must
 * come first or wait forever: smaps_budget.ts); on screen (`hot`) when they moved, or ran and are older
 * than hotMaxAge; the rest over maxAge, oldest first; moved, largest move first. A process that did not move, is
 * younger than maxAge and (on screen) has not run or is younger than hotMaxAge is not read: between reads its
 * USS/PSS follow RssAnon/RssShmem, so a quiet machine costs next to nothing. SmapsBudget cuts
 * the list and the reader stops at the budget, so the tail is read only when there is time left.
 */
export function planSmaps(cands: readonly SmapsCandidate[], hot: ReadonlySet<string>, opts: SmapsScheduleOptions = defaultSmapsSchedule): number[] {
  return rankSmaps(cands, hot, opts).map((c) => c.pid);
}

/** The candidates planSmaps picks, in its order, with their sizes (for SmapsBudget.plan). */
export function rankSmaps(
  cands: readonly SmapsCandidate[],
  hot: ReadonlySet<string>,
  opts: SmapsScheduleOptions = defaultSmapsSchedule,
): SmapsCandidate[] {
  const tiers: SmapsCandidate[][] = [[], [], [], [], []];
  for (const c of cands) {
    let tier: number;
    if (c.ageMs === null) {
      tier = 0;
    } else {
      const big = c.sizeBytes >= opts.bigBytes;
      if (big && c.readLastTick) continue;
      if (c.ageMs < (c.sizeBytes / 1024 ** 3) * opts.msPerGiB) continue;
      const overdue = c.ageMs >= opts.maxAgeMs;
      const moved = c.movedBytes >= opts.movedBytes;
      if (c.denied && !overdue) continue;
      if (overdue && big) tier = 1;
      else if (hot.has(c.key) && (moved || (c.ran && c.ageMs >= opts.hotMaxAgeMs))) tier = 2;
      else if (overdue) tier = 3;
      else if (moved && !c.denied) tier = 4;
      else continue;
    }
    tiers[tier].push(c);
  }
  const oldestFirst = (a: SmapsCandidate, b: SmapsCandidate) => (b.ageMs ?? 0) - (a.ageMs ?? 0);
  tiers[1].sort(oldestFirst);
  tiers[3].sort(oldestFirst);
  tiers[4].sort((a, b) => b.movedBytes - a.movedBytes);
  return tiers.flat();
}
