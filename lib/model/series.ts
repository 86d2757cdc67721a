// A bounded time series: the history a process keeps for sparklines and growth.

export class TimeSeries {
  private readonly times: Float64Array;
  private readonly values: Float64Array | Float32Array;
  private start = 0;
  private size = 0;
  /** Points pushed since a time went backwards (a wall clock set back), or since the first: the newest ones in time order. */
  private ordered = 0;
  /** The newest points that hold one and the same value (0 after a gap). */
  private run = 0;

  /**
   * `single`: keep values as 32-bit floats (7 significant digits: 64 bytes in a
   * GiB), half the memory for the per-process history of thousands of processes.
   */
  constructor(
    readonly capacity: number,
    precision: 'double' | 'single' = 'double',
  ) {
    this.times = new Float64Array(capacity);
    this.values = precision === 'single' ? new Float32Array(capacity) : new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Append a point; the oldest falls off when full. NaN values are kept as gaps. */
  push(timeMs: number, value: number): void {
    const i = (this.start + this.size) % this.capacity;
    const prev = this.size === 0 ? -1 : (i + this.capacity - 1) % this.capacity;
    this.ordered = prev >= 0 && timeMs < this.times[prev] ? 1 : this.ordered + 1;
    this.times[i] = timeMs;
    this.values[i] = value;
    // Compared as stored (a single-precision series rounds).
    const stored = this.values[i];
    this.run = Number.isNaN(stored) ? 0 : prev >= 0 && this.run > 0 && this.values[prev] === stored ? this.run + 1 : 1;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Whether every point is in time order (none older than the one before it). */
  get inTimeOrder(): boolean {
    return this.ordered >= this.size;
  }

  /** How many of the newest points hold one and the same value (not a gap). */
  get steadyCount(): number {
    return Math.min(this.run, this.size);
  }

  /** The first k (oldest first) whose time is at least `timeMs`, or length when none is; only for a series inTimeOrder. */
  firstAtOrAfter(timeMs: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Time of the k-th point, oldest first (0 <= k < length). */
  timeAt(k: number): number {
    const i = this.start + k;
    return this.times[i >= this.capacity ? i - this.capacity : i];
  }

  /** Value of the k-th point, oldest first (0 <= k < length); NaN for a gap. */
  valueAt(k: number): number {
    const i = this.start + k;
    return this.values[i >= this.capacity ? i - this.capacity : i];
  }

  /** Visit points from oldest to newest. */
  forEach(fn: (timeMs: number, value: number) => void): void {
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.capacity;
      fn(this.times[i], this.values[i]);
    }
  }

  /** The values, oldest first (NaN for gaps). */
  valuesArray(): number[] {
    const out: number[] = [];
    this.forEach((_t, v) => out.push(v));
    return out;
  }

  last(): number | null {
    if (this.size === 0) return null;
    const v = this.values[(this.start + this.size - 1) % this.capacity];
    return Number.isNaN(v) ? null : v;
  }
}
