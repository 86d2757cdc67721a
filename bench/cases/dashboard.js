'use strict';
// The dashboard as users run it: `node bin/spmon --interval 0.5` in a 120x40 pane of a
// private tmux server (bench/lib/dashboard_tmux.js), watched for --dash-seconds. Its
// CPU per tick is the process's utime + stime (all threads: V8's GC helpers and libuv's
// pool included) between two readings of /proc/<pid>/stat, each taken just after a tick
// ended, divided by the ticks counted in between (bench/lib/tick_probe.js). So it holds
// everything the dashboard does, in ticks and between them. Memory: VmRSS at the end,
// VmHWM (peak).
//
// Next to it, measured in this process in rounds before and after the dashboard runs
// (half each): one bare `reader.sample()` with a long-lived Reader and default options,
// what one dashboard tick reads; and one pass of the C floor (bench/floor.c).

const path = require('path');
const { watchDashboard } = require('../lib/dashboard_tmux');
const { buildFloor, runFloor } = require('../lib/floor');
const { measureRounds, summarize, ratio } = require('../lib/stats');

const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };
const MB = 1e6;
const RSS_GOAL_BYTES = 100 * MB; // issue 6: "under 100 MB"
const FLOOR_GOAL = 0.5; // issue 6: dashboard CPU per tick at most 0.5x the floor at +1000

function single(v, n) {
  return { ...NONE, n, median: v, min: v, max: v, mean: v };
}

function merge(a, b) {
  const wall = [...a.samplesMs.wall, ...b.samplesMs.wall];
  const cpu = [...a.samplesMs.cpu, ...b.samplesMs.cpu];
  return { wall: summarize(wall), cpu: summarize(cpu), samplesMs: { wall, cpu } };
}

