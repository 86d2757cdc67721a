'use strict';
// Where one sample() spends its time: the addon reading stat alone, then stat plus one
// other file group, all in the same rounds. What a group adds over "stat only" is its
// cost; smaps_rollup is the one that grows with the memory a process maps (the kernel
// walks its page tables while holding its mmap lock).

const { measureRounds, ratio } = require('../lib/stats');

const NONE = { host: false, cgroup: false, statm: false, status: false, io: false, smaps: false, cmdline: false };
const GROUPS = [
  ['statm', 'statm'],
  ['status', 'status'],
  ['io', 'io'],
  ['smaps', 'smaps_rollup'],
  ['cmdline', 'cmdline (fresh Reader: no cache)'],
];

module.exports = {
  name: 'files',
  order: 15,
  title: 'cost of each file group in sample() (addon only)',
  async run(ctx) {
    const { addon, procRoot, opts, shouldStop } = ctx;
    const subs = [{ id: 'stat', label: 'stat only', run: () => reader.sample(NONE) }];
    const reader = new addon.Reader({ procRoot });
    for (const [key, label] of GROUPS) {
      const r = new addon.Reader({ procRoot });
      const o = { ...NONE, [key]: true };
      subs.push({
        id: key,
        label: `stat + ${label}`,
        baseline: 'stat',
        run: key === 'cmdline' ? () => new addon.Reader({ procRoot }).sample(o) : () => r.sample(o),
      });
    }
    const count = reader.sample(NONE).count;
    const m = await measureRounds(subs, { warmup: opts.warmup, reps: opts.reps, shouldStop });
    const base = m.stat.wall.median;
    const rows = subs.map((s) => ({
      id: s.id,
      group: 'one long-lived Reader per row, host and cgroup off',
      label: s.label,
      baseline: s.baseline || null,
      headline: false,
      wall: m[s.id].wall,
      cpu: m[s.id].cpu,
      ratioWall: s.baseline ? ratio(m[s.id].wall.median, base) : null,
      ratioCpu: s.baseline ? ratio(m[s.id].cpu.median, m.stat.cpu.median) : null,
      addedUsPerProcess: s.baseline ? ((m[s.id].wall.median - base) * 1000) / Math.max(1, count) : (base * 1000) / Math.max(1, count),
      samplesMs: m[s.id].samplesMs,
    }));
    const per = rows.map((r) => `${r.id} ${r.addedUsPerProcess.toFixed(1)}`).join(', ');
    return { processCount: count, rows, notes: [`µs per process (stat alone, then what each group adds): ${per}`] };
  },
};
