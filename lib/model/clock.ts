// A monotonic clock in milliseconds, as `performance.now()` counts (from an arbitrary start), without
// Node's `performance` global: its first use loads perf_hooks and what it needs, ~1.7 ms and ~0.3 MB of
// every long-running spmon (docs/performance.md, "fourth round").

/** Milliseconds on a clock that never goes back (process.hrtime: CLOCK_MONOTONIC). */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** The wall time (ms since the epoch) at which monotonicMs() read 0, fixed when this module loaded. */
export const MONOTONIC_ORIGIN_MS = Date.now() - monotonicMs();
