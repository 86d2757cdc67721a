'use strict';
// Issue 6: "cost grows linearly with the process count up to 10,000 processes". The
// case spawns its own load, `sleep 3600` processes forked by bench/forker.c, and grows
// it step by step (--scale-levels, default +1000, +2500, +5000, +10000). At each step:
//
//   floor  one pass of the C floor (bench/floor.c), --scale-reps passes, half before
//          and half after the ticks
//   tick   --scale-ticks dashboard ticks, driven as lib/ui/app.ts drives them
//          (lib/tick_driver.js: a long-lived Reader and Sampler from dist/lib, the smaps
//          plan of rankSmaps and SmapsBudget, the default 20 ms budget), an interval
//          (--dash-interval-ms) apart as the dashboard's setTimeout spaces them; timed:
//          reader.sample(), and apart the plan and Sampler.ingest (JavaScript)
//   dashboard  at the lowest and highest step (--scale-dash-levels): the real dashboard
//          in tmux for --dash-seconds, its CPU per tick
//
// Reported: each against the floor at the same step, and per process (ms per 1,000
// processes = µs per process) against the lowest step: linear growth keeps that ratio
// near 1. The smaps reads are held to the budget, so the tick's cost per process falls
// as the count grows; the rest of the pass (stats.walkMs - stats.smapsMs) is what has
// to grow linearly, and the marginal cost per added process between steps (the
// sleepers are all alike) is given too.
//
// One driver lives through all steps, as a dashboard would while processes appear.
// Before each step's ticks it ticks back to back until every process has had one
// smaps_rollup reading (new ones wait for the budget), so the step's ticks read what a
// settled dashboard reads: on-screen and moved processes, and those whose reading is
// older than the schedule's maxAge (30 s: at the higher steps, the lower steps' sleepers
// come due while the ticks run; smapsMs per tick shows it). One Reader only: a Reader
// may hold fds of the processes it read (up to half the fd limit), so several
// long-lived ones in this process could run out of fds at 10,000 processes.

const path = require('path');
const { startSleepers } = require('../lib/forker');
const { buildFloor, runFloor } = require('../lib/floor');
const { watchDashboard } = require('../lib/dashboard_tmux');
const { createTickDriver } = require('../lib/tick_driver');
const { processCount } = require('../lib/machine');
const { measureRounds, summarize, ratio } = require('../lib/stats');

const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };
const SLEEP_SECONDS = 3600; // outlives the case; the forker ends them anyway
const MAX_WARM_TICKS = 100;

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

function single(v, n = 1) {
  return { ...NONE, n, median: v, p90: v, min: v, max: v, mean: v };
}

function merge(a, b) {
  const wall = [...a.samplesMs.wall, ...b.samplesMs.wall];
  const cpu = [...a.samplesMs.cpu, ...b.samplesMs.cpu];
  return { wall: summarize(wall), cpu: summarize(cpu), samplesMs: { wall, cpu } };
}

/** µs per process of each measurement, by its own process count (other work on the machine may change the count). */
function perProcess(items, count) {
  return {
    wall: items.some((x) => x.wallMs === null) ? NONE : summarize(items.map((x) => (x.wallMs * 1000) / count(x))),
    cpu: items.some((x) => x.cpuMs === null) ? NONE : summarize(items.map((x) => (x.cpuMs * 1000) / count(x))),
  };
}

/** One step: floor passes around the driven ticks. */
async function measureStep(ctx, driver, floorBin) {
  const { procRoot, opts, shouldStop } = ctx;
  let warm = 0;
  do {
    driver.tick(); // the very first one reads every smaps_rollup (no history yet)
    warm++;
  } while (driver.neverRead() > 0 && warm < MAX_WARM_TICKS && !shouldStop());
  const neverReadAfterWarm = driver.neverRead();

  const passes = [];
  const floorSub = [{ id: 'floor', measure: () => passes[passes.push(runFloor(floorBin, 1, procRoot)[0]) - 1] }];
  const half = Math.max(1, Math.ceil(opts.scaleReps / 2));
  const before = await measureRounds(floorSub, { warmup: 1, reps: half, shouldStop });
  passes.shift(); // the warm-up pass is not a measurement

  const ticks = [];
  for (let i = 0; i < opts.scaleTicks && !shouldStop(); i++) {
    await delay(opts.dashIntervalMs); // app.ts: setTimeout(tick, interval) after a tick ends
    const t = driver.tick();
    const st = t.raw.stats || {};
    ticks.push({ wallMs: t.sample.wallMs, cpuMs: t.sample.cpuMs, modelMs: t.planMs + t.ingestMs, planned: t.planned, count: t.raw.count, stats: st });
  }
  const after = await measureRounds(floorSub, { warmup: 0, reps: Math.max(1, opts.scaleReps - half), shouldStop });
  const tick = { wall: summarize(ticks.map((t) => t.wallMs)), cpu: summarize(ticks.map((t) => t.cpuMs)), samplesMs: { wall: ticks.map((t) => t.wallMs), cpu: ticks.map((t) => t.cpuMs) } };
  return { floor: merge(before.floor, after.floor), floorPasses: passes, tick, ticks, warmTicks: warm, neverReadAfterWarm };
}

