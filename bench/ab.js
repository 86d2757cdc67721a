#!/usr/bin/env node
'use strict';
// Before/after in one run: two built checkouts measured on the same load, alternated in
// rounds (A B, B A, A B, ...) so that what else the machine does falls on both alike.
//
//   node bench/ab.js --before DIR [--after DIR] [--procs N] [--rounds N] [--dash-seconds S]
//                    [--once-runs N] [--reps N] [--warm-ticks N]
//
// DIR is a checkout with its addon and dist/ built (e.g. `git archive <commit> | tar -x -C
// DIR`, node_modules linked, `npx node-gyp rebuild && npm run build:ts` there); --after
// defaults to this checkout. With --procs N (default 1000, 4 of them touching 256 MiB, as
// `npm run bench`), per round and checkout: the real dashboard in tmux for --dash-seconds
// (CPU per tick, VmRSS and VmHWM at the end: bench/lib/dashboard_tmux.js), and
// --once-runs runs of `spmon --once --json --interval 0` (CPU, wall); then, both loaded in
// this process, in rotating rounds (--reps): a long-lived Reader.sample() of each addon, and
// a dashboard tick's reading (plan, sample(), model) as each checkout's own
// bench/lib/tick_driver.js drives its own dist/lib, 250 ms apart, after --warm-ticks (default 150) untimed ticks 20 ms
// apart that fill every process's history; also each addon's sample() without smaps, 0.5 s apart. Prints the medians, after ÷ before of the medians, and the median of the ratios
// within each round (the two sides of a round ran next to each other, so a change of load
// between rounds cancels out there); writes bench/out/ab-<time>.json. Keep a run under ten
// minutes: the load's `sleep 600` processes end then.

const fs = require('fs');
const path = require('path');
const load = require('./load');
const { watchDashboard } = require('./lib/dashboard_tmux');
const { runCommand } = require('./lib/child');
const { measureRounds, summarize, timeOnce } = require('./lib/stats');

const ROOT = path.resolve(__dirname, '..');

function options(argv) {
  const o = { before: null, after: ROOT, procs: 1000, rounds: 4, dashSeconds: 20, onceRuns: 6, reps: 40, warmTicks: 150 };
  const num = { '--procs': 'procs', '--rounds': 'rounds', '--dash-seconds': 'dashSeconds', '--once-runs': 'onceRuns', '--reps': 'reps', '--warm-ticks': 'warmTicks' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--before' || a === '--after') o[a.slice(2)] = path.resolve(argv[++i] ?? '');
    else if (num[a] && Number.isInteger(Number(argv[i + 1])) && Number(argv[i + 1]) >= 0) o[num[a]] = Number(argv[++i]);
    else throw new Error(`bench/ab.js: unknown or bad option ${a} (see the comment at the top)`);
  }
  if (!o.before) throw new Error('bench/ab.js: --before DIR is required');
  for (const dir of [o.before, o.after])
    for (const f of ['bin/spmon', 'dist/lib/cli.js', 'build/Release/spmon.node'])
      if (!fs.existsSync(path.join(dir, f))) throw new Error(`${dir}/${f} is missing: build that checkout first`);
  return o;
}

const median = (xs) => summarize(xs).median;
const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

