// A sparkline of a series, drawn here rather than by blessed-contrib: its sparkline computes in 32-bit
// integers and wrapped round once the range passed ~8 MiB, so a process growing steadily drew
// ▁▁▃▄▄▄▁▁▁▁▅█▇▁▁▁. This one scales in floating point between the series' own minimum and maximum.

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The last `width` finite values as one block each, lowest ▁, highest █. The scale spans at least a tenth of
 * the largest value, so noise on a flat series (259.0 then 259.4 MiB) draws a flat line rather than
 * filling the whole height.
 */
export function sparkline(values: readonly number[], width: number): string {
  const w = Math.max(0, Math.floor(width));
  const finite = values.filter((v) => Number.isFinite(v));
  const last = finite.slice(Math.max(0, finite.length - w));
  if (last.length === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < last.length; i++) {
    const v = last[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = Math.max(hi - lo, Math.abs(hi) / 10);
  lo = Math.min(lo, hi - span);
  const top = BLOCKS.length - 1;
  return last.map((v) => BLOCKS[span > 0 ? Math.round(((v - lo) / span) * top) : 0]).join('');
}