module.exports = {
  name: 'scale',
  order: 80,
  ownLoad: true,
  optIn: true,
  title: 'cost per tick from +1,000 to +10,000 processes: linear? (issue 6)',
  async run(ctx) {
    const { addon, procRoot, root, opts, shouldStop, log } = ctx;
    const outDir = path.join(root, 'bench', 'out');
    const { bin: floorBin } = buildFloor(outDir, log);
    const driver = createTickDriver({ addon, procRoot, root }); // the default --smaps-budget
    const steps = [];
    const sleepers = await startSleepers({ outDir, seconds: SLEEP_SECONDS, shouldStop, log });
    try {
      for (const extra of opts.scaleLevels) {
        if (shouldStop()) return null;
        log(`bench: scale: growing the load to ${extra} sleeping processes...`);
        const { spawnMs } = await sleepers.grow(extra);
        const before = processCount();
        log(`bench: scale @ +${extra} (${before} processes; forked in ${spawnMs} ms): ${opts.scaleReps} floor passes, ${opts.scaleTicks} ticks...`);
        const r = await measureStep(ctx, driver, floorBin);
        if (shouldStop()) return null;
        let dash = null;
        if (opts.scaleDashLevels.includes(extra)) {
          const n0 = processCount();
          dash = await watchDashboard({ root: ctx.spmonRoot || root, intervalSec: opts.dashIntervalMs / 1000, seconds: opts.dashSeconds, shouldStop, log });
          if (shouldStop()) return null;
          dash.processCount = Math.round((n0 + processCount()) / 2); // the dashboard's own count is not seen from here
        }
        steps.push(step({ extra, spawnMs, processCountBefore: before, budgetMs: driver.schedule.budgetMs, ...r, dash }));
      }
    } finally {
      const s = await sleepers.stop();
      log(`bench: scale: ended the ${s.stopped} sleepers in ${s.stopMs} ms`);
      driver.tick(); // lets the Reader close what it held of the ended sleepers
    }
    return report(steps);
  },
};

/**
 * A step's figures: the tick's smaps reading and the rest of its pass, and µs per process
 * of every measurement by its own count (ticks: raw.count; floor passes: their pids).
 */
function step(st) {
  const s = st.ticks.map((t) => t.stats);
  const withWalk = st.ticks.filter((t) => t.stats.walkMs !== undefined && t.stats.smapsMs >= 0);
  const counts = [...st.ticks.map((t) => t.count), ...st.floorPasses.map((p) => p.pids)];
  return {
    ...st,
    processCount: Math.round(summarize(st.ticks.map((t) => t.count)).median),
    countRange: [Math.min(...counts), Math.max(...counts)],
    smapsMs: summarize(s.filter((x) => x.smapsMs >= 0).map((x) => x.smapsMs)),
    smapsRead: summarize(s.filter((x) => x.smapsRead !== undefined).map((x) => x.smapsRead)),
    rest: summarize(withWalk.map((t) => t.stats.walkMs - t.stats.smapsMs)),
    model: summarize(st.ticks.map((t) => t.modelMs)),
    // Processes read through fds the Reader kept open from earlier passes (addons that report it).
    held: summarize(s.filter((x) => x.heldProcesses !== undefined).map((x) => x.heldProcesses)),
    per: {
      tick: perProcess(st.ticks, (t) => t.count),
      rest: perProcess(withWalk.map((t) => ({ wallMs: t.stats.walkMs - t.stats.smapsMs, cpuMs: null, count: t.count })), (t) => t.count),
      floor: perProcess(st.floorPasses, (p) => p.pids),
      dashboard: st.dash ? { wall: NONE, cpu: single((st.dash.selfPerTickMs * 1000) / st.dash.processCount, st.dash.ticks) } : null,
    },
  };
}

