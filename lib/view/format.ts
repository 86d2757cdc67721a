// Human units for the numbers the model produces. Unknown (null) is '-'.

export const UNKNOWN = '-';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.50 KiB", 268435456 -> "256 MiB": three significant digits, IEC units. */
export function formatBytes(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  // Whole bytes first: a rate of 1023.9 B/s is "1.00 KiB/s", not "1024 B/s"; -0.3 is "0 B", not "-0 B".
  let v = Math.round(Math.abs(n));
  const neg = n < 0 && v > 0;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  let s: string;
  if (u === 0) s = String(Math.round(v));
  else if (v >= 100) s = v.toFixed(0);
  else if (v >= 10) s = v.toFixed(1);
  else s = v.toFixed(2);
  // Rounding can reach 1024 ("1024 KiB"): step up a unit.
  if (u < UNITS.length - 1 && u > 0 && Number(s) >= 1024) {
    s = (v / 1024).toFixed(2);
    u++;
  }
  return `${neg ? '-' : ''}${s} ${UNITS[u]}`;
}

/** Bytes per second. */
export function formatRate(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  return `${formatBytes(n)}/s`;
}

/** Bytes per minute, signed: "+12.3 MiB/m". Tiny values read as 0. */
export function formatGrowth(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  if (Math.abs(n) < 1024) return '0 B/m';
  return `${n > 0 ? '+' : ''}${formatBytes(n)}/m`;
}

export function formatPercent(n: number | null, digits = 1): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  return n.toFixed(digits);
}

/** Seconds -> "3d 04:05" or "04:05:06". */
export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec) || sec < 0) return UNKNOWN;
  const s = Math.floor(sec);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  if (d > 0) return `${d}d ${pad(h)}:${pad(m)}`;
  return `${pad(h)}:${pad(m)}:${pad(s % 60)}`;
}

/** Cores, e.g. 0.5 -> "0.5", 2 -> "2". */
export function formatCores(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  // Drop trailing zeros, and the point too when nothing is left after it (0.999 -> "1", not "1.").
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '');
}
