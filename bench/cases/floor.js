'use strict';
// The C floor of issue 6 (bench/floor.c, built here with cc -O2): one bare pass that
// opens and reads stat, statm, status, io, cmdline and smaps_rollup for every pid.
//
//   in-process rounds: a floor pass (the binary times its own pass: CPU and wall, so
//     spawning it costs nothing here), the addon reading the same six files (a fresh
//     Reader: nothing cached) and one dashboard tick's read (long-lived Reader,
//     defaults), in rotating order; ratios against the floor.
//   fresh processes: `node -e 0`, `spmon --once --json --interval 0`, `smem` (Debian
//     package; apt-get installed when missing, unless --no-apt) and the floor binary,
//     in rotating order. What spmon costs beyond `node -e 0`, against one floor pass
//     (issue 6 goal: at most 1.5x), and spmon against smem (goal: faster).

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { buildFloor, runFloor } = require('../lib/floor');
const { runCommand } = require('../lib/child');
const { measureRounds, summarize, ratio, yieldToEvents } = require('../lib/stats');

const PROCS_ONLY = { host: false, cgroup: false };
const ONCE_GOAL = 1.5;
const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };

let smemState = null; // { path, note } once looked for (and maybe installed) in this run

function which(cmd) {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** smem's path, installing the Debian package when missing (once per run). */
function findSmem(opts, log) {
  if (smemState) return smemState;
  let p = which('smem');
  if (p) return (smemState = { path: p, note: null });
  if (opts.noApt) return (smemState = { path: null, note: 'smem is not installed and --no-apt is set: smem rows skipped' });
  if (!which('apt-get')) return (smemState = { path: null, note: 'smem is not installed and there is no apt-get: smem rows skipped' });
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return (smemState = { path: null, note: 'smem is not installed and installing it needs root (apt-get install smem): smem rows skipped' });
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'smem'], { env, encoding: 'utf8', timeout: 300000 });
  log('bench: smem is missing: apt-get install -y --no-install-recommends smem ...');
  let r = install();
  if (r.status !== 0) {
    log('bench: that failed; apt-get update, then again ...');
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8', timeout: 300000 });
    r = install();
  }
  p = which('smem');
  if (p) return (smemState = { path: p, note: 'smem was installed by this run (apt-get install smem)' });
  const why = ((r.stderr || '') + (r.error ? r.error.message : '')).trim().split('\n').pop();
  return (smemState = { path: null, note: `smem could not be installed (${why || `apt-get exit ${r.status}`}): smem rows skipped` });
}

