// One process of a columnar RawSample as a plain object, for assertions.
import type { RawSample } from '../../lib/native';

export type Row = Record<string, number | string | null>;

/** The row for pid (state as a letter), or undefined when the sample does not hold it. */
export function rowOf(s: RawSample, pid: number): Row | undefined {
  const i = Array.from(s.pid).indexOf(pid);
  if (i < 0) return undefined;
  const out: Row = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'count' || k === 'host' || k === 'cgroup' || k === 'detail') continue;
    const col = v as ArrayLike<number | string | null>;
    out[k] = k === 'state' ? String.fromCharCode(col[i] as number) : col[i];
  }
  return out;
}

export function mustRow(s: RawSample, pid: number): Row {
  const r = rowOf(s, pid);
  if (!r) throw new Error(`pid ${pid} missing from the sample (have ${Array.from(s.pid).join(', ')})`);
  return r;
}

/** USS as the model computes it: Private_Clean + Private_Dirty, NaN when unknown. */
export const ussOf = (r: Row): number => (r.privateClean as number) + (r.privateDirty as number);
