// Growth of a value over a sliding window: the least-squares slope.
import { TimeSeries } from './series';

export interface GrowthOptions {
  /** Sliding window, ms (default 60 s). */
  windowMs: number;
  /** Fewest known points in the window before a slope is given. */
  minPoints: number;
  /** Shortest time the points must span, ms. */
  minSpanMs: number;
}

export const defaultGrowthOptions: GrowthOptions = { windowMs: 60_000, minPoints: 5, minSpanMs: 15_000 };

export interface Growth {
  /** Units per minute. */
  perMinute: number;
  /** Coefficient of determination of the fit, 0..1: near 1 is steady growth. */
  r2: number;
}

/** The slope of a window whose points all hold one value: one object for every such process. */
const FLAT: Growth = Object.freeze({ perMinute: 0, r2: 0 });

/** Slope over the points of `series` no older than `nowMs - windowMs`; null until enough points. */
export function growthOf(series: TimeSeries, nowMs: number, opts: GrowthOptions = defaultGrowthOptions): Growth | null {
  const since = nowMs - opts.windowMs;
  const size = series.length;
  // In time order (as a series is unless the wall clock was set back), the window is the newest points, found
  // by a binary search instead of a walk over the whole history; and where they all hold one whole number (a
  // process whose memory has not moved: most of them), the sums below come to a slope of 0 and an r² of 0
  // exactly (the mean is that number, every deviation from it 0), so the points are not walked at all. At
  // 1,000 processes the walks cost a tick more than the rest of its model (docs/performance.md).
  let k0 = 0;
  if (series.inTimeOrder) {
    k0 = series.firstAtOrAfter(since);
    const inWindow = size - k0;
    const v = inWindow > 0 ? series.valueAt(size - 1) : NaN;
    if (inWindow > 0 && inWindow <= series.steadyCount && Number.isInteger(v) && Math.abs(v) * inWindow <= Number.MAX_SAFE_INTEGER) {
      const first = series.timeAt(k0);
      const last = series.timeAt(size - 1);
      return inWindow < opts.minPoints || last - first < opts.minSpanMs || last === first ? null : FLAT;
    }
  }
  let n = 0;
  let sx = 0;
  let sy = 0;
  let first = Infinity;
  let last = -Infinity;
  // Centre times on `since` to keep the sums well conditioned. Plain loops, not
  // callbacks: this runs for every process every tick, and sums captured by a
  // closure would box a number on every addition.
  for (let k = k0; k < size; k++) {
    const t = series.timeAt(k);
    const v = series.valueAt(k);
    if (t < since || Number.isNaN(v)) continue;
    const x = (t - since) / 60_000;
    n++;
    sx += x;
    sy += v;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (n < opts.minPoints || last - first < opts.minSpanMs) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let k = k0; k < size; k++) {
    const t = series.timeAt(k);
    const v = series.valueAt(k);
    if (t < since || Number.isNaN(v)) continue;
    const dx = (t - since) / 60_000 - mx;
    const dy = v - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? (slope === 0 ? 0 : 1) : (sxy * sxy) / (sxx * syy);
  return { perMinute: slope, r2 };
}
