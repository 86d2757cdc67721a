'use strict';
// Issue 17: spmon beside the monitors users already run. spmon's dashboard (`bin/spmon
// --interval 1`, run as a program as users run it), htop (`-d 10`) and btop (`update_ms = 1000`), Debian's packages (installed
// by scripts/needs.js ensure() when missing, as npm test brings its dependencies), each alone
// in a private tmux server at 120x40 with a private HOME holding its config
// (bench/lib/monitor_pane.js); and spmon's daemon (`spmon --interval 1 daemon --socket <private>
// --metrics 127.0.0.1:<free port>`, private HOME, XDG_RUNTIME_DIR and XDG_STATE_HOME) with its
// /metrics scraped by this process at 1 Hz.
//
// Per subject, in rounds (--peers-starts of them, the order rotated every round):
//   - time from start to the first frame with process rows: the pane is polled with
//     `capture-pane -p` every 20 ms; a row is a line naming a live pid and its name
//     (monitor_pane.js processRows, at least 5 of them); median of the starts;
//   - in the last round each one also runs on: --peers-warmup seconds from its start, then
//     --peers-seconds measured: CPU % of one CPU from /proc/<pid>/stat (utime + stime of the
//     process, its reaped children and those still alive), VmRSS at the end and VmHWM (peak);
//     also the CPU from its start to the end of the window: with the defaults (30 s + 30 s), the
//     first minute, when a user opens it and reads it.
// The daemon then runs as long again without scrapes (its ticks alone), and a bare Node HTTP server with the
// daemon's flags answers the same scrapes with as many bytes (what being scraped costs any Node server).
// The tmux server's CPU (the terminal's cost of drawing what the monitor writes) is recorded
// apart, not in the monitor's figure. Nothing is asserted: the ratios against issue 17's goals
// are printed and go into the JSON.

const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { performance } = require('perf_hooks');
const { ensure, plan, aptLine, which } = require('../../scripts/needs');
const { MonitorPane, treeCpuMs, cpuOf, memOf } = require('../lib/monitor_pane');
const { processCount } = require('../lib/machine');
const { summarize, ratio } = require('../lib/stats');
const load = require('../load');

const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };
const single = (v, n = 1) => ({ ...NONE, n, median: v, min: v, max: v, mean: v });
const MB = 1e6;
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const MIN_ROWS = 5;
const POLL_MS = 20;

// Issue 17's goals.
const GOALS = {
  cpuVsBtop: 1, // dashboard CPU <= btop's
  daemonVsDashboard: 0.5, // daemon CPU <= half the dashboard's
  frameVsHtop: 1.5, // first frame with rows <= 1.5x htop's
  dashboardRss: (extra) => (extra > 0 ? 80 * MB : 55 * MB), // <= 55 MB at ~70 processes, <= 80 MB at ~1,070
  daemonRss: 50 * MB, // at ~70 processes
};

const NEEDS = [
  { id: 'tmux', command: 'tmux', debian: ['tmux'], why: 'the peers bench case runs each monitor in a private tmux server' },
  { id: 'htop', command: 'htop', debian: ['htop'], why: 'the peers bench case measures htop beside spmon' },
  { id: 'btop', command: 'btop', debian: ['btop'], why: 'the peers bench case measures btop beside spmon' },
];

let needsState = null; // once per run: { htop, btop, versions, note } or { error }