function report(steps) {
  const rows = [];
  const low = steps[0];
  const lowDash = steps.find((s) => s.dash);
  for (const st of steps) {
    const G = `+${st.extra} (${st.processCount} processes): per tick, against one C floor pass`;
    const floor = st.floor;
    const base = { group: G, processCount: st.processCount };
    const vs = (id, label, r, headline) => ({
      ...base,
      id: `${id}@${st.extra}`,
      label,
      baseline: `floor@${st.extra}`,
      headline,
      wall: r.wall,
      cpu: r.cpu,
      ratioWall: r.wall.median === null ? null : ratio(r.wall.median, floor.wall.median),
      ratioCpu: r.cpu.median === null ? null : ratio(r.cpu.median, floor.cpu.median),
      samplesMs: r.samplesMs,
    });
    rows.push({ ...base, id: `floor@${st.extra}`, label: 'C floor: one pass, six files per pid', baseline: null, headline: false, wall: floor.wall, cpu: floor.cpu, samplesMs: floor.samplesMs });
    rows.push({ ...vs('tick', `reader.sample() as a dashboard tick (plan, ${st.budgetMs} ms)`, st.tick, true), smapsMs: st.smapsMs, smapsRead: st.smapsRead });
    rows.push(vs('rest', '  of which not reading smaps (walkMs - smapsMs)', { wall: st.rest, cpu: NONE }, false));
    rows.push({ ...base, id: `model@${st.extra}`, label: 'smaps plan + Sampler.ingest (JavaScript)', baseline: null, headline: false, wall: NONE, cpu: st.model });
    if (st.dash) rows.push(vs('dashboard', 'dashboard CPU per tick (tmux, /proc)', { wall: NONE, cpu: single(st.dash.selfPerTickMs, st.dash.ticks) }, true));
  }
  // Per process against the lowest step.
  const G2 = 'ms per 1,000 processes (= µs per process), against the lowest step (linear: ~1x)';
  const perRow = (st, id, label, baseStep) => {
    const mine = st.per[id];
    const theirs = baseStep.per[id];
    const first = st === baseStep;
    return {
      id: `${id}-per-proc@${st.extra}`,
      group: G2,
      label: `${label} at +${st.extra}`,
      baseline: first ? null : `${id}-per-proc@${baseStep.extra}`,
      headline: !first && st === steps[steps.length - 1],
      processCount: st.processCount,
      wall: mine.wall,
      cpu: mine.cpu,
      ratioWall: first || mine.wall.median === null ? null : ratio(mine.wall.median, theirs.wall.median),
      ratioCpu: first || mine.cpu.median === null ? null : ratio(mine.cpu.median, theirs.cpu.median),
    };
  };
  for (const st of steps) rows.push(perRow(st, 'tick', 'dashboard tick sample()', low));
  for (const st of steps) rows.push(perRow(st, 'rest', 'tick, not reading smaps', low));
  for (const st of steps) rows.push(perRow(st, 'floor', 'C floor pass', low));
  for (const st of steps.filter((s) => s.dash)) rows.push(perRow(st, 'dashboard', 'dashboard CPU per tick', lowDash));
  return { processCount: `${low.processCount}–${steps[steps.length - 1].processCount}`, rows, notes: notes(steps), steps: steps.map(stepJson) };
}

