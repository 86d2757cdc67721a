// lib/model with plain objects: growth, the time series, the Sampler, sessions and system processes.
import { growthOf, GrowthOptions } from '../lib/model/growth';
import { Sampler } from '../lib/model/sampler';
import { TimeSeries } from '../lib/model/series';
import { podProvider, sessionOf } from '../lib/model/sessions';
import { buildTree } from '../lib/model/tree';
import { sessionTotals } from '../lib/fields/session_fields';
import { defaultSystemProcesses, isSystemProcess } from '../lib/model/system_process';
import { processStat, rawCgroup, rawHost, rawSample } from './helpers/raw';

const MiB = 1024 * 1024;

function series(points: [number, number][], capacity = 100): TimeSeries {
  const s = new TimeSeries(capacity);
  for (const [t, v] of points) s.push(t, v);
  return s;
}

describe('TimeSeries', () => {
  test('keeps the newest points up to its capacity, oldest first', () => {
    const s = series([[1, 10], [2, 20], [3, 30], [4, 40]], 3);
    expect(s.length).toBe(3);
    expect(s.valuesArray()).toEqual([20, 30, 40]);
    const times: number[] = [];
    s.forEach((t) => times.push(t));
    expect(times).toEqual([2, 3, 4]);
    expect(s.last()).toBe(40);
  });

  test('NaN is a gap: kept, and last() of a gap is null', () => {
    const s = series([[1, 5], [2, NaN]]);
    expect(s.length).toBe(2);
    expect(s.last()).toBeNull();
    expect(new TimeSeries(4).last()).toBeNull();
  });
});

describe('growthOf: least-squares slope of USS', () => {
  const opts: GrowthOptions = { windowMs: 60_000, minPoints: 5, minSpanMs: 15_000 };

  test('an exact line: its slope per minute, r² = 1', () => {
    // 600 bytes per second = 36000 per minute, a point every 5 s.
    const pts: [number, number][] = [];
    for (let t = 0; t <= 30_000; t += 5_000) pts.push([t, 1000 + 0.6 * t]);
    const g = growthOf(series(pts), 30_000, opts)!;
    expect(g.perMinute).toBeCloseTo(36_000, 6);
    expect(g.r2).toBeCloseTo(1, 9);
  });

  test('scattered points: the least-squares slope, not first-to-last', () => {
    // x = 0, .25, .5, .75, 1 minute; y = 0, 2, 1, 3, 4 -> slope 3.6 per minute, r² 0.81.
    const g = growthOf(series([[0, 0], [15_000, 2], [30_000, 1], [45_000, 3], [60_000, 4]]), 60_000, opts)!;
    expect(g.perMinute).toBeCloseTo(3.6, 9);
    expect(g.r2).toBeCloseTo(0.81, 9);
  });

  test('null until the window holds enough points over enough time', () => {
    const four = series([[0, 0], [10_000, 1], [20_000, 2], [30_000, 3]]);
    expect(growthOf(four, 30_000, opts)).toBeNull();
    four.push(40_000, 4);
    expect(growthOf(four, 40_000, opts)).not.toBeNull();
    // Five points within 4 s: span below minSpanMs.
    const quick = series([[0, 0], [1000, 1], [2000, 2], [3000, 3], [4000, 4]]);
    expect(growthOf(quick, 4000, opts)).toBeNull();
    expect(growthOf(new TimeSeries(10), 0, opts)).toBeNull();
  });

  test('points older than the window and gaps are left out', () => {
    // A steep climb long ago, then flat within the last minute.
    const s = series([[0, 0], [10_000, 500 * MiB], [100_000, 1000], [110_000, NaN], [120_000, 1000], [130_000, 1000], [140_000, 1000], [150_000, 1000]]);
    const g = growthOf(s, 150_000, opts)!;
    expect(g.perMinute).toBe(0);
    // Only NaN in the window: null.
    expect(growthOf(series([[0, NaN], [20_000, NaN], [40_000, NaN], [50_000, NaN], [60_000, NaN]]), 60_000, opts)).toBeNull();
  });

  test('shrinking memory gives a negative slope', () => {
    const pts: [number, number][] = [];
    for (let t = 0; t <= 40_000; t += 10_000) pts.push([t, 10 * MiB - (t / 1000) * 1024]);
    expect(growthOf(series(pts), 40_000, opts)!.perMinute).toBeCloseTo(-60 * 1024, 6);
  });
});

