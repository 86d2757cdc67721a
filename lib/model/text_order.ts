// Text in a fixed order: by UTF-16 code units, the same under every locale. `localeCompare` would load ICU's
// collator on its first call (+2 MB of a long-running spmon: docs/performance.md, fifth round) and order
// ties differently from one locale to the next.

/** -1, 0 or 1 as `a` sorts before, with or after `b` by code units (for sort comparators' tie-breaks). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
