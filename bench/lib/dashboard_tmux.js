'use strict';
// The real dashboard, as a user runs it: `node bin/spmon --interval S` in a pane of a
// private tmux server (its own TMUX_TMPDIR in a fresh temp directory, no config file,
// status line off), with bench/lib/tick_probe.js preloaded to count ticks. The pane runs
// node directly (no shell), so the pane's pid is the dashboard's pid. The pane, its
// server and the /proc readings are bench/lib/monitor_pane.js's (the peers case runs htop
// and btop in the same kind of pane).
//
// Only the server this module started is ever ended, through its own socket
// (kill-server); a dashboard pid that outlives it is SIGKILLed by pid after its start
// time is checked. A server still up when this process exits is ended from an 'exit'
// hook, so Ctrl-C in the middle of a run leaves nothing behind.

const fs = require('fs');
const path = require('path');
const { MonitorPane, cpuOf, memOf, threadsOf } = require('./monitor_pane');

const PROBE = path.join(__dirname, 'tick_probe.js');
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

class Dashboard extends MonitorPane {
  constructor({ root, intervalSec, cols = 120, rows = 40, extraEnv = {} }) {
    const argv = [process.execPath, '-r', PROBE, path.join(root, 'bin', 'spmon'), '--interval', String(intervalSec)];
    super({ argv, expect: 'bin/spmon', cols, rows, env: extraEnv });
    this.tickFile = path.join(this.dir, 'ticks');
    fs.writeFileSync(this.tickFile, '');
    this.env.SPMON_BENCH_TICK_FILE = this.tickFile;
  }

  /** Start the server and the dashboard; wait until it has completed `warmTicks` ticks. */
  async start({ warmTicks = 3, timeoutMs = 60000 } = {}) {
    await this.launch();
    const deadline = Date.now() + timeoutMs;
    while (this.ticks().length < warmTicks) {
      if (this.paneDead()) throw new Error(`the dashboard exited:\n${this.capture()}`);
      if (Date.now() > deadline) throw new Error(`the dashboard did not tick ${warmTicks} times in ${timeoutMs} ms:\n${this.capture()}`);
      await delay(50);
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

  /** CPU and memory of the dashboard and the tmux server now (atMs: Date.now()). */
  reading() {
    return { atMs: Date.now(), dashboard: cpuOf(this.pid), threads: threadsOf(this.pid), mem: memOf(this.pid), server: cpuOf(this.serverPid) };
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

module.exports = { Dashboard, watchDashboard, cpuOf, memOf, threadsOf };