module.exports = {
  name: 'dashboard',
  order: 30,
  title: 'the dashboard (bin/spmon in tmux): CPU per tick and RSS vs one bare sample() and the C floor',
  async run(ctx) {
    const { addon, procRoot, root, opts, shouldStop, log } = ctx;
    const { bin } = buildFloor(path.join(root, 'bench', 'out'), log);
    const reader = new addon.Reader({ procRoot });
    let floorPids = null;
    const subs = [
      { id: 'bare-sample', run: () => reader.sample() },
      {
        id: 'floor',
        measure: () => {
          const p = runFloor(bin, 1, procRoot)[0];
          floorPids = p.pids;
          return p;
        },
      },
    ];
    const half = Math.max(1, Math.ceil(opts.reps / 2));
    const before = await measureRounds(subs, { warmup: opts.warmup, reps: half, shouldStop });
    if (shouldStop()) return null;

    const intervalSec = opts.dashIntervalMs / 1000;
    const watched = await watchDashboard({ root: ctx.spmonRoot || root, intervalSec, seconds: opts.dashSeconds, shouldStop, log });
    if (shouldStop()) return null;
    // Another checkout's dashboard right after (--before-root): before and after a change, in one run.
    const watchedBefore = opts.beforeRoot ? await watchDashboard({ root: opts.beforeRoot, intervalSec, seconds: opts.dashSeconds, shouldStop, log }) : null;
    if (shouldStop()) return null;
    const after = await measureRounds(subs, { warmup: 1, reps: Math.max(1, opts.reps - half), shouldStop });
    if (shouldStop()) return null;

    const bare = merge(before['bare-sample'], after['bare-sample']);
    const floor = merge(before.floor, after.floor);
    const count = reader.sample({ host: false, cgroup: false, statm: false, status: false, io: false, smaps: false, cmdline: false }).count;

    if (!watched) return null;
    const { first: a, last: b, tickRecords: ticks, screen } = watched;
    const n = ticks.length;
    const elapsedMs = b.atMs - a.atMs;
    const selfPerTick = (b.dashboard.selfMs - a.dashboard.selfMs) / n;
    const childrenPerTick = (b.dashboard.childrenMs - a.dashboard.childrenMs) / n;
    const serverPerTick = (b.server.selfMs - a.server.selfMs) / n;
    const tickCpu = summarize(ticks.map((t) => t.cpuMs));
    const tickWall = summarize(ticks.map((t) => t.wallMs));
    const threads = {};
    for (const k of Object.keys(b.threads || {})) {
      const name = k === 'main' ? 'main (JavaScript)' : k === 'node' ? 'other threads (V8 background compiles and GC, libuv pool)' : k;
      threads[name] = (threads[name] || 0) + (b.threads[k] - ((a.threads || {})[k] || 0)) / n;
    }
    const last = ticks[ticks.length - 1];
    const heap = { heapTotal: last.heapTotal, heapUsed: last.heapUsed, external: last.external, rss: last.rss };
    const statusBar = /tick ([0-9.]+) ms/.exec(screen || '');
    const statusBarMs = statusBar ? Number(statusBar[1]) : null;

    const row = (id, label, baseline, wall, cpu, extra = {}) => {
      const base = baseline === 'floor' ? floor : baseline === 'bare-sample' ? bare : null;
      return {
        id,
        group: 'dashboard per tick, and what it is compared with',
        label,
        baseline,
        headline: !!extra.headline,
        wall,
        cpu,
        ratioWall: base && wall.median !== null ? ratio(wall.median, base.wall.median) : null,
        ratioCpu: base ? ratio(cpu.median, base.cpu.median) : null,
        ...extra,
      };
    };
    const rows = [
      row('bare-sample', 'bare reader.sample() (long-lived Reader, defaults)', null, bare.wall, bare.cpu, { samplesMs: bare.samplesMs }),
      row('floor', 'C floor: one pass, six files per pid', null, floor.wall, floor.cpu, { samplesMs: floor.samplesMs }),
      row('dashboard', 'dashboard CPU per tick (/proc) vs bare sample()', 'bare-sample', NONE, single(selfPerTick, n), {
        headline: true,
        ticks: n,
        elapsedMs,
      }),
      row('dashboard-vs-floor', 'dashboard CPU per tick (/proc) vs C floor (goal <= 0.5x)', 'floor', NONE, single(selfPerTick, n), { headline: true, goal: FLOOR_GOAL }),
      row('dashboard-tick', 'tick() as its status bar shows it, vs bare sample()', 'bare-sample', tickWall, tickCpu, {
        samplesMs: { wall: ticks.map((t) => t.wallMs), cpu: ticks.map((t) => t.cpuMs) },
      }),
      row('dashboard-children', 'dashboard + its children (tmux list-panes) per tick', 'bare-sample', NONE, single(selfPerTick + childrenPerTick, n)),
    ];
    if (watchedBefore) {
      const t = watchedBefore.tickRecords.length;
      const beforePerTick = (watchedBefore.last.dashboard.selfMs - watchedBefore.first.dashboard.selfMs) / t;
      rows.push(
        row('dashboard-before', `dashboard CPU per tick of ${path.basename(opts.beforeRoot)} (before) vs C floor`, 'floor', NONE, single(beforePerTick, t), {
          rssBytes: watchedBefore.last.mem.rssBytes,
          hwmBytes: watchedBefore.last.mem.hwmBytes,
        }),
        {
          id: 'dashboard-vs-before', group: 'before/after (--before-root)', label: 'dashboard CPU per tick: this checkout vs before', baseline: 'dashboard-before',
          headline: true, wall: NONE, cpu: single(selfPerTick, n), ratioWall: null, ratioCpu: ratio(selfPerTick, beforePerTick),
          rss: { after: b.mem.rssBytes, before: watchedBefore.last.mem.rssBytes, ratio: ratio(b.mem.rssBytes, watchedBefore.last.mem.rssBytes) },
        },
      );
    }
    const vsFloor = selfPerTick / floor.cpu.median;
    const expectedTicks = elapsedMs / opts.dashIntervalMs;
    const memory = { rssBytes: b.mem.rssBytes, hwmBytes: b.mem.hwmBytes, rssGoalBytes: RSS_GOAL_BYTES };
    const notes = [
      `${n} ticks in ${(elapsedMs / 1000).toFixed(1)} s at --interval ${intervalSec} (a tick every ${(elapsedMs / n).toFixed(0)} ms: ` +
        `the next tick is scheduled when one ends; elapsed ÷ interval would say ${expectedTicks.toFixed(0)})`,
      `per tick: dashboard ${selfPerTick.toFixed(1)} ms CPU, of which tick() ${tickCpu.mean.toFixed(1)} ms (mean; median ${tickCpu.median.toFixed(1)}), ` +
        `between ticks ${(selfPerTick - tickCpu.mean).toFixed(1)} ms; its children ${childrenPerTick.toFixed(1)} ms; the tmux server ${serverPerTick.toFixed(1)} ms (the terminal's cost, not spmon's)`,
      `per tick by thread: ${Object.entries(threads).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`,
      `status bar at the end: ${statusBarMs === null ? 'no "tick X ms" found' : `"tick ${statusBarMs} ms"`}; bare sample() ${bare.cpu.median.toFixed(1)} ms CPU, C floor ${floor.cpu.median.toFixed(1)} ms CPU (${floorPids} pids)`,
      `memory: VmRSS ${(b.mem.rssBytes / MB).toFixed(1)} MB, VmHWM (peak) ${(b.mem.hwmBytes / MB).toFixed(1)} MB; goal < 100 MB: ${b.mem.hwmBytes < RSS_GOAL_BYTES ? 'met' : 'NOT met'} ` +
        `(at the last tick: V8 heap ${(heap.heapUsed / MB).toFixed(1)} MB used of ${(heap.heapTotal / MB).toFixed(1)} MB, external + array buffers ${(heap.external / MB).toFixed(1)} MB)`,
      `dashboard CPU per tick = ${vsFloor.toFixed(2)}x the C floor (goal at +1000: <= ${FLOOR_GOAL}x: ${vsFloor <= FLOOR_GOAL ? 'met' : 'NOT met'})`,
    ];
    return {
      processCount: count,
      rows,
      notes,
      memory: { ...memory, atLastTick: heap },
      perTickMs: { self: selfPerTick, children: childrenPerTick, tmuxServer: serverPerTick, tickMean: tickCpu.mean, threads },
      intervalMs: opts.dashIntervalMs,
      statusBarTickMs: statusBarMs,
      screen,
    };
  },
};
