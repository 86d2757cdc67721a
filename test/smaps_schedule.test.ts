// The smaps budget: what is read first, what waits, and what the model shows in between.
import { planSmaps, SmapsCandidate, defaultSmapsSchedule } from '../lib/model/smaps_schedule';
import { Sampler } from '../lib/model/sampler';
import { FLAG_SMAPS_READ } from '../lib/native';
import { rawSample } from './helpers/raw';
import { createReader, RawSample, Reader } from '../lib/native';
import { SmapsBudget } from '../lib/model/smaps_budget';
import { Children, python3, sleep, waitForLine } from './helpers/children';
import { privateEnv } from './helpers/private_env';
import { mustRow } from './helpers/rows';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const cand = (pid: number, over: Partial<SmapsCandidate> = {}): SmapsCandidate => ({
  pid, key: `${pid}:1`, ageMs: 1000, denied: false, movedBytes: 0, sizeBytes: 10 * MiB, readLastTick: true, ran: true, ...over,
});

describe('planSmaps', () => {
  test('never read, big over-age, on screen (moved or over 5 s), over-age, moved; quiet ones not at all', () => {
    const order = planSmaps(
      [
        cand(1, { ageMs: 5000 }), // quiet, off screen, younger than 30 s: not read
        cand(2, { ageMs: 40_000 }),
        cand(3, { ageMs: null }),
        cand(4, { movedBytes: 10 * MiB }),
        cand(5, { movedBytes: 1 * MiB }),
        cand(6, { ageMs: 50_000 }),
        cand(7), // on screen but quiet and 1 s old: not read
        cand(8, { movedBytes: 1 * MiB }), // on screen and moved
        cand(9, { ageMs: 6000 }), // on screen, over 5 s
        cand(10, { ageMs: 31_000, sizeBytes: 2 * GiB, readLastTick: false }), // big and over-age: first in line
      ],
      new Set(['7:1', '8:1', '9:1']),
    );
    expect(order).toEqual([3, 10, 8, 9, 6, 2, 4, 5]);
  });

  test('a process waits in proportion to its size between reads; a big one is never read twice in a row', () => {
    const big = (over: Partial<SmapsCandidate>) => cand(9, { sizeBytes: 4 * GiB, ...over });
    expect(planSmaps([big({ ageMs: 60_000, readLastTick: true })], new Set(['9:1']))).toEqual([]);
    expect(planSmaps([big({ ageMs: 7_000, readLastTick: false, movedBytes: GiB })], new Set(['9:1']))).toEqual([]); // 4 GiB: 8 s
    expect(planSmaps([big({ ageMs: 9_000, readLastTick: false, movedBytes: GiB })], new Set())).toEqual([9]);
    expect(planSmaps([big({ ageMs: null })], new Set())).toEqual([9]); // its first reading is not delayed
    // 512 MiB: at least 1 s between reads, even on screen and moving.
    const mid = (ageMs: number) => cand(8, { sizeBytes: 512 * MiB, ageMs, movedBytes: 64 * MiB, readLastTick: false });
    expect(planSmaps([mid(900)], new Set(['8:1']))).toEqual([]);
    expect(planSmaps([mid(1100)], new Set(['8:1']))).toEqual([8]);
  });

  test('an on-screen process that has not run since its read waits for the maximum age unless its memory moved', () => {
    const hot = new Set(['9:1']);
    expect(planSmaps([cand(9, { ageMs: 6000, ran: false })], hot)).toEqual([]);
    expect(planSmaps([cand(9, { ageMs: 6000, ran: true })], hot)).toEqual([9]);
    expect(planSmaps([cand(9, { ageMs: 6000, ran: false, movedBytes: 1 * MiB })], hot)).toEqual([9]);
    expect(planSmaps([cand(9, { ageMs: defaultSmapsSchedule.maxAgeMs, ran: false })], hot)).toEqual([9]);
  });

  test('an unreadable process is retried only after the maximum age', () => {
    expect(planSmaps([cand(5, { denied: true, ageMs: 1000, readLastTick: false })], new Set(['5:1']))).toEqual([]);
    expect(planSmaps([cand(5, { denied: true, ageMs: defaultSmapsSchedule.maxAgeMs })], new Set())).toEqual([5]);
  });
});

