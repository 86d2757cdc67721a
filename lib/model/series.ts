// A bounded time series: the history a process keeps for sparklines and growth.

export class TimeSeries {
  private readonly times: Float64Array;
  private readonly values: Float64Array | Float32Array;
  private start = 0;
  private size = 0;

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
    this.times[i] = timeMs;
    this.values[i] = value;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
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
