'use strict';
// The real dashboard, as a user runs it: `node bin/spmon --interval S` in a pane of a
// private tmux server (its own TMUX_TMPDIR in a fresh temp directory, no config file,
// status line off), with bench/lib/tick_probe.js preloaded to count ticks. The pane runs
// node directly (no shell), so the pane's pid is the dashboard's pid.
//
// Only the server this module started is ever ended, through its own socket
// (kill-server); a dashboard pid that outlives it is SIGKILLed by pid after its start
// time is checked. A server still up when this process exits is ended from an 'exit'
// hook, so Ctrl-C in the middle of a run leaves nothing behind.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PROBE = path.join(__dirname, 'tick_probe.js');
const live = new Set(); // running Dashboard objects
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

const TICK_MS = 10; // USER_HZ

/** Fields of /proc/<pid>/stat after the comm, or null when the process is gone. */
function statFields(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU of a process in ms: own (utime + stime) and reaped children (cutime + cstime), and its start time. */
function cpuOf(pid) {
  const f = statFields(pid);
  if (!f) return null;
  return {
    selfMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
    childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS,
    start: f[19],
  };
}

/**
 * CPU ms (utime + stime) of each thread of a process, summed by thread name (comm;
 * the main thread is "main"): tells the JavaScript thread from V8's GC helpers
 * ("V8 DefaultWorke") and libuv's pool ("libuv-worker"). Threads that ended are not
 * counted, so take the difference of two readings as a lower bound per group.
 */
function threadsOf(pid) {
  const out = {};
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    const f = statFields(`${pid}/task/${tid}`);
    if (!f) continue;
    let name = 'main';
    if (tid !== String(pid)) {
      try {
        name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
    }
    out[name] = (out[name] || 0) + (Number(f[11]) + Number(f[12])) * TICK_MS;
  }
  return out;
}

/** VmRSS and VmHWM (peak) of a process in bytes, or null. */
function memOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const kb = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

class Dashboard {
  constructor({ root, intervalSec, cols = 120, rows = 40, extraEnv = {} }) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-bench-tmux-'));
    this.tickFile = path.join(this.dir, 'ticks');
    fs.writeFileSync(this.tickFile, '');
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    this.socket = path.join(this.dir, `tmux-${uid}`, 'default'); // where TMUX_TMPDIR puts the default server
    this.env = { ...process.env, ...extraEnv, TMUX_TMPDIR: this.dir, SPMON_BENCH_TICK_FILE: this.tickFile };
    delete this.env.TMUX;
    delete this.env.TMUX_PANE;
    this.argv = [process.execPath, '-r', PROBE, path.join(root, 'bin', 'spmon'), '--interval', String(intervalSec)];
    this.cols = cols;
    this.rows = rows;
    this.pid = null;
    this.startTime = null;
    this.serverPid = null;
    this.stopped = false;
  }

  tmux(...args) {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { env: this.env, encoding: 'utf8', timeout: 10000 });
    if (r.error) throw new Error(`tmux ${args[0]}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`tmux ${args[0]} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Start the server and the dashboard; wait until it has completed `warmTicks` ticks. */
  async start({ warmTicks = 3, timeoutMs = 60000 } = {}) {
    fs.mkdirSync(path.dirname(this.socket), { recursive: true, mode: 0o700 });
    live.add(this);
    this.tmux(
      '-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(this.cols), '-y', String(this.rows), ...this.argv,
      ';', 'set-option', '-g', 'status', 'off',
      ';', 'set-option', '-g', 'remain-on-exit', 'on',
    );
    this.serverPid = Number(this.tmux('display-message', '-p', '-t', 'bench', '#{pid}').trim());
    this.pid = Number(this.tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
    const c = cpuOf(this.pid);
    const cmd = fs.readFileSync(`/proc/${this.pid}/cmdline`, 'latin1');
    if (!c || !cmd.includes('bin/spmon')) throw new Error(`pane pid ${this.pid} is not the dashboard (${cmd.replace(/\0/g, ' ')})`);
    this.startTime = c.start;
    const deadline = Date.now() + timeoutMs;
    while (this.ticks().length < warmTicks) {
      if (this.paneDead()) throw new Error(`the dashboard exited:\n${this.capture()}`);
      if (Date.now() > deadline) throw new Error(`the dashboard did not tick ${warmTicks} times in ${timeoutMs} ms:\n${this.capture()}`);
      await delay(50);
    }
  }

  paneDead() {
    try {
      return this.tmux('display-message', '-p', '-t', 'bench', '#{pane_dead}').trim() === '1';
    } catch {
      return true;
    }
  }

  /** Ticks the probe recorded so far: [{ cpuMs, wallMs, atMs, heapTotal, heapUsed, external, rss }]. */
  ticks() {
    return fs
      .readFileSync(this.tickFile, 'utf8')
      .split('\n')
      .filter((l) => l)
      .map((l) => {
        const [cpuMs, wallMs, atMs, heapTotal, heapUsed, external, rss] = l.split(' ').map(Number);
        return { cpuMs, wallMs, atMs, heapTotal, heapUsed, external, rss };
      });
  }

  /** Wait until one more tick has ended (the dashboard is then idle for about an interval). */
  async nextTick(timeoutMs = 30000) {
    const n = this.ticks().length;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = this.ticks();
      if (t.length > n) return t.length;
      if (Date.now() > deadline) throw new Error(`no dashboard tick within ${timeoutMs} ms`);
      await delay(5);
    }
  }

  /** CPU and memory of the dashboard and the tmux server now. */
  reading() {
    return { atMs: Date.now(), dashboard: cpuOf(this.pid), threads: threadsOf(this.pid), mem: memOf(this.pid), server: cpuOf(this.serverPid) };
  }

  capture() {
    try {
      return this.tmux('capture-pane', '-p', '-t', 'bench');
    } catch (err) {
      return `(capture-pane failed: ${err.message})`;
    }
  }

  /** End exactly this server; make sure the dashboard is gone; remove the temp directory. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    this.stopSync();
    for (let i = 0; i < 100 && this.alive(); i++) await delay(50);
    if (this.alive()) process.kill(this.pid, 'SIGKILL'); // ours: same pid and start time
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  alive() {
    const c = this.pid ? cpuOf(this.pid) : null;
    return c !== null && c.start === this.startTime;
  }

  stopSync() {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { env: this.env, stdio: 'ignore', timeout: 10000 });
  }
}

/**
 * Run the dashboard in tmux and watch it for `seconds` after `warmTicks` ticks: its CPU
 * per tick (utime + stime of all its threads between two readings taken just after a
 * tick ended, over the ticks counted in between), its children's, tick() as its status
 * bar shows it, VmRSS and VmHWM at the end. Ends the server whatever happens. Returns
 * null when stopped by Ctrl-C.
 */
async function watchDashboard({ root, intervalSec, seconds, warmTicks = 3, shouldStop = () => false, log = () => {} }) {
  const dash = new Dashboard({ root, intervalSec });
  let a;
  let b;
  let ticks;
  let screen;
  try {
    log(`bench: dashboard: node bin/spmon --interval ${intervalSec} in tmux, ${seconds} s...`);
    await dash.start({ warmTicks });
    const n0 = await dash.nextTick();
    a = dash.reading();
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until && !shouldStop()) await delay(100);
    const n1 = await dash.nextTick(120000);
    b = dash.reading();
    screen = dash.capture();
    ticks = dash.ticks().slice(n0, n1);
  } finally {
    await dash.stop();
  }
  if (shouldStop()) return null;
  const n = ticks.length;
  return {
    // The two readings, the probe's tick records and the last screen, for a case that wants more.
    first: a,
    last: b,
    tickRecords: ticks,
    screen,
    ticks: n,
    elapsedMs: b.atMs - a.atMs,
    selfPerTickMs: (b.dashboard.selfMs - a.dashboard.selfMs) / n,
    childrenPerTickMs: (b.dashboard.childrenMs - a.dashboard.childrenMs) / n,
    tickCpuMs: ticks.map((t) => t.cpuMs),
    tickWallMs: ticks.map((t) => t.wallMs),
    mem: b.mem,
  };
}

process.on('exit', () => {
  for (const d of live) {
    d.stopSync();
    try {
      if (d.alive()) process.kill(d.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(d.dir, { recursive: true, force: true });
  }
});

module.exports = { Dashboard, watchDashboard, cpuOf, memOf, threadsOf };