describe('growthOf against the plain sums over every point', () => {
  // What growthOf computed before it skipped anything: both sums over every point of the series.
  function reference(series: TimeSeries, nowMs: number, opts: GrowthOptions): { perMinute: number; r2: number } | null {
    const since = nowMs - opts.windowMs;
    const pts: [number, number][] = [];
    for (let k = 0; k < series.length; k++) {
      const t = series.timeAt(k);
      const v = series.valueAt(k);
      if (t >= since && !Number.isNaN(v)) pts.push([(t - since) / 60_000, v]);
    }
    const times = pts.map(([x]) => since + x * 60_000);
    if (pts.length < opts.minPoints || Math.max(...times) - Math.min(...times) < opts.minSpanMs) return null;
    let sx = 0;
    let sy = 0;
    for (const [x, y] of pts) {
      sx += x;
      sy += y;
    }
    const mx = sx / pts.length;
    const my = sy / pts.length;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (const [x, y] of pts) {
      sxx += (x - mx) * (x - mx);
      sxy += (x - mx) * (y - my);
      syy += (y - my) * (y - my);
    }
    if (sxx === 0) return null;
    const slope = sxy / sxx;
    return { perMinute: slope, r2: syy === 0 ? (slope === 0 ? 0 : 1) : (sxy * sxy) / (sxx * syy) };
  }

  test('the same answer, to the bit, for steady runs, changes, gaps, fractions and a clock set back', () => {
    // A seeded generator (mulberry32): the same series every run.
    let seed = 0x5eed;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const opts: GrowthOptions = { windowMs: 60_000, minPoints: 5, minSpanMs: 15_000 };
    // One point is enough and no span is needed: only points all at one time give no slope.
    const loose: GrowthOptions = { windowMs: 20_000, minPoints: 1, minSpanMs: 0 };
    // A window of two or three points: too few points as often as enough.
    const short: GrowthOptions = { windowMs: 3_000, minPoints: 3, minSpanMs: 500 };
    let flat = 0;
    let sloped = 0;
    let backwards = 0;
    for (const precision of ['single', 'double'] as const) {
      for (let round = 0; round < 40; round++) {
        const s = new TimeSeries(10 + Math.floor(rand() * 140), precision);
        let t = 1_700_000_000_000;
        let v = Math.floor(rand() * 4e9);
        for (let step = 0; step < 400; step++) {
          const r = rand();
          t += r < 0.01 ? -Math.floor(rand() * 120_000) : r < 0.03 ? 0 : r < 0.05 ? 5_000 + Math.floor(rand() * 15_000) : 250 + Math.floor(rand() * 2_000);
          if (r < 0.01) backwards++;
          const c = rand();
          if (c < 0.006) v = Math.floor(rand() * 4e9);
          else if (c < 0.012) v += 4096;
          else if (c < 0.015) v += 0.5;
          s.push(t, c > 0.995 ? NaN : v);
          const now = t + Math.floor(rand() * 3_000);
          for (const o of [opts, loose, short]) {
            const want = reference(s, now, o);
            const got = growthOf(s, now, o);
            expect(got === null ? null : { perMinute: got.perMinute, r2: got.r2 }).toEqual(want);
            if (want !== null && want.perMinute === 0 && want.r2 === 0) flat++;
            else if (want !== null) sloped++;
          }
        }
      }
    }
    // Every kind of answer came up, the steady one most.
    expect({ flatMany: flat > 5_000, slopedSome: sloped > 1_000, backwardsSome: backwards > 100 }).toEqual({ flatMany: true, slopedSome: true, backwardsSome: true });
  });

  test("TimeSeries' order, steady run and first point at or after a time, against a walk", () => {
    const s = new TimeSeries(8, 'single');
    const pts: [number, number][] = [[0, 5], [10, 5], [20, 5], [5, 5], [30, 7], [40, 7], [50, NaN], [60, 9], [70, 9], [80, 9], [90, 9], [100, 9], [110, 9], [120, 9], [130, 9]];
    for (const [t, v] of pts) {
      s.push(t, v);
      const times = Array.from({ length: s.length }, (_, k) => s.timeAt(k));
      const values = Array.from({ length: s.length }, (_, k) => s.valueAt(k));
      expect(s.inTimeOrder).toBe(times.every((x, k) => k === 0 || x >= times[k - 1]));
      let run = 0;
      for (let k = values.length - 1; k >= 0 && !Number.isNaN(values[k]) && values[k] === values[values.length - 1]; k--) run++;
      expect(s.steadyCount).toBe(run);
      if (s.inTimeOrder) for (const at of [-1, 0, 25, 60, 61, 130, 131]) expect(s.firstAtOrAfter(at)).toBe(((i) => (i < 0 ? times.length : i))(times.findIndex((x) => x >= at)));
    }
  });
});