/** htop and btop (and tmux), brought by apt-get when missing (scripts/needs.js); their paths and versions. */
function bringNeeds(opts, log) {
  if (needsState) {
    if (needsState.error) throw new Error(needsState.error);
    return needsState;
  }
  const before = plan(NEEDS, { env: process.env });
  const missing = before.missing.map((n) => n.id);
  let error = null;
  if (missing.length && opts.noApt) {
    error = `peers: missing ${missing.join(', ')} and --no-apt is set; install them, then run again:\n  ${aptLine(before.debian)}`;
  } else if (missing.length) {
    const r = ensure(NEEDS, { title: 'npm run bench -- --case peers', log: (line) => log(`bench: peers: ${line}`) });
    if (!r.ok) error = r.message.trim();
  }
  if (error) {
    needsState = { error };
    throw new Error(error);
  }
  const version = (bin) => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10000 });
    return `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n')[0];
  };
  const htop = which('htop');
  const btop = which('btop');
  needsState = {
    htop,
    btop,
    versions: { htop: version(htop), btop: version(btop), tmux: spawnSync('tmux', ['-V'], { encoding: 'utf8' }).stdout.trim() },
    note: missing.length ? `installed by this run: ${missing.join(', ')} (${aptLine(before.debian)})` : null,
  };
  return needsState;
}

/** The environment every subject starts from: this process's, without what would point it at another spmon or tmux. */
function baseEnv() {
  const env = { ...process.env, LANG: 'C.UTF-8' };
  for (const k of Object.keys(env)) if (k.startsWith('SPMON_') || k.startsWith('LC_')) delete env[k];
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

function monitors(spmonBin, needs) {
  return [
    { id: 'spmon', label: 'spmon dashboard (--interval 1)', argv: [spmonBin, '--interval', '1'], expect: 'bin/spmon', files: {} },
    { id: 'htop', label: `htop -d 10 (${needs.versions.htop})`, argv: [needs.htop, '-d', '10'], expect: 'htop', files: {} },
    {
      id: 'btop',
      label: `btop, update_ms = 1000 (${needs.versions.btop})`,
      argv: [needs.btop],
      expect: 'btop',
      files: { '.config/btop/btop.conf': 'update_ms = 1000\n' },
    },
  ];
}

function newPane(m) {
  return new MonitorPane({ argv: m.argv, expect: m.expect, env: baseEnv(), home: true, files: m.files, prefix: 'spmon-bench-peer-' });
}

/** Sleep until performance.now() reaches `at`, in short steps so that Ctrl-C stays responsive. */
async function until(at, shouldStop) {
  while (performance.now() < at && !shouldStop()) await delay(Math.min(200, Math.max(1, at - performance.now())));
}

/**
 * One start of a monitor: the time to its first frame with process rows; with `window`, it runs
 * on for the warm-up and the measured window and its CPU and memory are read. Ends its server.
 */
async function runMonitor(m, { window, opts, shouldStop }) {
  const pane = newPane(m);
  try {
    const t0 = await pane.launch();
    const frame = await pane.waitForRows(t0, { minRows: MIN_ROWS, pollMs: POLL_MS });
    const out = { frame: { ms: frame.ms, lowerMs: frame.lowerMs, polls: frame.polls, rows: frame.rows } };
    if (!window) return out;
    const warmEnd = t0 + opts.peersWarmup * 1000;
    await until(warmEnd, shouldStop);
    const a = pane.reading();
    const procsA = processCount();
    await until(a.atMs + opts.peersSeconds * 1000, shouldStop);
    if (shouldStop()) return null;
    const b = pane.reading();
    const procsB = processCount();
    if (a.treeMs === null || b.treeMs === null || !b.mem) throw new Error(`${m.id} exited during the measurement:\n${pane.capture()}`);
    const screen = pane.capture();
    const wallMs = b.atMs - a.atMs;
    out.window = {
      wallMs,
      cpuPct: ((b.treeMs - a.treeMs) / wallMs) * 100,
      ownCpuPct: ((b.proc.selfMs - a.proc.selfMs) / wallMs) * 100,
      startupCpuPct: (a.treeMs / (a.atMs - t0)) * 100, // from its start to the end of the warm-up
      firstCpuPct: (b.treeMs / (b.atMs - t0)) * 100, // from its start to the end of the window (the first minute by default)
      serverCpuPct: ((b.server.selfMs - a.server.selfMs) / wallMs) * 100,
      rssBytes: b.mem.rssBytes,
      hwmBytes: b.mem.hwmBytes,
      threadsAtEnd: b.threads ? Object.keys(b.threads).length : null,
      processCount: [procsA, procsB],
      screen,
    };
    return out;
  } finally {
    await pane.stop();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** GET url with a keep-alive agent; { status, bytes, ms }. */
function scrape(url, agent) {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      let bytes = 0;
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode, bytes, ms: performance.now() - t }));
      res.on('error', (err) => resolve({ status: null, error: err.message, bytes, ms: performance.now() - t }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: null, error: err.message, bytes: 0, ms: performance.now() - t }));
  });
}

/** End a child this case started: SIGTERM, SIGKILL if it has not exited 10 s later; resolves once it has. */
async function endChild(child, exited) {
  let done = false;
  child.kill('SIGTERM');
  const timer = setTimeout(() => !done && child.kill('SIGKILL'), 10000);
  await exited;
  done = true;
  clearTimeout(timer);
}

/**
 * The daemon in a private world, /metrics scraped at 1 Hz from the first answer on; its CPU
 * (process and children) and memory over the same window as the monitors'. Ended by its pid
 * (SIGTERM through its ChildProcess, SIGKILL after 10 s), the directory removed.
 */
async function runDaemon(spmonBin, { opts, shouldStop }) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-bench-peer-daemon-'));
  const env = baseEnv();
  const dirs = {
    HOME: path.join(base, 'home'),
    XDG_CONFIG_HOME: path.join(base, 'home', '.config'),
    XDG_RUNTIME_DIR: path.join(base, 'run'),
    XDG_STATE_HOME: path.join(base, 'state'),
    TMUX_TMPDIR: path.join(base, 'tmux'),
  };
  for (const [k, v] of Object.entries(dirs)) {
    fs.mkdirSync(v, { recursive: true, mode: 0o700 });
    env[k] = v;
  }
  const socket = path.join(dirs.XDG_RUNTIME_DIR, 'daemon.sock');
  const logFile = path.join(base, 'daemon.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const argv = [spmonBin, '--interval', '1', 'daemon', '--socket', socket, '--metrics', `127.0.0.1:${port}`];
  const logFd = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  // Run as a program, as users run it: bin/spmon's sh line gives the daemon its Node flags.
  const child = spawn(spmonBin, argv.slice(1), { env, cwd: base, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  load.track(child, 'SIGTERM'); // run.js's Ctrl-C and error paths end it too
  let exited = null;
  const exitP = new Promise((r) => child.once('exit', (code, sig) => r((exited = sig || String(code)))));
  const scrapes = [];
  let stopScraping = false;
  let loop = null;
  try {
    const log = () => {
      try {
        return fs.readFileSync(logFile, 'utf8').slice(-2000);
      } catch {
        return '';
      }
    };
    // The first answer of /metrics.
    let first = null;
    for (const deadline = performance.now() + 30000; ; ) {
      if (exited !== null) throw new Error(`the daemon exited (${exited}):\n${log()}`);
      const s = await scrape(url, agent);
      if (s.status === 200) {
        first = { ms: performance.now() - t0, bytes: s.bytes };
        scrapes.push({ at: performance.now(), ...s });
        break;
      }
      if (performance.now() > deadline) throw new Error(`the daemon's ${url} did not answer within 30 s:\n${log()}`);
      await delay(POLL_MS);
    }
    const startTime = cpuOf(child.pid).start;
    loop = (async () => {
      let next = scrapes[0].at + 1000;
      while (!stopScraping) {
        await until(next, () => stopScraping);
        if (stopScraping) break;
        next += 1000;
        scrapes.push({ at: performance.now(), ...(await scrape(url, agent)) });
      }
    })();
    await until(t0 + opts.peersWarmup * 1000, shouldStop);
    const a = { atMs: performance.now(), treeMs: treeCpuMs(child.pid), proc: cpuOf(child.pid) };
    const procsA = processCount();
    await until(a.atMs + opts.peersSeconds * 1000, shouldStop);
    if (shouldStop()) return null;
    const b = { atMs: performance.now(), treeMs: treeCpuMs(child.pid), proc: cpuOf(child.pid), mem: memOf(child.pid) };
    const procsB = processCount();
    if (a.treeMs === null || b.treeMs === null || !b.proc || b.proc.start !== startTime || !b.mem) throw new Error(`the daemon exited during the measurement:\n${log()}`);
    stopScraping = true;
    await loop;
    // The same daemon for as long again without scrapes (after 2 s, for the last scrape's work to end): what its
    // ticks cost alone (the rest is the scrapes').
    await until(performance.now() + 2000, shouldStop);
    const c = { atMs: performance.now(), treeMs: treeCpuMs(child.pid) };
    await until(c.atMs + opts.peersSeconds * 1000, shouldStop);
    if (shouldStop()) return null;
    const d = { atMs: performance.now(), treeMs: treeCpuMs(child.pid), proc: cpuOf(child.pid) };
    if (c.treeMs === null || d.treeMs === null || !d.proc || d.proc.start !== startTime) throw new Error(`the daemon exited during the measurement:\n${log()}`);
    const inWindow = scrapes.filter((s) => s.at >= a.atMs && s.at <= b.atMs);
    const wallMs = b.atMs - a.atMs;
    return {
      firstMetricsMs: first.ms,
      unscrapedCpuPct: ((d.treeMs - c.treeMs) / (d.atMs - c.atMs)) * 100,
      window: {
        wallMs,
        cpuPct: ((b.treeMs - a.treeMs) / wallMs) * 100,
        ownCpuPct: ((b.proc.selfMs - a.proc.selfMs) / wallMs) * 100,
        startupCpuPct: (a.treeMs / (a.atMs - t0)) * 100,
        firstCpuPct: (b.treeMs / (b.atMs - t0)) * 100,
        rssBytes: b.mem.rssBytes,
        hwmBytes: b.mem.hwmBytes,
        processCount: [procsA, procsB],
      },
      scrapes: {
        inWindow: inWindow.length,
        failed: inWindow.filter((s) => s.status !== 200).length,
        ms: summarize(inWindow.map((s) => s.ms)),
        bytes: summarize(inWindow.map((s) => s.bytes)),
      },
      argv: ['spmon', ...argv.slice(1)].join(' '),
    };
  } finally {
    stopScraping = true;
    if (loop) await loop.catch(() => {});
    agent.destroy();
    if (exited === null) await endChild(child, exitP);
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/**
 * The cost of being scraped at all: a bare Node HTTP server (the daemon's flags, `--single-threaded --no-opt`)
 * answering every GET with `bytes` bytes of fixed text, scraped as the daemon is (1 Hz, one keep-alive
 * connection) for --peers-seconds after 2 s; its CPU % (process and children). Ended by its pid.
 */
async function runHttpBaseline(bytes, { opts, shouldStop }) {
  const code =
    "const body = Buffer.alloc(Number(process.argv[1]), 'x');" +
    "const s = require('http').createServer((q, r) => { r.setHeader('Content-Type', 'text/plain; version=0.0.4'); r.end(body); });" +
    "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
  const child = spawn(process.execPath, ['--single-threaded', '--no-opt', '-e', code, String(Math.max(1, Math.round(bytes)))], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  load.track(child, 'SIGTERM');
  let exited = false;
  const exitP = new Promise((r) => {
    child.once('exit', () => r((exited = true)));
    child.once('error', () => r((exited = true))); // not started: no exit will come
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      void exitP.then(() => reject(new Error('the HTTP baseline server exited before listening')));
      const timer = setTimeout(() => reject(new Error('the HTTP baseline server did not listen within 10 s')), 10000);
      timer.unref();
    });
    const url = `http://127.0.0.1:${port}/metrics`;
    const t0 = performance.now();
    let a = null;
    for (let next = t0; ; next += 1000) {
      await until(next, shouldStop);
      if (shouldStop()) return null;
      if (!a && performance.now() >= t0 + 2000) a = { atMs: performance.now(), treeMs: treeCpuMs(child.pid) };
      if (a && performance.now() >= a.atMs + opts.peersSeconds * 1000) break;
      await scrape(url, agent);
    }
    const b = { atMs: performance.now(), treeMs: treeCpuMs(child.pid) };
    if (a.treeMs === null || b.treeMs === null) throw new Error('the HTTP baseline server exited during the measurement');
    return ((b.treeMs - a.treeMs) / (b.atMs - a.atMs)) * 100;
  } finally {
    agent.destroy();
    if (!exited) await endChild(child, exitP);
  }
}

const pct = (v) => (v === null || v === undefined ? '-' : v.toFixed(2));
const mb = (v) => (v === null || v === undefined ? '-' : (v / MB).toFixed(1));
const rx = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(2)}x`);
const met = (ok) => (ok ? 'met' : 'NOT met');

module.exports = {
  name: 'peers',
  order: 38,
  optIn: true,
  title: "spmon's dashboard and daemon beside htop and btop: CPU, RSS, first frame with process rows (issue 17)",
  NEEDS,
  async run(ctx) {
    const { root, spmonRoot, opts, level, shouldStop, log } = ctx;
    const needs = bringNeeds(opts, log);
    const spmonBin = path.join(spmonRoot || root, 'bin', 'spmon');
    const mons = monitors(spmonBin, needs);
    const countAtStart = processCount();
    const subjects = [...mons.map((m) => m.id), 'daemon'];
    const res = Object.fromEntries(subjects.map((id) => [id, { frames: [], window: null }]));
    const starts = opts.peersStarts;
    for (let r = 0; r < starts && !shouldStop(); r++) {
      const last = r === starts - 1;
      const order = subjects.map((_, k) => subjects[(r + k) % subjects.length]);
      for (const id of order) {
        if (shouldStop()) break;
        if (id === 'daemon') {
          if (!last) continue;
          log(`bench: peers @ ${level.label}: daemon with /metrics at 1 Hz, ${opts.peersWarmup} s + ${opts.peersSeconds} s...`);
          const d = await runDaemon(spmonBin, { opts, shouldStop });
          if (!d) return null;
          log(`bench: peers @ ${level.label}: a bare Node HTTP server scraped as the daemon was, ${opts.peersSeconds} s...`);
          d.httpBaselineCpuPct = await runHttpBaseline(d.scrapes.bytes.median || 0, { opts, shouldStop });
          if (d.httpBaselineCpuPct === null) return null;
          Object.assign(res.daemon, d);
          continue;
        }
        const m = mons.find((x) => x.id === id);
        log(`bench: peers @ ${level.label}: ${m.label}, start ${r + 1}/${starts}${last ? `, then ${opts.peersWarmup} s + ${opts.peersSeconds} s` : ''}...`);
        const o = await runMonitor(m, { window: last, opts, shouldStop });
        if (!o) return null;
        res[id].frames.push(o.frame);
        if (o.window) res[id].window = o.window;
      }
    }
    if (shouldStop()) return null;

    for (const id of subjects) {
      const s = res[id];
      s.label = id === 'daemon' ? 'spmon daemon, /metrics at 1 Hz' : mons.find((m) => m.id === id).label;
      s.frame = s.frames.length ? summarize(s.frames.map((f) => f.ms)) : NONE;
      s.frameLower = s.frames.length ? summarize(s.frames.map((f) => f.lowerMs)) : NONE;
    }
    const counts = subjects.flatMap((id) => res[id].window.processCount);
    const processCounts = { atStart: countAtStart, min: Math.min(...counts), max: Math.max(...counts) };
    const cpu = (id) => res[id].window.cpuPct;
    const ratios = {
      cpuSpmonVsBtop: ratio(cpu('spmon'), cpu('btop')),
      cpuSpmonVsHtop: ratio(cpu('spmon'), cpu('htop')),
      cpuDaemonVsDashboard: ratio(cpu('daemon'), cpu('spmon')),
      cpuUnscrapedDaemonVsDashboard: ratio(res.daemon.unscrapedCpuPct, cpu('spmon')),
      frameSpmonVsHtop: ratio(res.spmon.frame.median, res.htop.frame.median),
      frameSpmonVsBtop: ratio(res.spmon.frame.median, res.btop.frame.median),
      rssSpmonVsBtop: ratio(res.spmon.window.rssBytes, res.btop.window.rssBytes),
      rssSpmonVsHtop: ratio(res.spmon.window.rssBytes, res.htop.window.rssBytes),
    };
    const dashRssGoal = GOALS.dashboardRss(level.extra);
    const goals = {
      cpuVsBtop: { goal: GOALS.cpuVsBtop, ratio: ratios.cpuSpmonVsBtop, met: ratios.cpuSpmonVsBtop <= GOALS.cpuVsBtop },
      daemonVsDashboard: { goal: GOALS.daemonVsDashboard, ratio: ratios.cpuDaemonVsDashboard, met: ratios.cpuDaemonVsDashboard <= GOALS.daemonVsDashboard },
      frameVsHtop: { goal: GOALS.frameVsHtop, ratio: ratios.frameSpmonVsHtop, met: ratios.frameSpmonVsHtop <= GOALS.frameVsHtop },
      dashboardRss: { goalBytes: dashRssGoal, rssBytes: res.spmon.window.rssBytes, met: res.spmon.window.rssBytes <= dashRssGoal },
      ...(level.extra === 0 ? { daemonRss: { goalBytes: GOALS.daemonRss, rssBytes: res.daemon.window.rssBytes, met: res.daemon.window.rssBytes <= GOALS.daemonRss } } : {}),
    };

    // Rows for run.js's table and summary: CPU as ms per second of wall (10 ms/s = 1 % of a CPU).
    const cpuGroup = 'CPU over the window, ms CPU per s of wall (10 ms/s = 1 % of one CPU)';
    const frameGroup = `first frame with process rows, ms from start (median of ${starts} start${starts > 1 ? 's' : ''})`;
    const cpuRow = (id, label, baseline, value, extra = {}) => ({
      id, group: cpuGroup, label, baseline, headline: !!baseline, wall: NONE, cpu: single(value * 10),
      ratioWall: null, ratioCpu: baseline ? ratio(value, extra.of) : null, ...extra,
    });
    const w = (id) => res[id].window;
    const rows = [
      cpuRow('htop', res.htop.label, null, cpu('htop'), { rssBytes: w('htop').rssBytes, hwmBytes: w('htop').hwmBytes }),
      cpuRow('btop', res.btop.label, null, cpu('btop'), { rssBytes: w('btop').rssBytes, hwmBytes: w('btop').hwmBytes }),
      cpuRow('spmon', res.spmon.label, null, cpu('spmon'), { rssBytes: w('spmon').rssBytes, hwmBytes: w('spmon').hwmBytes }),
      cpuRow('spmon-vs-btop', 'spmon dashboard vs btop, CPU ms/s (goal <= 1x)', 'btop', cpu('spmon'), { of: cpu('btop'), goal: GOALS.cpuVsBtop }),
      cpuRow('spmon-vs-htop', 'spmon dashboard vs htop, CPU ms/s', 'htop', cpu('spmon'), { of: cpu('htop') }),
      cpuRow('daemon', 'spmon daemon vs the dashboard, CPU ms/s (goal <= 0.5x)', 'spmon', cpu('daemon'), {
        of: cpu('spmon'), goal: GOALS.daemonVsDashboard, rssBytes: w('daemon').rssBytes, hwmBytes: w('daemon').hwmBytes,
      }),
      cpuRow('daemon-unscraped', 'spmon daemon, the same window after without scrapes, vs the dashboard', 'spmon', res.daemon.unscrapedCpuPct, { of: cpu('spmon') }),
      cpuRow('http-baseline', 'a bare Node HTTP server answering the same scrapes', null, res.daemon.httpBaselineCpuPct),
    ];
    for (const r of rows) delete r.of;
    const frameRow = (id, label, baseline, goal) => ({
      id: `frame-${id}`, group: frameGroup, label, baseline: baseline ? `frame-${baseline}` : null, headline: !!baseline,
      wall: res[id].frame, cpu: NONE, ratioWall: baseline ? ratio(res[id].frame.median, res[baseline].frame.median) : null, ratioCpu: null,
      samplesMs: { wall: res[id].frames.map((f) => f.ms) }, ...(goal ? { goal } : {}),
    });
    rows.push(
      frameRow('htop', 'htop', null),
      frameRow('btop', 'btop', null),
      frameRow('spmon', 'spmon dashboard vs htop, first frame (goal <= 1.5x)', 'htop', GOALS.frameVsHtop),
    );

    const size = level.extra > 0 ? `~${level.extra.toLocaleString('en')} extra` : 'the machine as is';
    const table = [
      `peers at ${size}: ${processCounts.min}–${processCounts.max} processes during the windows (${processCounts.atStart} when the case began); ` +
        `each alone, ${opts.peersWarmup} s warm-up then ${opts.peersSeconds} s; MB = 10^6 bytes`,
      `  | monitor | CPU % | RSS MB | HWM MB | first frame s |`,
      `  |---|---|---|---|---|`,
      ...['spmon', 'htop', 'btop', 'daemon'].map((id) => {
        const s = res[id];
        const f = id === 'daemon' ? `- (first /metrics ${(s.firstMetricsMs / 1000).toFixed(2)})` : (s.frame.median / 1000).toFixed(2);
        return `  | ${s.label} | ${pct(s.window.cpuPct)} | ${mb(s.window.rssBytes)} | ${mb(s.window.hwmBytes)} | ${f} |`;
      }),
    ];
    const notes = [
      ...table,
      `ratios: CPU spmon/btop ${rx(ratios.cpuSpmonVsBtop)} (goal <= 1x: ${met(goals.cpuVsBtop.met)}), spmon/htop ${rx(ratios.cpuSpmonVsHtop)}, ` +
        `daemon/dashboard ${rx(ratios.cpuDaemonVsDashboard)} (goal <= 0.5x: ${met(goals.daemonVsDashboard.met)}); ` +
        `first frame spmon/htop ${rx(ratios.frameSpmonVsHtop)} (goal <= 1.5x: ${met(goals.frameVsHtop.met)}), spmon/btop ${rx(ratios.frameSpmonVsBtop)}`,
      `RSS: dashboard ${mb(res.spmon.window.rssBytes)} MB (goal <= ${dashRssGoal / MB} MB: ${met(goals.dashboardRss.met)}; ${rx(ratios.rssSpmonVsBtop)} btop's, ${rx(ratios.rssSpmonVsHtop)} htop's)` +
        (goals.daemonRss ? `, daemon ${mb(res.daemon.window.rssBytes)} MB (goal <= 50 MB: ${met(goals.daemonRss.met)})` : ''),
      `first frames (ms, each start; the frame was not there yet at the poll before, ${POLL_MS} ms earlier plus a capture): ` +
        mons.map((m) => `${m.id} ${res[m.id].frames.map((f) => `${f.ms.toFixed(0)} (>${f.lowerMs.toFixed(0)})`).join(', ')}`).join('; '),
      `CPU from start to the end of the window (first ${opts.peersWarmup + opts.peersSeconds} s): ` +
        subjects.map((id) => `${id} ${pct(res[id].window.firstCpuPct)} %`).join(', '),
      `CPU from start to the end of the warm-up (first ${opts.peersWarmup} s): ` +
        subjects.map((id) => `${id} ${pct(res[id].window.startupCpuPct)} %`).join(', ') +
        `; own process only over the window: ${subjects.map((id) => `${id} ${pct(res[id].window.ownCpuPct)} %`).join(', ')}`,
      `tmux server (the terminal's cost, not in the figures above): ${mons.map((m) => `${m.id} ${pct(res[m.id].window.serverCpuPct)} %`).join(', ')}`,
      `daemon: ${res.daemon.argv}; ${res.daemon.scrapes.inWindow} scrapes in the window (${res.daemon.scrapes.failed} failed), ` +
        `${res.daemon.scrapes.ms.median === null ? '-' : res.daemon.scrapes.ms.median.toFixed(1)} ms and ${Math.round(res.daemon.scrapes.bytes.median || 0)} bytes each (median)`,
      `daemon's CPU split: ${pct(cpu('daemon'))} % scraped, ${pct(res.daemon.unscrapedCpuPct)} % in the ${opts.peersSeconds} s after without scrapes ` +
        `(${rx(ratios.cpuUnscrapedDaemonVsDashboard)} the dashboard's); a bare Node HTTP server (the daemon's flags) answering the same scrapes ` +
        `with as many bytes: ${pct(res.daemon.httpBaselineCpuPct)} %`,
      `${needs.versions.tmux}, 120x40, status off; each monitor with a private HOME (and XDG dirs) and TMUX_TMPDIR, LANG=C.UTF-8`,
    ];
    if (needs.note) notes.push(needs.note);
    return {
      processCount: processCounts.max,
      rows,
      notes,
      peers: {
        processCounts,
        settings: { seconds: opts.peersSeconds, warmup: opts.peersWarmup, starts, minRows: MIN_ROWS, pollMs: POLL_MS, cols: 120, rows: 40 },
        versions: needs.versions,
        subjects: res,
        ratios,
        goals,
      },
    };
  },
};