function notes(steps) {
  const low = steps[0];
  const x = (st, id, f) => fmt(st.per[id][f].median / low.per[id][f].median, 2);
  const out = [
    'step     processes  tick µs/proc CPU (x lowest)  rest µs/proc (x lowest)  floor µs/proc CPU (x lowest)  tick/floor  smapsMs med/max  reads/tick med/max  held',
  ];
  for (const st of steps) {
    out.push(
      `+${String(st.extra).padEnd(7)} ${String(st.processCount).padStart(9)}  ${fmt(st.per.tick.cpu.median).padStart(8)} (${x(st, 'tick', 'cpu')}x)` +
        `           ${fmt(st.per.rest.wall.median).padStart(6)} (${x(st, 'rest', 'wall')}x)` +
        `               ${fmt(st.per.floor.cpu.median).padStart(6)} (${x(st, 'floor', 'cpu')}x)` +
        `       ${fmt(st.tick.cpu.median / st.floor.cpu.median, 2).padStart(5)}x` +
        `   ${`${fmt(st.smapsMs.median)}/${fmt(st.smapsMs.max)}`.padStart(14)}  ${`${fmt(st.smapsRead.median, 0)}/${fmt(st.smapsRead.max, 0)}`.padStart(18)}  ${fmt(st.held.median, 0).padStart(5)}`,
    );
  }
  const moved = steps.filter((st) => st.countRange[1] - st.countRange[0] > 0.01 * st.processCount);
  if (moved.length) {
    out.push(
      `other work changed the process count during ${moved.map((st) => `+${st.extra} (${st.countRange[0]}–${st.countRange[1]})`).join(', ')}: ` +
        'per-process figures divide each measurement by its own count; the ms figures above are medians over whatever ran',
    );
  }
  for (const st of steps.filter((s) => s.dash)) {
    const d = st.dash;
    out.push(
      `dashboard at +${st.extra} (~${d.processCount} processes): ${fmt(d.selfPerTickMs)} ms CPU per tick (${fmt(st.per.dashboard.cpu.median)} µs per process, ` +
        `${fmt(d.selfPerTickMs / st.floor.cpu.median, 2)}x the floor) over ${d.ticks} ticks in ${fmt(d.elapsedMs / 1000)} s; tick() median ${fmt(summarize(d.tickCpuMs).median)} ms; ` +
        `its children ${fmt(d.childrenPerTickMs)} ms per tick; VmRSS ${fmt(d.mem.rssBytes / 1e6, 0)} MB, VmHWM ${fmt(d.mem.hwmBytes / 1e6, 0)} MB`,
    );
  }
  // Marginal cost: what each added (sleeping) process costs between two steps.
  for (let i = 1; i < steps.length; i++) {
    const a = steps[i - 1];
    const b = steps[i];
    const dn = b.processCount - a.processCount;
    const per = (p, q) => (dn > 0 ? fmt(((q - p) * 1000) / dn) : '-');
    out.push(
      `marginal +${a.extra} -> +${b.extra} (${dn} processes added): tick ${per(a.tick.cpu.median, b.tick.cpu.median)} µs CPU, ` +
        `rest ${per(a.rest.median, b.rest.median)} µs wall, floor ${per(a.floor.cpu.median, b.floor.cpu.median)} µs CPU per added process`,
    );
  }
  out.push(
    'rest and smapsMs are wall times (stats.walkMs - stats.smapsMs, stats.smapsMs): on a busy machine they include waiting for a CPU; the CPU columns do not. ' +
      'held = processes read through fds the Reader kept open (stats.heldProcesses, median)',
    `tick = the dashboard's reader.sample() alone; the smaps plan + ingest add ${steps.map((s) => `${fmt(s.model.median)} ms at +${s.extra}`).join(', ')} (CPU, median). ` +
      `Forking the load: ${steps.map((s) => `+${s.extra} in ${(s.spawnMs / 1000).toFixed(1)} s`).join(', ')} (each step adds to the last). ` +
      `Warm-up ticks until every process had a reading: ${steps.map((s) => `${s.warmTicks}${s.neverReadAfterWarm ? ` (${s.neverReadAfterWarm} still unread)` : ''}`).join(', ')}.`,
  );
  const lastStep = steps[steps.length - 1];
  out.push(`reader stats of the last tick at +${lastStep.extra}: ${JSON.stringify(lastStep.ticks.length ? lastStep.ticks[lastStep.ticks.length - 1].stats : null)}`);
  return out;
}

/** The JSON of a step: every tick, no duplicated summaries. */
function stepJson(st) {
  return {
    extra: st.extra,
    processCount: st.processCount,
    countRange: st.countRange,
    processCountBefore: st.processCountBefore,
    floorPasses: st.floorPasses,
    spawnMs: st.spawnMs,
    warmTicks: st.warmTicks,
    neverReadAfterWarm: st.neverReadAfterWarm,
    ticks: st.ticks,
    dashboard: st.dash,
  };
}
