// Wires the native reader to the model: one batched sample per tick.
import { createReader, Reader, SampleOptions } from './native';
import { ModelSnapshot, Sampler } from './model/sampler';
import type { Settings } from './config';

export class Monitor {
  readonly sampler: Sampler;
  private readonly reader: Reader;
  /** CPU time (ms) the last tick spent in the native sample call. */
  lastSampleMs = 0;

  /**
   * `historyPoints`: points of history kept per process (default: the Sampler's). A snapshot takes at most
   * two samples, so it keeps two: at 1,000 processes allocating 150-point rings costs ~10 ms.
   */
  constructor(
    settings: Pick<Settings, 'procRoot' | 'cgroupRoot' | 'threshold' | 'systemProcesses' | 'growthWindow'>,
    opts: { historyPoints?: number } = {},
  ) {
    this.reader = createReader({ procRoot: settings.procRoot, cgroupRoot: settings.cgroupRoot });
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
    return this.sampler.ingest(raw, mono, Date.now());
  }
}