describe('between smaps reads', () => {
  test('USS and PSS follow RssAnon/RssShmem, are marked estimated, and carry their age', () => {
    const s = new Sampler();
    const p = { pid: 10, startTime: 1, privateClean: 1 * MiB, privateDirty: 99 * MiB, pss: 120 * MiB, rss: 150 * MiB, rssAnon: 100 * MiB, rssShmem: 20 * MiB, statmResident: 150 * MiB };
    const a = s.ingest(rawSample([p]), 0, 1_000_000).processes[0];
    expect(a).toMatchObject({ ussBytes: 100 * MiB, pssBytes: 120 * MiB, memoryEstimated: false, memoryAgeMs: 0 });
    // Not read this time: anon grew by 50 MiB, shmem by 10 MiB.
    const raw = rawSample([{ ...p, privateClean: NaN, privateDirty: NaN, pss: NaN, rss: NaN, rssAnon: 150 * MiB, rssShmem: 30 * MiB, statmResident: 210 * MiB }]);
    raw.flags[0] &= ~FLAG_SMAPS_READ;
    const b = s.ingest(raw, 1000, 1_001_000).processes[0];
    expect(b).toMatchObject({ ussBytes: 150 * MiB, pssBytes: 180 * MiB, rssBytes: 210 * MiB, memoryEstimated: true, memoryAgeMs: 1000 });
    expect(s.smapsCandidates(1_001_000)[0]).toMatchObject({ pid: 10, ageMs: 1000, movedBytes: 60 * MiB, readLastTick: false });
  });

  test('ran: whether utime + stime moved since the smaps read, from the real /proc of a sleeper and a busy loop', async () => {
    const pe = privateEnv();
    const kids = new Children(pe.env);
    try {
      const idle = kids.spawn('sleep', ['60']);
      const busy = kids.spawn(python3(), ['-c', "import sys\nprint('ready', flush=True)\nwhile True: pass"]);
      await waitForLine(busy, /^ready$/);
      const reader = createReader();
      const s = new Sampler();
      const pids = [idle.pid!, busy.pid!];
      s.ingest(reader.sample({ host: false, cgroup: false, smapsPids: pids }), 0, Date.now());
      const ranOf = (pid: number) => s.smapsCandidates(Date.now()).find((c) => c.pid === pid)!.ran;
      // Read just now: nothing has run since.
      expect([ranOf(idle.pid!), ranOf(busy.pid!)]).toEqual([false, false]);
      await sleep(300); // the loop runs for ~30 clock ticks meanwhile; sleep does not run at all
      s.ingest(reader.sample({ host: false, cgroup: false, smapsPids: [] }), 300, Date.now());
      expect([ranOf(idle.pid!), ranOf(busy.pid!)]).toEqual([false, true]);
    } finally {
      await kids.killAll();
      pe.dispose();
    }
  });

  test('a process never read has no USS yet, not 0', () => {
    const s = new Sampler();
    const raw = rawSample([{ pid: 11, startTime: 1, privateClean: NaN, privateDirty: NaN, rssAnon: 5 * MiB, statmResident: 8 * MiB }]);
    raw.flags[0] &= ~FLAG_SMAPS_READ;
    expect(s.ingest(raw, 0, 0).processes[0]).toMatchObject({ ussBytes: null, pssBytes: null, memoryAgeMs: null, memoryEstimated: false, rssBytes: 8 * MiB });
  });
});