module.exports = {
  name: 'floor',
  order: 25,
  title: 'the C floor (bench/floor.c) vs sample(), spmon --once and smem',
  async run(ctx) {
    const { addon, procRoot, root, opts, shouldStop, log } = ctx;
    const { bin } = buildFloor(path.join(root, 'bench', 'out'), log);

    // In-process rounds.
    const tickReader = new addon.Reader({ procRoot });
    let floorPids = null;
    const subs = [
      {
        id: 'floor',
        measure: () => {
          const p = runFloor(bin, 1, procRoot)[0];
          floorPids = p.pids;
          return p;
        },
      },
      { id: 'addon-cold', run: () => new addon.Reader({ procRoot }).sample(PROCS_ONLY) },
      { id: 'addon-tick', run: () => tickReader.sample() },
    ];
    const m = await measureRounds(subs, { warmup: opts.warmup, reps: opts.reps, shouldStop });
    if (shouldStop()) return null;
    const floor = m.floor;

    // Fresh processes.
    const smem = findSmem(opts, log);
    const spmon = path.join(ctx.spmonRoot || root, 'bin', 'spmon');
    const cmds = [
      { id: 'node-e-0', label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
      { id: 'spmon-json', label: 'spmon --once --json --interval 0', argv: [process.execPath, spmon, '--once', '--json', '--interval', '0'] },
      { id: 'floor-process', label: 'floor binary, one pass (fresh process)', argv: [bin, '1', procRoot] },
    ];
    if (smem.path) cmds.push({ id: 'smem', label: 'smem (all processes, default columns)', argv: [smem.path] });
    const data = new Map(cmds.map((c) => [c.id, { wall: [], cpu: [] }]));
    let listed = null;
    for (let w = 0; w < Math.min(2, opts.warmup); w++) for (const c of cmds) runCommand(c);
    for (let r = 0; r < opts.runs && !shouldStop(); r++) {
      for (let k = 0; k < cmds.length; k++) {
        const c = cmds[(r + k) % cmds.length];
        const x = runCommand(c);
        data.get(c.id).wall.push(x.wallMs);
        data.get(c.id).cpu.push(x.cpuMs);
        if (c.id === 'spmon-json') listed = JSON.parse(x.stdout).processes.length;
      }
      await yieldToEvents();
    }
    if (shouldStop()) return null;
    const e2e = new Map([...data].map(([id, d]) => [id, { wall: summarize(d.wall), cpu: summarize(d.cpu), samplesMs: d }]));

    const rowsIn = [
      { id: 'floor', label: 'C floor: one pass, six files per pid', group: 'one pass over every process, in-process (CPU exact)' },
      { id: 'addon-cold', label: 'new Reader().sample() (all six files)', baseline: 'floor', headline: true },
      { id: 'addon-tick', label: 'reader.sample() per tick (defaults, cached)', baseline: 'floor' },
    ].map((s) => {
      const r = m[s.id];
      return {
        id: s.id,
        group: 'one pass over every process, in-process (CPU exact)',
        label: s.label,
        baseline: s.baseline || null,
        headline: !!s.headline,
        wall: r.wall,
        cpu: r.cpu,
        ratioWall: s.baseline ? ratio(r.wall.median, floor.wall.median) : null,
        ratioCpu: s.baseline ? ratio(r.cpu.median, floor.cpu.median) : null,
        samplesMs: r.samplesMs,
      };
    });

    const G = 'fresh processes (CPU: child user+sys, 10 ms ticks)';
    const node = e2e.get('node-e-0');
    const sp = e2e.get('spmon-json');
    const rowE = (id, label, baselineId, base, extra = {}) => {
      const s = e2e.get(id);
      return {
        id: extra.rowId || id,
        group: G,
        label,
        baseline: baselineId,
        headline: !!extra.headline,
        wall: s.wall,
        cpu: s.cpu,
        ratioWall: base ? ratio(s.wall.median, base.wall.median) : null,
        ratioCpu: base ? ratio(s.cpu.median, base.cpu.median) : null,
        samplesMs: s.samplesMs,
      };
    };
    const rowsE = [
      rowE('node-e-0', 'node -e 0', null, null),
      rowE('spmon-json', 'spmon --once --json --interval 0', 'node-e-0', node),
      rowE('floor-process', 'floor binary, one pass (fresh process)', 'node-e-0', node),
    ];
    const beyond = { wall: sp.wall.median - node.wall.median, cpu: sp.cpu.median - node.cpu.median };
    const beyondRow = {
      id: 'spmon-beyond-node',
      group: 'spmon --once beyond node -e 0, against one floor pass (issue 6 goal: <= 1.5x)',
      label: 'spmon --once --json, minus node -e 0',
      baseline: 'floor',
      headline: true,
      wall: { ...NONE, median: beyond.wall },
      cpu: { ...NONE, median: beyond.cpu },
      ratioWall: ratio(beyond.wall, floor.wall.median),
      ratioCpu: ratio(beyond.cpu, floor.cpu.median),
      goal: ONCE_GOAL,
    };
    const notes = [];
    const smemRows = [];
    if (smem.path) {
      const sm = e2e.get('smem');
      rowsE.push(rowE('smem', 'smem', 'node-e-0', node));
      const vs = rowE('spmon-json', 'spmon --once --json vs smem', 'smem', sm, { rowId: 'spmon-vs-smem', headline: true });
      vs.group = 'spmon --once against smem on the same load (issue 6 goal: faster, < 1)';
      smemRows.push(vs);
      notes.push(
        `spmon --once --json vs smem: ${(sp.wall.median / sm.wall.median).toFixed(2)}x wall, ${(sp.cpu.median / sm.cpu.median).toFixed(2)}x CPU ` +
          `(goal: faster than smem: ${sp.wall.median < sm.wall.median ? 'met' : 'NOT met'})`,
      );
    }
    const rows = [...rowsIn, ...rowsE, beyondRow, ...smemRows];
    if (smem.note) notes.push(smem.note);
    notes.unshift(
      `floor: ${floorPids} pids, median ${floor.cpu.median.toFixed(1)} ms CPU / ${floor.wall.median.toFixed(1)} ms wall per pass ` +
        `(${((floor.cpu.median * 1000) / Math.max(1, floorPids)).toFixed(1)} µs CPU per pid); ` +
        `new Reader().sample() = ${rowsIn[1].ratioCpu.toFixed(2)}x its CPU`,
      `spmon --once --json (${listed} processes) beyond node -e 0: ${beyond.wall.toFixed(0)} ms wall, ${beyond.cpu.toFixed(0)} ms CPU = ` +
        `${beyondRow.ratioWall.toFixed(2)}x wall, ${beyondRow.ratioCpu.toFixed(2)}x CPU of one floor pass ` +
        `(goal <= ${ONCE_GOAL}x: ${beyondRow.ratioWall <= ONCE_GOAL ? 'met' : 'NOT met'} in wall, ${beyondRow.ratioCpu <= ONCE_GOAL ? 'met' : 'NOT met'} in CPU)`,
    );
    return { processCount: floorPids, rows, notes, smem: smem.path ? { path: smem.path, note: smem.note } : { path: null, note: smem.note } };
  },
};
