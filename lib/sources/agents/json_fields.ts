// Typed, forgiving access to fields of parsed JSON log records: a wrong type reads as absent.

export type JsonObject = Record<string, unknown>;

export function asObject(v: unknown): JsonObject | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A finite, non-negative number (token counts, windows); null otherwise. */
export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** Milliseconds since the epoch of an ISO 8601 timestamp; null when absent or unparseable. */
export function timestampMs(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

/** First and last activity times, kept as min and max (lines are not always in time order). */
export class ActivitySpan {
  first: number | null = null;
  last: number | null = null;
  add(ms: number | null): void {
    if (ms === null) return;
    if (this.first === null || ms < this.first) this.first = ms;
    if (this.last === null || ms > this.last) this.last = ms;
  }
  state(): ActivitySpanState {
    return { first: this.first, last: this.last };
  }
  restore(s: ActivitySpanState): void {
    this.first = s.first;
    this.last = s.last;
  }
}

export interface ActivitySpanState {
  first: number | null;
  last: number | null;
}

/**
 * A map that keeps its newest `capacity` keys: de-duplicates streamed records by id with bounded memory.
 * Records of one request arrive close together, so an id evicted long ago does not come back in practice.
 */
export class RecentMap<V> {
  private map = new Map<string, V>();
  private newest: string | null = null;
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  set(key: string, value: V): void {
    // The newest key again (a request streamed over several lines): already last, so updated in place.
    if (key === this.newest) {
      this.map.set(key, value);
      return;
    }
    this.newest = key;
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }
  get size(): number {
    return this.map.size;
  }
  /** What it holds, oldest first (a Map survives structured cloning, as between threads). */
  state(): RecentMapState<V> {
    return { map: this.map, newest: this.newest };
  }
  restore(s: RecentMapState<V>): void {
    this.map = new Map(s.map);
    this.newest = s.newest;
  }
}

export interface RecentMapState<V> {
  map: Map<string, V>;
  newest: string | null;
}