describe('Sampler', () => {
  test('the first sample has no rates; the second gives CPU % as a share of one core', () => {
    const s = new Sampler();
    const a = s.ingest(rawSample([{ pid: 10, utime: 100, stime: 50, readBytes: 0, writeBytes: 0 }]), 0, 1_000_000);
    expect(a.intervalMs).toBeNull();
    expect(a.processes[0].cpuPercent).toBeNull();
    expect(a.processes[0].readBytesPerSec).toBeNull();
    // +30 utime +20 stime ticks at 100 Hz over 1 s = 0.5 s of CPU = 50 %.
    const b = s.ingest(rawSample([{ pid: 10, utime: 130, stime: 70, readBytes: 4096, writeBytes: 3 * MiB }]), 1000, 1_001_000);
    expect(b.intervalMs).toBe(1000);
    expect(b.processes[0].cpuPercent).toBeCloseTo(50, 9);
    expect(b.processes[0].readBytesPerSec).toBeCloseTo(4096, 9);
    expect(b.processes[0].writeBytesPerSec).toBeCloseTo(3 * MiB, 9);
  });

  test('CPU % uses the host clock tick rate and the monotonic interval; 200 % for two busy cores', () => {
    const s = new Sampler();
    const host = rawHost({ clockTicks: 250 });
    s.ingest(rawSample([{ pid: 10, utime: 0 }], host), 5000, 0);
    // 1000 ticks at 250 Hz = 4 s of CPU over 2 s of wall time.
    const b = s.ingest(rawSample([{ pid: 10, utime: 1000 }], host), 7000, 99_999_999);
    expect(b.processes[0].cpuPercent).toBeCloseTo(200, 9);
  });

  test('cumulative counters from the first sample: CPU seconds by mode at the host tick rate, io bytes; unknown io is null', () => {
    const s = new Sampler();
    const a = s.ingest(rawSample([{ pid: 10, utime: 500, stime: 125, readBytes: 8192, writeBytes: 0 }, { pid: 11, readBytes: NaN, writeBytes: NaN }], rawHost({ clockTicks: 250 })), 0, 0);
    expect(a.processes[0]).toMatchObject({ cpuUserSeconds: 2, cpuSystemSeconds: 0.5, readBytesTotal: 8192, writeBytesTotal: 0, cpuPercent: null });
    expect(a.processes[1]).toMatchObject({ readBytesTotal: null, writeBytesTotal: null });
    const b = s.ingest(rawSample([{ pid: 10, utime: 750, stime: 125, readBytes: 8192, writeBytes: 4096 }], rawHost({ clockTicks: 250 }), rawCgroup({ cpuUsageUsec: 2_500_000 })), 1000, 1000);
    expect(b.processes[0]).toMatchObject({ cpuUserSeconds: 3, cpuSystemSeconds: 0.5, writeBytesTotal: 4096 });
    expect(b.cgroup.cpu.usageSeconds).toBe(2.5);
  });

  test('rates are null when a counter is unknown or goes backwards', () => {
    const s = new Sampler();
    s.ingest(rawSample([{ pid: 1, readBytes: 100 }, { pid: 2, readBytes: NaN, writeBytes: 10 }, { pid: 3, readBytes: 500 }]), 0, 0);
    const b = s.ingest(rawSample([{ pid: 1, readBytes: NaN }, { pid: 2, readBytes: 50, writeBytes: 10 }, { pid: 3, readBytes: 400 }]), 1000, 1000);
    const by = new Map(b.processes.map((p) => [p.pid, p]));
    expect(by.get(1)!.readBytesPerSec).toBeNull();
    expect(by.get(2)!.readBytesPerSec).toBeNull();
    expect(by.get(2)!.writeBytesPerSec).toBe(0);
    expect(by.get(3)!.readBytesPerSec).toBeNull();
  });

  test('a reused pid is a new process: new key, no rate against the old one, the old one exited', () => {
    const s = new Sampler();
    const a = s.ingest(rawSample([{ pid: 42, startTime: 1000, utime: 5000 }]), 0, 0);
    const b = s.ingest(rawSample([{ pid: 42, startTime: 9000, utime: 10 }]), 1000, 1000);
    expect(a.processes[0].key).not.toBe(b.processes[0].key);
    expect(b.processes[0].key).toBe('42:9000');
    expect(b.processes[0].cpuPercent).toBeNull();
    expect(b.exited.map((p) => p.key)).toEqual(['42:1000']);
    const c = s.ingest(rawSample([{ pid: 42, startTime: 9000, utime: 60 }]), 2000, 2000);
    expect(c.processes[0].cpuPercent).toBeCloseTo(50, 9);
    expect(c.exited).toEqual([]);
  });

  test('exited lists what was in the previous sample and is gone, once', () => {
    const s = new Sampler();
    s.ingest(rawSample([{ pid: 1 }, { pid: 2, name: 'leaver' }, { pid: 3 }]), 0, 0);
    const b = s.ingest(rawSample([{ pid: 1 }, { pid: 3 }]), 1000, 1000);
    expect(b.exited.map((p) => [p.pid, p.name])).toEqual([[2, 'leaver']]);
    expect(s.history('2:1000')).toBeUndefined();
    expect(s.ingest(rawSample([{ pid: 1 }, { pid: 3 }]), 2000, 2000).exited).toEqual([]);
  });

  test('memory: USS = private clean + dirty; RSS from smaps, else statm; unknown stays null', () => {
    const s = new Sampler();
    const snap = s.ingest(
      rawSample([
        { pid: 1, privateClean: 1 * MiB, privateDirty: 2 * MiB, pss: 4 * MiB, rss: 8 * MiB, statmResident: 9 * MiB, swap: 5, vmSwap: 7 },
        { pid: 2, privateClean: 1 * MiB, privateDirty: NaN, statmResident: 9 * MiB, vmSwap: 7 },
        { pid: 3, kernelThread: true, cmdline: '' },
        { pid: 4, privateClean: 0, privateDirty: 4096, rss: 4096, pss: 4096, smapsFallback: true },
      ]),
      0,
      0,
    );
    const [a, b, k, old] = snap.processes;
    expect([a.ussBytes, a.pssBytes, a.rssBytes, a.swapBytes, a.memorySource]).toEqual([3 * MiB, 4 * MiB, 8 * MiB, 5, 'smaps_rollup']);
    expect([b.ussBytes, b.pssBytes, b.rssBytes, b.swapBytes, b.memorySource]).toEqual([null, null, 9 * MiB, 7, null]);
    expect([k.ussBytes, k.rssBytes, k.kernelThread, k.cmdline]).toEqual([null, null, true, null]);
    expect([old.ussBytes, old.memorySource]).toEqual([4096, 'smaps']);
  });

  test('start time in ms since the epoch from boot time and clock ticks; unknown boot time gives null', () => {
    const s = new Sampler();
    const snap = s.ingest(rawSample([{ pid: 1, startTime: 250 }], rawHost({ bootTime: 1_700_000_000, clockTicks: 100 })), 0, 0);
    expect(snap.processes[0].startTime).toBe(1_700_000_002_500);
    const t = new Sampler().ingest(rawSample([{ pid: 1, startTime: 250 }], rawHost({ bootTime: NaN })), 0, 0);
    expect(t.processes[0].startTime).toBeNull();
  });

  test('system processes: by name, by program, sh; the list (sh included) is configurable', () => {
    const procs = [
      { pid: 1, name: 'envoy', cmdline: '/usr/local/bin/envoy -c x' },
      { pid: 2, name: 'python3', cmdline: 'python3 /opt/timeout.py' },
      { pid: 3, name: 'sh', cmdline: 'sh -c true' },
      { pid: 4, name: 'vim', cmdline: 'vim notes' },
    ];
    const def = new Sampler().ingest(rawSample(procs), 0, 0).processes.map((p) => p.system);
    expect(def).toEqual([true, true, true, false]);
    const custom = new Sampler({ systemProcesses: ['vim'] }).ingest(rawSample(procs), 0, 0).processes.map((p) => p.system);
    // sh is on the default list, not hard-wired: a list without it leaves sh alone.
    expect(custom).toEqual([false, false, false, true]);
  });

  test('growth comes from USS history once the window holds enough points', () => {
    const s = new Sampler({ growth: { windowMs: 60_000, minPoints: 5, minSpanMs: 15_000 } });
    let g: number | null = null;
    const seen: (number | null)[] = [];
    for (let i = 0; i <= 6; i++) {
      // +1 MiB every 5 s = 12 MiB per minute.
      const snap = s.ingest(rawSample([{ pid: 7, privateClean: 0, privateDirty: 100 * MiB + i * MiB }]), i * 5000, i * 5000);
      g = snap.processes[0].growthBytesPerMin;
      seen.push(g);
    }
    expect(seen.slice(0, 4)).toEqual([null, null, null, null]);
    expect(g).toBeCloseTo(12 * MiB, 3);
    expect(s.history('7:1000')!.uss.length).toBe(7);
  });

  test('history is bounded', () => {
    const s = new Sampler({ historyPoints: 3 });
    for (let i = 0; i < 10; i++) s.ingest(rawSample([{ pid: 1, privateClean: i, privateDirty: 0 }]), i * 1000, i * 1000);
    expect(s.history('1:1000')!.uss.valuesArray()).toEqual([7, 8, 9]);
  });

  test('host CPU % over all cores from /proc/stat deltas', () => {
    const s = new Sampler();
    s.ingest(rawSample([], rawHost({ cpuUser: 1000, cpuSystem: 0, cpuIdle: 1000 })), 0, 0);
    const b = s.ingest(rawSample([], rawHost({ cpuUser: 1300, cpuSystem: 100, cpuIdle: 1600 })), 1000, 1000);
    expect(b.host.cpuPercent).toBeCloseTo(40, 9);
    expect(b.host.memTotalBytes).toBe(8 * 1024 * MiB);
  });

  test('cgroup: working set, threshold, and CPU usage against the quota (else all cores)', () => {
    const quota = new Sampler({ thresholdPercent: 70 });
    quota.ingest(rawSample([], rawHost(), rawCgroup({ cpuUsageUsec: 1_000_000, cpuQuotaCores: 0.5 })), 0, 0);
    const q = quota.ingest(
      rawSample([], rawHost(), rawCgroup({ cpuUsageUsec: 1_250_000, cpuQuotaCores: 0.5, memCurrent: 100, inactiveFile: 30, memLimit: 1000 })),
      1000,
      1000,
    );
    expect(q.cgroup.cpu.usageCores).toBeCloseTo(0.25, 9);
    expect(q.cgroup.cpu.usagePercent).toBeCloseTo(50, 9);
    expect(q.cgroup.memory).toMatchObject({ currentBytes: 100, workingSetBytes: 70, limitBytes: 1000, thresholdPercent: 70 });

    const noQuota = new Sampler();
    noQuota.ingest(rawSample([], rawHost({ cpuCount: 4 }), rawCgroup({ cpuUsageUsec: 0 })), 0, 0);
    const n = noQuota.ingest(rawSample([], rawHost({ cpuCount: 4 }), rawCgroup({ cpuUsageUsec: 2_000_000 })), 1000, 1000);
    expect(n.cgroup.cpu.quotaCores).toBeNull();
    expect(n.cgroup.cpu.usagePercent).toBeCloseTo(50, 9); // 2 cores of 4
  });

  test('working set is unknown when inactive file is (no memory.stat), not current minus 0', () => {
    const snap = new Sampler().ingest(rawSample([], rawHost(), rawCgroup({ memCurrent: 100, inactiveFile: NaN })), 0, 0);
    expect(snap.cgroup.memory.currentBytes).toBe(100);
    expect(snap.cgroup.memory.workingSetBytes).toBeNull();
  });

  test('no cgroup (version 0): every cgroup number is null, the threshold stays', () => {
    const snap = new Sampler().ingest(rawSample([], rawHost(), rawCgroup({ version: 0, path: null, memCurrent: 5, memLimit: 6 })), 0, 0);
    expect(snap.cgroup.version).toBeNull();
    expect(snap.cgroup.path).toBeNull();
    expect(snap.cgroup.memory).toEqual({
      currentBytes: null, limitBytes: null, highBytes: null, workingSetBytes: null, anonBytes: null, fileBytes: null,
      shmemBytes: null, inactiveFileBytes: null, thresholdPercent: 80, oomKills: null,
    });
    expect(snap.cgroup.cpu).toEqual({ quotaCores: null, usagePercent: null, usageCores: null, usageSeconds: null });
  });
});

