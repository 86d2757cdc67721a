// The smaps budget's policy with plain objects: what a tick may spend, what waits for savings,
// how far down the ranked list it reaches, and what it learns from the reads the reader reports.
// (test/smaps_schedule.test.ts drives it against the real reader and a 512 MiB child.)
import { SmapsBudget, SmapsTickPlan } from '../lib/model/smaps_budget';
import { FLAG_SMAPS_READ } from '../lib/native';
import { rawSample } from './helpers/raw';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const sized = (...sizes: number[]) => sizes.map((sizeBytes, i) => ({ pid: 100 + i, sizeBytes }));

/** What the reader does with a plan: in order, start a read only while its expected cost fits. */
function readsOf(plan: SmapsTickPlan, actualMs: (i: number) => number = (i) => plan.smapsCostMs[i]): { read: number[]; spent: number } {
  const read: number[] = [];
  let spent = 0;
  for (let i = 0; i < plan.smapsPids.length; i++) {
    if (!(spent < plan.smapsBudgetMs && spent + plan.smapsCostMs[i] <= plan.smapsBudgetMs)) break;
    read.push(plan.smapsPids[i]);
    spent += actualMs(i);
  }
  return { read, spent };
}

test('a read is expected to cost 0.03 ms plus 10 ms per GiB until reads teach otherwise', () => {
  const b = new SmapsBudget();
  expect(b.expectedMs(0)).toBeCloseTo(0.03);
  expect(b.expectedMs(NaN)).toBeCloseTo(0.03); // unknown size: the fixed part only
  expect(b.expectedMs(512 * MiB)).toBeCloseTo(5.03);
  const p = b.plan(sized(10 * MiB, 512 * MiB), 20);
  expect(Array.from(p.smapsPids)).toEqual([100, 101]);
  expect(Array.from(p.smapsCostMs)).toEqual([b.expectedMs(10 * MiB), b.expectedMs(512 * MiB)]);
  expect(p.smapsBudgetMs).toBe(20);
});

test('a tick spends at most its budget: savings are not spent on reads that fit in one tick', () => {
  const b = new SmapsBudget();
  for (let i = 0; i < 10; i++) {
    b.plan([], 1); // ten ticks with nothing to read
    b.learnReads([], 0);
  }
  expect(b.creditMs).toBe(10);
  const p = b.plan(sized(...Array<number>(50).fill(64 * MiB)), 1); // 0.655 ms each
  expect(p.smapsBudgetMs).toBe(1);
  expect(readsOf(p).read).toHaveLength(1);
});

test('a read bigger than the budget waits, first in line, until the savings cover it; nothing behind it goes first', () => {
  const b = new SmapsBudget();
  const order = sized(512 * MiB, 1 * MiB); // 5.03 ms, then a small one
  const seen: number[][] = [];
  for (let tick = 1; tick <= 12; tick++) {
    const p = b.plan(order, 1);
    const r = readsOf(p);
    seen.push(r.read);
    b.learnReads([], r.spent);
    if (r.read.length) break;
  }
  // Ticks 1-5 save 1 ms each and read nothing (strict order: the small one waits too); tick 6 reads
  // it alone, even when it costs less than expected.
  expect(seen).toEqual([[], [], [], [], [], [100]]);
  const cheap = new SmapsBudget();
  for (let tick = 1; tick < 6; tick++) cheap.learnReads([], readsOf(cheap.plan(order, 1)).spent);
  const alone = cheap.plan(order, 1);
  expect(Array.from(alone.smapsPids)).toEqual([100]);
  expect(readsOf(alone, () => 0.5).read).toEqual([100]);
  expect(b.creditMs).toBeCloseTo(6 - 5.03);
});