describe('the addon honours the plan', () => {
  test('smaps is read only for the pids given, in order, and a spent budget starts none', () => {
    const reader = createReader();
    const all = reader.sample({ host: false, cgroup: false });
    const users = Array.from(all.pid).filter((_, i) => (all.flags[i] & 1) === 0 && all.state[i] !== 'Z'.charCodeAt(0));
    expect(users.length).toBeGreaterThan(3);
    const wanted = [process.pid, users.find((p) => p !== process.pid)!];
    const some = reader.sample({ host: false, cgroup: false, smapsPids: wanted });
    const read = Array.from(some.pid).filter((_, i) => (some.flags[i] & FLAG_SMAPS_READ) !== 0);
    expect(read.sort()).toEqual(wanted.slice().sort());
    expect(some.stats!.smapsRead).toBe(2);
    // A spent budget starts no read: stat/statm/status still come, smaps stays unknown.
    const none = reader.sample({ host: false, cgroup: false, smapsPids: users, smapsBudgetMs: 0 });
    expect(none.stats!.smapsRead).toBe(0);
    const mine = none.pid.indexOf(process.pid);
    expect(Number.isNaN(none.privateDirty[mine])).toBe(true);
    expect(none.statmResident[mine]).toBeGreaterThan(0);
  });

  test('a read whose expected cost would carry past the budget is not started, nor any after it; each read reports its cost', () => {
    const reader = createReader();
    const all = reader.sample({ host: false, cgroup: false, smaps: false });
    const other = Array.from(all.pid).find((p, i) => p !== process.pid && (all.flags[i] & 1) === 0 && all.state[i] !== 'Z'.charCodeAt(0))!;
    const opts = (costMs: number[], smapsBudgetMs: number) => ({ host: false, cgroup: false, smapsPids: [process.pid, other], smapsCostMs: costMs, smapsBudgetMs });
    const readOf = (s: RawSample, pid: number) => (s.flags[s.pid.indexOf(pid)] & FLAG_SMAPS_READ) !== 0;
    const cheap = reader.sample(opts([0, 0], 1000));
    expect([readOf(cheap, process.pid), readOf(cheap, other)]).toEqual([true, true]);
    const second = reader.sample(opts([0, 2000], 1000)); // the second would overrun: not started
    expect([readOf(second, process.pid), readOf(second, other)]).toEqual([true, false]);
    expect(second.stats!.smapsSkipped).toBe(1);
    const first = reader.sample(opts([2000, 0], 1000)); // strict order: the first does not fit, so none is read
    expect([readOf(first, process.pid), readOf(first, other)]).toEqual([false, false]);
    // What the read cost: a time for the one read, NaN (unknown) for every process not read.
    const i = second.pid.indexOf(process.pid);
    expect(second.smapsReadMs[i]).toBeGreaterThan(0);
    expect(second.smapsReadMs[i]).toBeLessThanOrEqual(second.stats!.smapsMs);
    expect(Array.from(second.smapsReadMs).filter((ms) => !Number.isNaN(ms))).toHaveLength(1);
  });

  test('reads stay within each tick\'s budget; one bigger than the budget waits for saved-up budget and goes first', async () => {
    // A child with 512 MiB touched: before any reading teaches the budget otherwise, it
    // reckons 10 ms per GiB, so this read is expected to cost ~5 ms, far over a 1 ms budget.
    // Each tick runs as lib/monitor.ts runs it: the SmapsBudget plans, the reader reads, the budget learns.
    const pe = privateEnv();
    const kids = new Children(pe.env);
    try {
      const big = kids.spawn(python3(), ['-c', "import sys; b = bytearray(b'\\x01') * (512 << 20); print('ready', flush=True); sys.stdin.readline()"]);
      const small = kids.spawn('sleep', ['60']);
      await waitForLine(big, /^ready$/);
      await sleep(50);
      const readOf = (s: RawSample, pid: number) => (s.flags[s.pid.indexOf(pid)] & FLAG_SMAPS_READ) !== 0;
      // Their sizes as the Sampler's candidates carry them: the resident size of a sample before.
      const sizes = createReader().sample({ host: false, cgroup: false, smaps: false });
      const sized = (order: number[]) => order.map((pid) => ({ pid, sizeBytes: sizes.statmResident[sizes.pid.indexOf(pid)] }));
      const tick = (reader: Reader, budget: SmapsBudget, order: number[], ms: number) => {
        const s = reader.sample({ host: false, cgroup: false, smaps: true, ...budget.plan(sized(order), ms) });
        budget.learn(s);
        return s;
      };
      // The small one first: it is read; the big one would overrun this tick's budget and waits.
      const a = tick(createReader(), new SmapsBudget(), [small.pid!, big.pid!], 1);
      expect([readOf(a, small.pid!), readOf(a, big.pid!)]).toEqual([true, false]);
      expect(a.stats!.smapsSkipped).toBe(1);
      // The big one first: strictly in order, nothing is read until ~5 ticks of 1 ms have been
      // saved for it; then it is read, first in its tick.
      const reader = createReader();
      const budget = new SmapsBudget();
      const seen: boolean[][] = [];
      let b: RawSample | null = null;
      for (let i = 0; i < 12 && !b; i++) {
        const s = tick(reader, budget, [big.pid!, small.pid!], 1);
        seen.push([readOf(s, big.pid!), readOf(s, small.pid!)]);
        if (readOf(s, big.pid!)) b = s;
      }
      expect(b).not.toBeNull();
      expect(seen.length).toBeGreaterThanOrEqual(4); // it waited
      for (const [bigRead, smallRead] of seen.slice(0, -1)) expect([bigRead, smallRead]).toEqual([false, false]);
      // A read bigger than all the saved budget can hold (10 ticks' worth) is read when the savings are full.
      const tiny = createReader();
      const tinyBudget = new SmapsBudget();
      let n = 0;
      while (n < 15 && !readOf(tick(tiny, tinyBudget, [big.pid!], 0.1), big.pid!)) n++;
      expect(n).toBeGreaterThanOrEqual(9);
      expect(n).toBeLessThan(15);
      const mem = mustRow(b!, big.pid!);
      expect((mem.privateDirty as number) + (mem.privateClean as number)).toBeGreaterThan(500 * MiB);
    } finally {
      await kids.killAll();
      pe.dispose();
    }
  });
});
