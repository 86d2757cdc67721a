'use strict';
// Issue 6: "a dashboard tick stays within a budget (default 20 ms of smaps reading) even
// with 100 GiB of resident pages to walk". Simulated as the issue says: 25 processes
// (--bigmem-procs) that each map the same 4 GiB memfd (--bigmem-mib) MAP_SHARED and have
// written every page, forked by bench/forker.c: 100 GiB of page table entries to walk
// for 4 GiB of RAM. Less when MemAvailable is under twice the memfd (8 GiB), with a note.
//
//   one read       smaps_rollup of one mapper: fs.readFileSync in this process, and the
//                  addon's own figure (stats.smapsMs of a sample() asked for that pid);
//                  what a tick costs as soon as it starts one read
//   no budget      one C floor pass (every smaps_rollup once) and a long-lived
//                  reader.sample() with defaults: what a tick cost before the budget
//   ticks          --bigmem-ticks ticks driven as lib/ui/app.ts drives them
//                  (lib/tick_driver.js), an interval (--dash-interval-ms) apart as the
//                  dashboard's setTimeout spaces them: per tick the smaps reading time
//                  (stats.smapsMs) against the budget, how many mappers were read, and
//                  the age of their readings (ProcessStat.memoryAgeMs)
//   dashboard      the real dashboard in tmux for --bigmem-dash-seconds (default 60: its
//                  first tick reads every mapper, the next reads come due after the
//                  schedule's 30 s maxAge): CPU per tick, and tick() per tick
//
// The budget is checked before each read starts (native/proc_reader.cc), so a tick
// that starts one of these reads ends it however long it takes.

const fs = require('fs');
const path = require('path');
const { startMappers } = require('../lib/forker');
const { buildFloor, runFloor } = require('../lib/floor');
const { watchDashboard } = require('../lib/dashboard_tmux');
const { createTickDriver } = require('../lib/tick_driver');
const { measureRounds, summarize, timeOnce, ratio } = require('../lib/stats');

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };
const FLAG_SMAPS_READ = 4; // lib/native.ts
const ONE_READ_REPS = 10;
const NO_BUDGET_REPS = 3; // each reads every mapper: ~1 s apiece

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

function single(v, n = 1) {
  return { ...NONE, n, median: v, p90: v, min: v, max: v, mean: v };
}