test('a read bigger than all the savings can hold is read once they are full, and the debt is paid off after', () => {
  const b = new SmapsBudget();
  const order = sized(512 * MiB); // 5.03 ms against 0.1 ms per tick: savings hold 1 ms
  let ticks = 0;
  let plan = b.plan(order, 0.1);
  while (readsOf(plan).read.length === 0 && ticks < 20) {
    b.learnReads([], 0);
    ticks++;
    plan = b.plan(order, 0.1);
  }
  expect(ticks).toBeGreaterThanOrEqual(9);
  expect(ticks).toBeLessThanOrEqual(10);
  expect(plan.smapsBudgetMs).toBeCloseTo(5.03); // this tick may spend what the read is expected to cost
  b.learnReads([], 5.03);
  expect(b.creditMs).toBeCloseTo(1 - 5.03);
  // In debt nothing is read, and no directory is opened for it, until the savings are back above 0.
  const debt = b.plan(sized(1 * MiB), 0.1);
  expect(debt.smapsBudgetMs).toBeLessThan(0);
  expect(debt.smapsPids).toHaveLength(0);
  let n = 1;
  while (b.plan(sized(1 * MiB), 0.1).smapsBudgetMs <= 0 && n < 100) n++;
  expect(n).toBe(40); // 4.03 ms of debt at 0.1 ms a tick
});

test('the list is cut to what the tick could pay for at 0.03 ms a read', () => {
  const b = new SmapsBudget();
  const p = b.plan(sized(...Array<number>(1000).fill(0)), 1);
  expect(p.smapsPids).toHaveLength(34); // 1 / 0.03 = 33.3, plus one
  expect(readsOf(p).read).toHaveLength(33);
});

test('reads of big processes teach the rate; small, failed and unknown-size ones do not', () => {
  const b = new SmapsBudget();
  b.learnReads([{ ms: 100, sizeBytes: 64 * MiB, ok: true }, { ms: 100, sizeBytes: GiB, ok: false }, { ms: 100, sizeBytes: NaN, ok: true }], 0);
  expect(b.msPerGiB).toBe(10);
  b.learnReads([{ ms: 20.03, sizeBytes: GiB, ok: true }], 0); // 20 ms/GiB: the average moves 30 % of the way
  expect(b.msPerGiB).toBeCloseTo(13);
  b.learnReads([{ ms: 0.01, sizeBytes: 2 * GiB, ok: true }], 0); // faster than the fixed part: rate 0
  expect(b.msPerGiB).toBeCloseTo(9.1);
  expect(b.expectedMs(GiB)).toBeCloseTo(9.13);
});

describe('learn() from a sample', () => {
  const sample = (reads: { pid: number; ms: number; size: number }[], smapsMs: number) => {
    const raw = rawSample(reads.map((r) => ({ pid: r.pid, statmResident: r.size, pss: r.size, smapsReadMs: r.ms })));
    raw.stats = { walkMs: 50, smapsMs, smapsRead: reads.length, smapsSkipped: 0, heldProcesses: 0, statusRead: 0, quiet: 0, statReused: 0, listed: 1, rootErrno: 0, fdErrors: 0, smapsWorkers: 0 };
    return raw;
  };

  test('in the order of the plan, not of the sample; it pays the smaps time of the pass', () => {
    // Rates 40 then 0 ms/GiB give 10 → 19 → 13.3; 0 then 40 would give 10 → 7 → 16.9.
    const b = new SmapsBudget();
    b.plan(sized(GiB, GiB), 100); // pids 100, 101
    b.learn(sample([{ pid: 101, ms: 0, size: GiB }, { pid: 100, ms: 40.03, size: GiB }], 41));
    expect(b.msPerGiB).toBeCloseTo(13.3);
    expect(b.creditMs).toBeCloseTo(100 - 41);
  });

  test('only from processes read in this sample, and only after a plan', () => {
    const b = new SmapsBudget();
    const raw = sample([{ pid: 100, ms: 40.03, size: GiB }], 40.03);
    b.learn(raw); // no plan: the first tick reads everything inline and is not counted
    expect([b.msPerGiB, b.creditMs]).toEqual([10, 0]);
    b.plan(sized(GiB), 100);
    raw.flags[0] &= ~FLAG_SMAPS_READ;
    b.learn(raw);
    expect(b.msPerGiB).toBe(10);
    b.learn(sample([{ pid: 100, ms: 40.03, size: GiB }], 40.03)); // the plan was used up
    expect(b.msPerGiB).toBe(10);
  });
});