describe('sessions', () => {
  test('sums USS, PSS, RSS and CPU; null only when no member knows the value', () => {
    const s = sessionOf('tree:5:100', 'tree', 'build', [
      processStat({ pid: 9, ussBytes: 10, pssBytes: 20, rssBytes: 30, cpuPercent: 1.5 }),
      processStat({ pid: 5, ussBytes: null, pssBytes: 5, rssBytes: 30, cpuPercent: null }),
    ]);
    expect({ ...s, ...sessionTotals(s) }).toMatchObject({ id: 'tree:5:100', kind: 'tree', name: 'build', pids: [5, 9], ussBytes: 10, pssBytes: 25, rssBytes: 60, cpuPercent: 1.5, agent: null });
    expect(sessionTotals(sessionOf('pod', 'pod', 'x', [processStat({ pid: 1 })])).ussBytes).toBeNull();
  });

  test('the pod session holds every process and is named for the cgroup', () => {
    const snap = new Sampler().ingest(rawSample([{ pid: 3 }, { pid: 1 }], rawHost(), rawCgroup({ path: '/kubepods/pod1' })), 0, 0);
    const [pod] = podProvider.sessions({ snap, tree: () => buildTree(snap.processes) });
    expect([pod.id, pod.kind, pod.name, pod.pids]).toEqual(['pod', 'pod', '/kubepods/pod1', [1, 3]]);
  });
});

