// How much of a tick goes to reading smaps_rollup, and how far down the ranked list
// (smaps_schedule.ts) that time reaches. Pure: the reader only reads the pids it is given,
// in order, starting no read that its expected cost would carry past the budget, and
// reports what each read cost; this class keeps the policy and learns from those costs.
//
// A read is expected to cost baseMs plus its resident size times a rate learned from
// earlier reads (initialMsPerGiB to start). A tick may spend its budget. Unspent budget is
// saved, up to creditTicks ticks' worth, for one thing only: a read that costs more than a
// whole tick's budget (a 4 GiB process: ~60 ms), which is read as the first of a tick once
// the savings cover it, or once they are full (the debt is then paid off by the ticks after
// it). So every tick stays within the budget except those single big reads, the average
// stays within it, and a process bigger than the budget is read now and then rather than never.
import { FLAG_SMAPS_READ, RawSample } from '../native';

const GiB = 1024 ** 3;

export interface SmapsBudgetOptions {
  /** The fixed part of every read's expected cost: one smaps_rollup read of a small process, ms. */
  baseMs: number;
  /** Expected ms per GiB of resident memory until reads have taught the rate. */
  initialMsPerGiB: number;
  /** Unspent budget is saved up to this many ticks' worth. */
  creditTicks: number;
  /** Reads of processes at least this big teach the rate (in smaller ones the fixed part dominates). */
  learnFromBytes: number;
  /** Weight of each new read in the learned rate (an exponential moving average). */
  learnWeight: number;
}

export const defaultSmapsBudget: SmapsBudgetOptions = {
  baseMs: 0.03,
  initialMsPerGiB: 10,
  creditTicks: 10,
  learnFromBytes: GiB / 8,
  learnWeight: 0.3,
};

/** A process to read, with its resident size now (what reading it costs). */
export interface SmapsSized {
  pid: number;
  sizeBytes: number;
}

/** What to ask the reader for in one tick: spread into Reader.sample()'s options. */
export interface SmapsTickPlan {
  /** The pids to read, in priority order: cut to as many as the tick's time could pay for at baseMs each. */
  smapsPids: Int32Array;
  /** The expected cost of each, ms. */
  smapsCostMs: Float64Array;
  /** The time this tick may spend on them, ms (≤ 0: none, while a debt is paid off). */
  smapsBudgetMs: number;
}

/** One smaps read as the reader reported it. */
export interface SmapsReadCost {
  /** What the read took, ms. */
  ms: number;
  /** Resident size of the process when it was read (statm), bytes; NaN when unknown. */
  sizeBytes: number;
  /** It gave a reading (not unreadable, not gone meanwhile). */
  ok: boolean;
}

export class SmapsBudget {
  private readonly opts: SmapsBudgetOptions;
  /** Unspent budget carried between ticks, ms; negative after a big read (a debt). */
  creditMs = 0;
  /** Learned cost of a read per GiB of resident memory, ms. */
  msPerGiB: number;
  /** The pids of the last plan, until learn() has taken the sample that followed it. */
  private planned: Int32Array | null = null;

  constructor(opts: Partial<SmapsBudgetOptions> = {}) {
    this.opts = { ...defaultSmapsBudget, ...opts };
    this.msPerGiB = this.opts.initialMsPerGiB;
  }

  /** What reading the smaps of a process of this resident size is expected to cost, ms. */
  expectedMs(sizeBytes: number): number {
    return this.opts.baseMs + (sizeBytes > 0 ? (this.msPerGiB * sizeBytes) / GiB : 0);
  }

  /**
   * This tick's reads: `order` is the ranked list (most useful first), `budgetMs` the time per tick.
   * Call once per tick, then learn() from the sample taken with the result.
   */
  plan(order: readonly SmapsSized[], budgetMs: number): SmapsTickPlan {
    const full = this.opts.creditTicks * budgetMs;
    this.creditMs = Math.min(this.creditMs + budgetMs, full);
    // A tick spends its budget, or less while a debt is paid off; the reader opens and holds
    // directories for no more reads than that time could pay for.
    let allowed = Math.min(budgetMs, this.creditMs);
    let n = allowed > 0 ? Math.min(order.length, Math.floor(allowed / this.opts.baseMs) + 1) : 0;
    // A first read that alone costs more than a tick's budget waits (and everything behind it:
    // the order is strict) until the savings cover it or are full; then it is read alone, and
    // the tick may spend what it is expected to cost. Later reads never get this, so a big one
    // must be first in line (smaps_schedule.ts).
    const first = order.length > 0 ? this.expectedMs(order[0].sizeBytes) : 0;
    if (first > budgetMs && (this.creditMs >= first || this.creditMs >= full)) {
      allowed = first;
      n = 1;
    }
    const pids = new Int32Array(n);
    const costs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      pids[i] = order[i].pid;
      costs[i] = this.expectedMs(order[i].sizeBytes);
    }
    this.planned = pids;
    return { smapsPids: pids, smapsCostMs: costs, smapsBudgetMs: allowed };
  }

  /** Learn from the sample taken with the last plan: what its reads cost, and the time they took. */
  learn(raw: Pick<RawSample, 'pid' | 'flags' | 'smapsReadMs' | 'statmResident' | 'pss' | 'stats'>): void {
    const planned = this.planned;
    if (!planned) return;
    this.planned = null;
    // Only reads big enough to teach the rate matter here, in the order they were made.
    const reads: { prio: number; cost: SmapsReadCost }[] = [];
    let spent = 0;
    for (let i = 0; i < raw.pid.length; i++) {
      if ((raw.flags[i] & FLAG_SMAPS_READ) === 0) continue;
      const ms = raw.smapsReadMs[i];
      if (ms >= 0) spent += ms;
      if (!(raw.statmResident[i] >= this.opts.learnFromBytes)) continue;
      reads.push({ prio: planned.indexOf(raw.pid[i]), cost: { ms, sizeBytes: raw.statmResident[i], ok: !Number.isNaN(raw.pss[i]) } });
    }
    reads.sort((a, b) => a.prio - b.prio);
    const phaseMs = raw.stats?.smapsMs;
    this.learnReads(
      reads.map((r) => r.cost),
      phaseMs !== undefined && phaseMs >= 0 ? phaseMs : spent,
    );
  }

  /** Learn the rate from reads (in the order made) and pay for `spentMs` of smaps reading. */
  learnReads(reads: readonly SmapsReadCost[], spentMs: number): void {
    const { baseMs, learnFromBytes, learnWeight } = this.opts;
    for (const r of reads) {
      if (!r.ok || !(r.sizeBytes >= learnFromBytes) || !(r.ms >= 0)) continue;
      const rate = Math.max(r.ms - baseMs, 0) / (r.sizeBytes / GiB);
      this.msPerGiB = (1 - learnWeight) * this.msPerGiB + learnWeight * rate;
    }
    this.creditMs -= spentMs;
  }
}
