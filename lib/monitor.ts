// Wires the native reader to the model: one batched sample per tick.
import { createReader, Reader, SampleOptions } from './native';
import { ModelSnapshot, Sampler } from './model/sampler';
import { SmapsBudget } from './model/smaps_budget';
import type { Settings } from './config';

export class Monitor {
  readonly sampler: Sampler;
  /** The smaps reading time per tick: plan() before a tick, and the tick teaches it what the reads cost. */
  readonly smapsBudget = new SmapsBudget();
  private readonly reader: Reader;
  /** CPU time (ms) the last tick spent in the native sample call. */
  lastSampleMs = 0;

  /**
   * `historyPoints`: points of history kept per process (default: the Sampler's). A snapshot takes at most
   * two samples, so it keeps two: at 1,000 processes allocating 150-point rings costs ~10 ms.
   * `maxHeldFds`: file fds the Reader may keep open across samples (default: the Reader's). A snapshot
   * gives 0: its second sample would open ~4 per process to keep for a third that never comes.
   */
  constructor(
    settings: Pick<Settings, 'procRoot' | 'cgroupRoot' | 'threshold' | 'systemProcesses' | 'growthWindow'>,
    opts: { historyPoints?: number; maxHeldFds?: number } = {},
  ) {
    this.reader = createReader({
      procRoot: settings.procRoot,
      cgroupRoot: settings.cgroupRoot,
      ...(opts.maxHeldFds === undefined ? {} : { maxHeldFds: opts.maxHeldFds }),
    });
    this.sampler = new Sampler({
      thresholdPercent: settings.threshold,
      systemProcesses: settings.systemProcesses,
      growth: { windowMs: settings.growthWindow * 1000, minSpanMs: (settings.growthWindow * 1000) / 4 },
      historyPoints: opts.historyPoints,
    });
  }

  /** cwd and open files of some processes, without a full sample (for a one-sample snapshot). */
  inspect(pids: number[]) {
    if (pids.length === 0) return [];
    return this.reader.sample({ processes: false, host: false, cgroup: false, inspectPids: pids }).inspect ?? [];
  }

  tick(options?: SampleOptions): ModelSnapshot {
    const t0 = performance.now();
    const raw = this.reader.sample(options);
    const mono = performance.now();
    this.lastSampleMs = mono - t0;
    this.smapsBudget.learn(raw);
    return this.sampler.ingest(raw, mono, Date.now());
  }
}
