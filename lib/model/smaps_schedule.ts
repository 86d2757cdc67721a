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
}

export interface SmapsScheduleOptions {
  /** Time for smaps reads per tick, ms. */
  budgetMs: number;
  /** Every process is read again within about this long (budget permitting). */
  maxAgeMs: number;
  /** A process whose anon+shmem moved this much is read before quiet ones. */
  movedBytes: number;
  /** From this size on a process is "big": read at most every `msPerGiB` per GiB, never back to back. */
  bigBytes: number;
  msPerGiB: number;
}

export const defaultSmapsSchedule: SmapsScheduleOptions = {
  budgetMs: 20,
  maxAgeMs: 30_000,
  movedBytes: 256 * 1024,
  bigBytes: 1024 ** 3,
  msPerGiB: 2_000,
};

/**
 * The pids to read, in order: never read; on screen (`hot`); older than maxAge;
 * moved (largest move first); then the rest, oldest first. The reader stops at
 * the budget, so the tail is read only when there is time left.
 */
export function planSmaps(cands: readonly SmapsCandidate[], hot: ReadonlySet<string>, opts: SmapsScheduleOptions = defaultSmapsSchedule): number[] {
  const tiers: SmapsCandidate[][] = [[], [], [], [], []];
  for (const c of cands) {
    if (c.ageMs !== null) {
      if (c.sizeBytes >= opts.bigBytes) {
        if (c.readLastTick || c.ageMs < (c.sizeBytes / 1024 ** 3) * opts.msPerGiB) continue;
      }
      if (c.denied && c.ageMs < opts.maxAgeMs) continue;
    }
    const tier =
      c.ageMs === null ? 0 : hot.has(c.key) ? 1 : c.ageMs >= opts.maxAgeMs ? 2 : c.movedBytes >= opts.movedBytes ? 3 : 4;
    tiers[tier].push(c);
  }
  tiers[2].sort((a, b) => (b.ageMs ?? 0) - (a.ageMs ?? 0));
  tiers[3].sort((a, b) => b.movedBytes - a.movedBytes);
  tiers[4].sort((a, b) => (b.ageMs ?? 0) - (a.ageMs ?? 0));
  return tiers.flat().map((c) => c.pid);
}