async function main() {
  const o = options(process.argv.slice(2));
  let stopping = false;
  const shouldStop = () => stopping;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (stopping = true));
  process.on('exit', () => load.killAllSync());
  const log = (m) => process.stderr.write(`${m}\n`);
  const sides = { before: o.before, after: o.after };
  const keys = ['dash', 'rss', 'hwm', 'onceCpu', 'onceWall'];
  const got = { before: {}, after: {} };
  for (const side of Object.keys(got)) for (const k of keys) got[side][k] = [];
  const counts = [];
  const counter = new (require(path.join(o.after, 'build', 'Release', 'spmon.node')).Reader)({ maxHeldFds: 0 });
  let raised = null;
  try {
    if (o.procs > 0) {
      log(`ab: spawning ${o.procs} processes (4 touching 256 MiB)...`);
      raised = await load.startLoad({ procs: o.procs, big: Math.min(4, o.procs), bigMib: 256, shouldStop, log });
    }
    for (let r = 0; r < o.rounds && !stopping; r++) {
      counts.push(counter.sample({ host: false, cgroup: false, statm: false, status: false, io: false, smaps: false, cmdline: false }).count);
      for (const side of r % 2 === 0 ? ['after', 'before'] : ['before', 'after']) {
        const root = sides[side];
        log(`ab: round ${r + 1}/${o.rounds}, ${side}: dashboard ${o.dashSeconds} s, ${o.onceRuns} x --once`);
        const d = await watchDashboard({ root, intervalSec: 0.5, seconds: o.dashSeconds, shouldStop, log: () => {} });
        if (!d) break;
        got[side].dash.push(d.selfPerTickMs);
        got[side].rss.push(d.mem.rssBytes / 1e6);
        got[side].hwm.push(d.mem.hwmBytes / 1e6);
        const once = { cpu: [], wall: [] };
        for (let k = 0; k < o.onceRuns && !stopping; k++) {
          const x = runCommand({ label: 'spmon --once', argv: [process.execPath, path.join(root, 'bin', 'spmon'), '--once', '--json', '--interval', '0'] });
          once.cpu.push(x.cpuMs);
          once.wall.push(x.wallMs);
        }
        got[side].onceCpu.push(median(once.cpu));
        got[side].onceWall.push(median(once.wall));
      }
    }
    log(`ab: sample() of both addons, ${o.reps} rotating rounds...`);
    const readers = {};
    for (const [side, root] of Object.entries(sides)) readers[side] = new (require(path.join(root, 'build', 'Release', 'spmon.node')).Reader)({});
    const sample = await measureRounds(
      Object.entries(readers).map(([side, reader]) => ({ id: side, run: () => reader.sample() })),
      { warmup: 3, reps: o.reps, shouldStop },
    );
    // Without smaps (every later tick of a long-lived reader reads only a budget of them): what a pass of the
    // other files costs, each reader 0.5 s after its last pass, as at a dashboard's tick.
    log(`ab: sample() without smaps of both addons, ${o.reps} rotating rounds 0.5 s apart...`);
    const lean = { before: [], after: [] };
    for (let r = 0; r < o.reps + 3 && !stopping; r++) {
      for (let k = 0; k < 2; k++) {
        const side = (r + k) % 2 === 0 ? 'before' : 'after';
        const t = timeOnce(() => readers[side].sample({ smaps: false }));
        if (r >= 3) lean[side].push(t.cpuMs);
        await new Promise((res) => setTimeout(res, 250));
      }
    }
    log(`ab: dashboard ticks of both checkouts in this process, ${o.reps} rotating rounds 250 ms apart...`);
    const drivers = Object.entries(sides).map(([side, root]) => ({
      side,
      driver: require(path.join(root, 'bench', 'lib', 'tick_driver.js')).createTickDriver({
        addon: require(path.join(root, 'build', 'Release', 'spmon.node')),
        procRoot: '/proc',
        root,
      }),
    }));
    // Untimed ticks first, 20 ms apart, until every process's history is full (150 points), as in a dashboard
    // that has run for minutes: the model's per-process work depends on it (growth walks the history).
    for (let r = 0; r < o.warmTicks && !stopping; r++) {
      for (const { driver } of drivers) driver.tick();
      await new Promise((res) => setTimeout(res, 20));
    }
    const tickCpu = { before: [], after: [] };
    const ingestCpu = { before: [], after: [] };
    for (let r = 0; r < o.reps + 3 && !stopping; r++) {
      for (let k = 0; k < drivers.length; k++) {
        const { side, driver } = drivers[(r + k) % drivers.length];
        let t;
        const w = timeOnce(() => (t = driver.tick()));
        if (r >= 3) { // three untimed (without --warm-ticks, the first reads every smaps)
          tickCpu[side].push(w.cpuMs);
          ingestCpu[side].push(t.ingestMs);
        }
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    const row = (label, key, unit) => {
      const b = median(got.before[key]);
      const a = median(got.after[key]);
      const n = Math.min(got.before[key].length, got.after[key].length);
      const paired = median(Array.from({ length: n }, (_, i) => got.after[key][i] / got.before[key][i]));
      return { label, unit, before: b, after: a, ratio: a / b, pairedRatio: paired, perRound: { before: got.before[key], after: got.after[key] } };
    };
    const rows = [
      row('dashboard CPU per tick', 'dash', 'ms'),
      row('dashboard VmRSS at the end', 'rss', 'MB'),
      row('dashboard VmHWM at the end', 'hwm', 'MB'),
      row('spmon --once --json CPU (round median)', 'onceCpu', 'ms'),
      row('spmon --once --json wall (round median)', 'onceWall', 'ms'),
      { label: 'Reader.sample() CPU (long-lived)', unit: 'ms', before: sample.before.cpu.median, after: sample.after.cpu.median, ratio: sample.after.cpu.median / sample.before.cpu.median },
      { label: 'Reader.sample() CPU, no smaps, 0.5 s apart', unit: 'ms', before: median(lean.before), after: median(lean.after), ratio: median(lean.after) / median(lean.before) },
      { label: 'tick_driver model CPU (learn+ingest)', unit: 'ms', before: median(ingestCpu.before), after: median(ingestCpu.after), ratio: median(ingestCpu.after) / median(ingestCpu.before) },
      {
        label: 'tick_driver tick CPU (plan+sample+model)',
        unit: 'ms',
        before: median(tickCpu.before),
        after: median(tickCpu.after),
        ratio: median(tickCpu.after) / median(tickCpu.before),
        perTick: tickCpu,
      },
    ];
    console.log(`before: ${o.before}\nafter:  ${o.after}\nprocesses at the start of each round: ${counts.join(', ')}\n`);
    for (const x of rows)
      console.log(
        `${x.label.padEnd(42)} before ${fmt(x.before).padStart(7)} ${x.unit}   after ${fmt(x.after).padStart(7)} ${x.unit}` +
          `   after/before ${fmt(x.ratio, 3)}${x.pairedRatio === undefined ? '' : `, within rounds ${fmt(x.pairedRatio, 3)}`}`,
      );
    const out = path.join(ROOT, 'bench', 'out');
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `ab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ time: new Date().toISOString(), options: o, processCounts: counts, rows }, null, 1));
    console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);
  } finally {
    if (raised) await raised.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  load.killAllSync();
  process.exit(1);
});