function meminfo(key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

function readSys(p) {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The memfd size: as asked, or half of MemAvailable (in 64 MiB steps) when that is less than twice it. */
function chooseSize(opts) {
  const want = opts.bigmemMib * MiB;
  const avail = meminfo('MemAvailable');
  if (avail === null || avail >= 2 * want) return { bytes: want, avail, note: null };
  const bytes = Math.max(64 * MiB, Math.floor(avail / 2 / (64 * MiB)) * 64 * MiB);
  return {
    bytes,
    avail,
    note: `SCALED DOWN: MemAvailable ${fmt(avail / GiB)} GiB is under twice the ${opts.bigmemMib} MiB asked; the memfd is ${bytes / MiB} MiB`,
  };
}

/** One smaps_rollup read of one mapper: Node's readFileSync, and the addon's stats.smapsMs. */
async function oneRead(addon, procRoot, pid, shouldStop) {
  const reader = new addon.Reader({ procRoot });
  const addonSmapsMs = [];
  const file = path.join(procRoot, String(pid), 'smaps_rollup');
  const m = await measureRounds(
    [
      { id: 'node', run: () => fs.readFileSync(file) },
      {
        id: 'addon',
        measure: () => {
          const t = timeOnce(() => reader.sample({ host: false, cgroup: false, smapsPids: [pid], smapsBudgetMs: 1000 }));
          addonSmapsMs.push(t.result.stats ? t.result.stats.smapsMs : NaN);
          return t;
        },
      },
    ],
    { warmup: 1, reps: ONE_READ_REPS, shouldStop },
  );
  return { node: m.node, addonSmapsMs };
}

/** Ticks as the dashboard runs them; per tick what the smaps reading cost and reached. */
async function driveTicks(ctx, mapperPids) {
  const { addon, procRoot, root, opts, shouldStop } = ctx;
  const driver = createTickDriver({ addon, procRoot, root });
  const mappers = new Set(mapperPids);
  const ticks = [];
  const t0 = Date.now();
  for (let i = 0; i < opts.bigmemTicks && !shouldStop(); i++) {
    if (i > 0) await delay(opts.dashIntervalMs); // app.ts: setTimeout(tick, interval) after a tick ends
    const t = driver.tick();
    const raw = t.raw;
    let mappersRead = 0;
    for (let k = 0; k < raw.count; k++) if (mappers.has(raw.pid[k]) && raw.flags[k] & FLAG_SMAPS_READ) mappersRead++;
    let mapperMaxAge = 0;
    let allMaxAge = 0;
    let noReading = 0;
    for (const p of t.snap.processes) {
      if (p.kernelThread || p.state === 'Z') continue;
      if (p.memoryAgeMs === null) noReading++;
      else allMaxAge = Math.max(allMaxAge, p.memoryAgeMs);
      if (mappers.has(p.pid)) mapperMaxAge = Math.max(mapperMaxAge, p.memoryAgeMs ?? Infinity);
    }
    const st = raw.stats || {};
    ticks.push({
      atMs: Date.now() - t0,
      first: i === 0,
      sampleWallMs: t.sample.wallMs,
      sampleCpuMs: t.sample.cpuMs,
      modelMs: t.planMs + t.ingestMs,
      smapsMs: st.smapsMs ?? null,
      smapsRead: st.smapsRead ?? null,
      planned: t.planned,
      mappersRead,
      mapperMaxAgeMs: mapperMaxAge,
      allMaxAgeMs: allMaxAge,
      noReading,
      count: raw.count,
      stats: st,
    });
  }
  return { ticks, budgetMs: driver.schedule.budgetMs, schedule: driver.schedule };
}

module.exports = {
  name: 'bigmem',
  order: 90,
  ownLoad: true,
  optIn: true,
  title: 'the smaps budget against processes that map one big memfd (default 25 x 4 GiB: 100 GiB of resident pages; issue 6)',
  async run(ctx) {
    const { addon, procRoot, root, opts, shouldStop, log } = ctx;
    const outDir = path.join(root, 'bench', 'out');
    const { bin: floorBin } = buildFloor(outDir, log);
    const size = chooseSize(opts);
    const setup = {
      procs: opts.bigmemProcs,
      bytes: size.bytes,
      memAvailableBefore: size.avail,
      shmemThp: readSys('/sys/kernel/mm/transparent_hugepage/shmem_enabled'),
    };
    log(`bench: bigmem: ${opts.bigmemProcs} processes mapping one ${size.bytes / MiB} MiB memfd, writing every page...`);
    const mappers = await startMappers({ outDir, bytes: size.bytes, procs: opts.bigmemProcs, shouldStop, log });
    let one;
    let noBudget;
    let driven;
    let dash = null;
    try {
      setup.spawnMs = mappers.spawnMs;
      setup.pids = mappers.pids;
      setup.memAvailableLoaded = meminfo('MemAvailable');
      log(`bench: bigmem: mapped in ${mappers.spawnMs} ms; one read, ${NO_BUDGET_REPS} passes without a budget, ${opts.bigmemTicks} ticks...`);
      one = await oneRead(addon, procRoot, mappers.pids[0], shouldStop);
      if (shouldStop()) return null;
      const fullReader = new addon.Reader({ procRoot });
      noBudget = await measureRounds(
        [
          { id: 'floor', measure: () => runFloor(floorBin, 1, procRoot)[0] },
          { id: 'full', run: () => fullReader.sample() },
        ],
        { warmup: 0, reps: NO_BUDGET_REPS, shouldStop },
      );
      if (shouldStop()) return null;
      driven = await driveTicks(ctx, mappers.pids);
      if (shouldStop()) return null;
      dash = await watchDashboard({ root: ctx.spmonRoot || root, intervalSec: opts.dashIntervalMs / 1000, seconds: opts.bigmemDashSeconds, shouldStop, log });
      if (shouldStop()) return null;
    } finally {
      const s = await mappers.stop();
      log(`bench: bigmem: ended the ${s.stopped} mappers in ${s.stopMs} ms`);
    }
    return report({ setup, size, one, noBudget, driven, dash, opts });
  },
};

function report({ setup, size, one, noBudget, driven, dash, opts }) {
  const { ticks, budgetMs, schedule } = driven;
  const later = ticks.filter((t) => !t.first); // the first tick reads everything (no history)
  const first = ticks.find((t) => t.first);
  const smaps = summarize(later.map((t) => t.smapsMs));
  const floor = noBudget.floor;
  const gib = size.bytes / GiB;
  const oneAddon = summarize(one.addonSmapsMs);
  const rows = [];
  const G1 = `one mapper's smaps_rollup (${fmt(gib, 2)} GiB mapped, every page resident)`;
  rows.push({ id: 'one-node', group: G1, label: 'fs.readFileSync(/proc/<pid>/smaps_rollup)', baseline: null, headline: false, wall: one.node.wall, cpu: one.node.cpu, samplesMs: one.node.samplesMs });
  rows.push({ id: 'one-addon', group: G1, label: 'the addon: stats.smapsMs for that one pid', baseline: null, headline: false, wall: oneAddon, cpu: NONE, samplesMs: { wall: one.addonSmapsMs } });

  const G2 = `per tick, driven as the dashboard drives it (ticks 2-${ticks.length}, ${opts.dashIntervalMs} ms apart)`;
  rows.push({ id: 'budget', group: G2, label: `the budget (--smaps-budget default)`, baseline: null, headline: false, wall: single(budgetMs), cpu: NONE });
  rows.push({
    id: 'smaps-ms',
    group: G2,
    label: 'smaps reading per tick (stats.smapsMs)',
    baseline: 'budget',
    headline: true,
    wall: smaps,
    cpu: NONE,
    ratioWall: ratio(smaps.median, budgetMs),
    ratioCpu: null,
    samplesMs: { wall: later.map((t) => t.smapsMs) },
  });
  rows.push({ id: 'smaps-ms-max', group: G2, label: 'smaps reading, the worst tick', baseline: 'budget', headline: true, wall: single(smaps.max), cpu: NONE, ratioWall: ratio(smaps.max, budgetMs), ratioCpu: null });
  const tw = summarize(later.map((t) => t.sampleWallMs));
  const tc = summarize(later.map((t) => t.sampleCpuMs));
  rows.push({ id: 'tick-sample', group: G2, label: 'reader.sample() per tick (the whole pass)', baseline: 'floor', headline: false, wall: tw, cpu: tc, ratioWall: ratio(tw.median, floor.wall.median), ratioCpu: ratio(tc.median, floor.cpu.median) });

  const G3 = 'every smaps_rollup, no budget';
  rows.push({ id: 'floor', group: G3, label: 'C floor: one pass, six files per pid', baseline: null, headline: false, wall: floor.wall, cpu: floor.cpu, samplesMs: floor.samplesMs });
  const full = noBudget.full;
  rows.push({ id: 'full', group: G3, label: 'reader.sample() defaults (every smaps_rollup)', baseline: 'floor', headline: false, wall: full.wall, cpu: full.cpu, ratioWall: ratio(full.wall.median, floor.wall.median), ratioCpu: ratio(full.cpu.median, floor.cpu.median), samplesMs: full.samplesMs });
  if (first) {
    rows.push({ id: 'first-tick', group: G3, label: "the driven dashboard's first tick (no history)", baseline: 'floor', headline: false, wall: single(first.sampleWallMs), cpu: single(first.sampleCpuMs), ratioWall: ratio(first.sampleWallMs, floor.wall.median), ratioCpu: ratio(first.sampleCpuMs, floor.cpu.median) });
  }
  if (dash) {
    rows.push({
      id: 'dashboard',
      group: 'the real dashboard (bin/spmon in tmux)',
      label: 'dashboard CPU per tick (/proc) vs C floor',
      baseline: 'floor',
      headline: true,
      wall: NONE,
      cpu: single(dash.selfPerTickMs, dash.ticks),
      ratioWall: null,
      ratioCpu: ratio(dash.selfPerTickMs, floor.cpu.median),
    });
  }
  return { processCount: ticks.length ? ticks[ticks.length - 1].count : null, rows, notes: notes({ setup, size, one, oneAddon, ticks, later, smaps, budgetMs, schedule, floor, dash, opts }), setup, ticks, dashboard: dash };
}

function notes({ setup, size, one, oneAddon, ticks, later, smaps, budgetMs, schedule, floor, dash, opts }) {
  const gib = size.bytes / GiB;
  const out = [];
  if (size.note) out.push(size.note);
  out.push(
    `load: ${setup.procs} processes x ${fmt(gib, 2)} GiB memfd = ${fmt(setup.procs * gib)} GiB of resident pages to walk, ${fmt(gib, 2)} GiB of RAM; ` +
      `mapped and touched in ${(setup.spawnMs / 1000).toFixed(1)} s; MemAvailable ${fmt(setup.memAvailableBefore / GiB)} -> ${fmt(setup.memAvailableLoaded / GiB)} GiB; ` +
      `shmem THP: ${setup.shmemThp ?? 'unknown'} (4 KiB pages unless it says always/within_size)`,
  );
  const perGiB = one.node.cpu.median / gib;
  out.push(
    `one read: ${fmt(one.node.wall.median)} ms wall / ${fmt(one.node.cpu.median)} ms CPU (Node), ${fmt(oneAddon.median)} ms (addon) = ${fmt(perGiB)} ms CPU per GiB mapped; ` +
      `${fmt(one.node.wall.median / budgetMs, 2)}x the ${budgetMs} ms budget on its own`,
  );
  const over = later.filter((t) => t.smapsMs > budgetMs);
  out.push(
    `smaps reading per tick (ticks 2-${ticks.length}): median ${fmt(smaps.median)} ms, p90 ${fmt(smaps.p90)}, max ${fmt(smaps.max)} ms against the ${budgetMs} ms budget; ` +
      `${over.length} of ${later.length} ticks over it (${over.length ? `by ${fmt(Math.min(...over.map((t) => t.smapsMs)) - budgetMs)} to ${fmt(Math.max(...over.map((t) => t.smapsMs)) - budgetMs)} ms` : 'none'})`,
  );
  const hist = new Map();
  for (const t of later) hist.set(t.mappersRead, (hist.get(t.mappersRead) || 0) + 1);
  const ever = later.filter((t) => t.mappersRead > 0);
  const firstReread = ever.length ? ever[0] : null;
  out.push(
    `mappers read per tick: ${[...hist].sort((a, b) => a[0] - b[0]).map(([k, n]) => `${k} in ${n} ticks`).join(', ')}; ` +
      `all smaps reads per tick (stats.smapsRead): median ${fmt(summarize(later.map((t) => t.smapsRead)).median, 0)}, ` +
      `max ${fmt(summarize(later.map((t) => t.smapsRead)).max, 0)}. The schedule reads a process of S GiB at most every ${schedule.msPerGiB} ms x S ` +
      `(${fmt((schedule.msPerGiB * gib) / 1000)} s here), never two ticks running; the first re-read came at ${firstReread ? `${fmt(firstReread.atMs / 1000)} s` : 'no tick (none in this run)'}`,
  );
  const lastTick = ticks[ticks.length - 1];
  out.push(
    `age of the mappers' readings: max ${fmt(Math.max(...later.map((t) => t.mapperMaxAgeMs)) / 1000)} s over the ticks, ${fmt(lastTick.mapperMaxAgeMs / 1000)} s at the last ` +
      `(${fmt(lastTick.atMs / 1000)} s after the first); every process: max ${fmt(Math.max(...later.map((t) => t.allMaxAgeMs)) / 1000)} s, ` +
      `${lastTick.noReading} without any reading at the last tick (maxAge ${schedule.maxAgeMs / 1000} s)`,
  );
  out.push(`reader.sample() per tick: median ${fmt(summarize(later.map((t) => t.sampleCpuMs)).median)} ms CPU; one C floor pass (every smaps_rollup): ${fmt(floor.cpu.median)} ms CPU, ${fmt(floor.wall.median)} ms wall`);
  if (dash) {
    const tc = summarize(dash.tickCpuMs);
    const tw = summarize(dash.tickWallMs);
    out.push(
      `dashboard in tmux: ${fmt(dash.selfPerTickMs)} ms CPU per tick over ${dash.ticks} ticks (${fmt(dash.elapsedMs / 1000)} s after its 3 warm-up ticks), ` +
        `${fmt(dash.selfPerTickMs / floor.cpu.median, 2)}x the floor; tick() CPU median ${fmt(tc.median)}, p90 ${fmt(tc.p90)}, max ${fmt(tc.max)} ms, ` +
        `wall max ${fmt(tw.max)} ms; VmRSS ${fmt(dash.mem.rssBytes / 1e6, 0)} MB, VmHWM ${fmt(dash.mem.hwmBytes / 1e6, 0)} MB`,
    );
  }
  return out;
}