describe('isSystemProcess', () => {
  test('name equal, cmdline containing, or named sh', () => {
    expect(isSystemProcess('ttyd', null, defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('node', 'node /usr/lib/code-server/out/node/entry', defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('sh', null, defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('bash', 'bash -l', defaultSystemProcesses)).toBe(false);
    expect(isSystemProcess('envoyx', null, ['envoy'])).toBe(false);
    expect(isSystemProcess('x', 'anything', [''])).toBe(false);
  });

  test('the program is matched, not any word of the cmdline', () => {
    // An argument named like a system process, a log file, inline code: not the program.
    expect(isSystemProcess('python3', "python3 -c import time; time.sleep(9) jupyter-lab", defaultSystemProcesses)).toBe(false);
    expect(isSystemProcess('tail', 'tail -f /var/log/tail-jupyter-lab.log', defaultSystemProcesses)).toBe(false);
    expect(isSystemProcess('node', 'node server.js --proxy envoy', defaultSystemProcesses)).toBe(false);
    // The program: comm, argv[0], an interpreter's script (after its options), python -m's module.
    expect(isSystemProcess('jupyter-lab', '/usr/bin/python3 /usr/local/bin/jupyter-lab --port 8888', defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('python3', '/usr/bin/python3 -u /usr/local/bin/jupyter-lab --port 8888', defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('python3', 'python3 -m listener.py', defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('pilot-agent', null, defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('bash', 'bash', ['bash'])).toBe(true);
    // Runs of spaces (an empty argument) are no words; a long cmdline is looked at only in its first words.
    expect(isSystemProcess('node', '  node   --inspect   /usr/lib/code-server/out/node/entry  ', defaultSystemProcesses)).toBe(true);
    expect(isSystemProcess('node', `node ${'--flag '.repeat(20000)}/usr/lib/code-server/entry`, defaultSystemProcesses)).toBe(false);
    expect(isSystemProcess('node', `node --inspect /opt/ttyd/run.js ${'y '.repeat(20000)}`, defaultSystemProcesses)).toBe(true);
    // The list may change between calls (a config reload makes a new one).
    const list = ['vim'];
    expect(isSystemProcess('vim', null, list)).toBe(true);
    expect(isSystemProcess('vim', null, ['nano'])).toBe(false);
  });
});
