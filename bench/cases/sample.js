'use strict';
// One sample() over every process against plain Node fs reading and parsing the same
// files (bench/lib/node_reader.js), all subjects measured in the same rounds.
//
//   all six files, every time:  a fresh Reader per call (its cmdline cache empty), so
//                               it reads stat, statm, status, io, smaps_rollup and cmdline
//                               for every pid, against Node doing the same.
//   per tick:                   one long-lived Reader (cmdline cached per (pid, start
//                               time), as the dashboard runs it) against Node with the
//                               same cache.

const { createNodeReader } = require('../lib/node_reader');
const { measureRounds, ratio } = require('../lib/stats');

const PROCS_ONLY = { host: false, cgroup: false };

function subjects(addon, procRoot, page) {
  const tickReader = new addon.Reader({ procRoot });
  const noSmapsReader = new addon.Reader({ procRoot });
  // The same, holding no fds across calls: every file opened each time (issue 6, held fds).
  const noSmapsOpenReader = new addon.Reader({ procRoot, maxHeldFds: 0 });
  const fullReader = new addon.Reader({ procRoot });
  const nodeFresh = createNodeReader({ procRoot, mode: 'readFileSync', page });
  const nodeReused = createNodeReader({ procRoot, mode: 'reusedBuffer', page });
  const nodeCached = createNodeReader({ procRoot, mode: 'readFileSync', cacheCmdline: true, page });
  return [
    {
      id: 'node-readFileSync',
      group: 'all six files, every call',
      label: 'Node fs.readFileSync + parse',
      run: () => nodeFresh.sample(),
    },
    {
      id: 'node-reusedBuffer',
      group: 'all six files, every call',
      label: 'Node openSync/readSync, reused Buffer',
      baseline: 'node-readFileSync',
      run: () => nodeReused.sample(),
    },
    {
      id: 'addon-cold',
      group: 'all six files, every call',
      label: 'new Reader().sample() (no host/cgroup)',
      baseline: 'node-readFileSync',
      headline: true,
      run: () => new addon.Reader({ procRoot }).sample(PROCS_ONLY),
    },
    {
      id: 'node-readFileSync-cached',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'Node fs.readFileSync + parse, cmdline cache',
      run: () => nodeCached.sample(),
    },
    {
      id: 'addon-tick',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'reader.sample() (no host/cgroup)',
      baseline: 'node-readFileSync-cached',
      headline: true,
      run: () => tickReader.sample(PROCS_ONLY),
    },
    {
      id: 'addon-tick-full',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'reader.sample() defaults (+ host, cgroup)',
      baseline: 'node-readFileSync-cached',
      run: () => fullReader.sample(),
    },
    {
      id: 'addon-tick-no-smaps',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'reader.sample({smaps: false}) (no host/cgroup)',
      baseline: 'node-readFileSync-cached',
      run: () => noSmapsReader.sample({ ...PROCS_ONLY, smaps: false }),
    },
    {
      id: 'addon-tick-no-smaps-open',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'the same, opening every file each time (maxHeldFds: 0)',
      run: () => noSmapsOpenReader.sample({ ...PROCS_ONLY, smaps: false }),
    },
    {
      id: 'addon-tick-no-smaps-held',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'reader.sample({smaps: false}), fds held vs opened each time',
      baseline: 'addon-tick-no-smaps-open',
      run: () => noSmapsReader.sample({ ...PROCS_ONLY, smaps: false }),
    },
    {
      id: 'addon-host-cgroup',
      group: 'per tick, cmdline cached by (pid, start)',
      label: 'reader.sample({processes: false}) (host + cgroup only)',
      run: () => fullReader.sample({ processes: false }),
    },
  ];
}

/** Do both readers see the same processes and numbers? (A fair race reads the same things.) */
function crossCheck(addon, procRoot, page) {
  const a = new addon.Reader({ procRoot }).sample(PROCS_ONLY);
  const n = createNodeReader({ procRoot, page }).sample();
  const byPid = new Map();
  for (let i = 0; i < n.count; i++) byPid.set(n.pid[i], i);
  let both = 0;
  let sameIdentity = 0;
  let sameKnown = 0;
  let rssClose = 0;
  const fields = ['statmResident', 'rssAnon', 'readBytes', 'rss', 'pss', 'privateDirty', 'uid'];
  for (let i = 0; i < a.count; i++) {
    const j = byPid.get(a.pid[i]);
    if (j === undefined) continue;
    both++;
    if (a.startTime[i] === n.startTime[j] && a.name[i] === n.name[j] && a.cmdline[i] === n.cmdline[j]) sameIdentity++;
    if (fields.every((f) => Number.isNaN(a[f][i]) === Number.isNaN(n[f][j]))) sameKnown++;
    const x = a.rss[i];
    const y = n.rss[j];
    if ((Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= Math.max(64 * 1024, 0.05 * x)) rssClose++;
  }
  return { addonCount: a.count, nodeCount: n.count, both, sameIdentity, sameKnown, rssClose };
}

module.exports = {
  name: 'sample',
  order: 10,
  title: 'one pass over every process: addon sample() vs plain Node fs',
  async run(ctx) {
    const { addon, procRoot, opts, shouldStop } = ctx;
    const page = new addon.Reader({ procRoot }).sample({ processes: false, cgroup: false }).host.pageSize || 4096;
    const check = crossCheck(addon, procRoot, page);
    const subs = subjects(addon, procRoot, page);
    const m = await measureRounds(subs, { warmup: opts.warmup, reps: opts.reps, shouldStop });
    const rows = subs.map((s) => {
      const r = m[s.id];
      const b = s.baseline ? m[s.baseline] : null;
      return {
        id: s.id,
        group: s.group,
        label: s.label,
        baseline: s.baseline || null,
        headline: !!s.headline,
        wall: r.wall,
        cpu: r.cpu,
        ratioWall: b ? ratio(r.wall.median, b.wall.median) : null,
        ratioCpu: b ? ratio(r.cpu.median, b.cpu.median) : null,
        samplesMs: r.samplesMs,
      };
    });
    const tick = m['addon-tick'];
    const notes = [
      `cross-check: addon ${check.addonCount} / Node ${check.nodeCount} processes; of ${check.both} in both, ` +
        `${check.sameIdentity} same start+name+cmdline, ${check.sameKnown} same known/unknown fields, ${check.rssClose} Rss within 5 %`,
      `per process, one tick: ${((tick.wall.median * 1000) / Math.max(1, check.addonCount)).toFixed(1)} µs wall`,
    ];
    return { processCount: check.addonCount, rows, notes, check };
  },
};
