'use strict';
// The load of the scale and bigmem cases, held by bench/forker.c: thousands of
// `sleep` children forked by one small C process (fast: Node spawning 10,000 one by
// one is not), or N children that each map and touch the same memfd.
//
// The forker is tracked by load.js like any load child, with SIGTERM as its stop
// signal, so run.js's error and signal paths end it; it then SIGKILLs exactly the pids
// it forked (never reaped before, so never reused) and reaps them. stop() here closes
// its stdin, which does the same, and waits until it has exited.

const { spawn } = require('child_process');
const fs = require('fs');
const { buildC } = require('./cbuild');
const load = require('../load');

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function comm(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

class Forker {
  constructor(bin, argv) {
    this.child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
    load.track(this.child, 'SIGTERM');
    this.child.stdin.on('error', () => {}); // EPIPE once it is gone: its exit is what we act on
    this.lines = [];
    this.waiters = [];
    this.exited = new Promise((resolve) => this.child.once('exit', (code, sig) => resolve(sig || code)));
    this.exitedNow = false;
    this.child.once('exit', () => {
      this.exitedNow = true;
      this.wake();
    });
    let rest = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop();
      this.lines.push(...parts);
      this.wake();
    });
    this.child.once('error', (err) => {
      this.error = err;
      this.wake();
    });
    this.pids = [];
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Consume output lines until one starts with `done` ("spawned", "ready"); collects
   * "pid P" lines into this.pids. Throws on an "error" line, on exit, on Ctrl-C.
   */
  async until(done, { shouldStop, timeoutMs }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.lines.length) {
        const line = this.lines.shift();
        if (line.startsWith('pid ')) this.pids.push(Number(line.slice(4)));
        else if (line.startsWith(done)) return line;
        else if (line.startsWith('error')) throw new Error(`bench/forker.c: ${line}`);
      }
      if (this.error) throw this.error;
      if (this.exitedNow) throw new Error('bench/forker.c exited unexpectedly');
      if (shouldStop()) throw new Error('interrupted while spawning the load');
      if (Date.now() > deadline) throw new Error(`bench/forker.c: no "${done}" within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Close its stdin: it kills and reaps its children, then exits. Returns { stopped, stopMs }. */
  async stop(timeoutMs = 60000) {
    const t0 = Date.now();
    const n = this.pids.length;
    if (!this.exitedNow) {
      this.child.stdin.end();
      let timer;
      const timedOut = await Promise.race([this.exited.then(() => false), new Promise((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        this.child.kill('SIGKILL'); // its children get SIGKILL from PR_SET_PDEATHSIG
        throw new Error(`bench/forker.c did not end its ${n} children within ${timeoutMs} ms; SIGKILLed it`);
      }
    }
    return { stopped: n, stopMs: Date.now() - t0 };
  }
}

/**
 * A growing crowd of `sleep SECONDS` processes. grow(total) forks more until it holds
 * `total`, and waits until each new one has exec'd sleep. Returns { pids, grow, stop }.
 */
async function startSleepers({ outDir, seconds = 3600, shouldStop = () => false, log = () => {} }) {
  const { bin } = buildC('forker', outDir, log);
  const f = new Forker(bin, ['sleep', String(seconds)]);
  const grow = async (total) => {
    const t0 = Date.now();
    try {
      // Batches of 1,000 keep Ctrl-C responsive; the forker forks as fast as the kernel lets it.
      while (f.pids.length < total) {
        const from = f.pids.length;
        f.child.stdin.write(`${Math.min(1000, total - from)}\n`);
        await f.until('spawned', { shouldStop, timeoutMs: 120000 });
        log(`  forked ${f.pids.length}/${total}`);
      }
      const deadline = Date.now() + 60000;
      let notYet = f.pids.filter((p) => comm(p) !== 'sleep');
      while (notYet.length) {
        if (shouldStop()) throw new Error('interrupted while spawning the load');
        if (Date.now() > deadline) throw new Error(`${notYet.length} forked children have not exec'd sleep after 60 s`);
        await delay(50);
        notYet = notYet.filter((p) => comm(p) !== 'sleep');
      }
    } catch (err) {
      await f.stop().catch(() => {});
      throw err;
    }
    return { spawnMs: Date.now() - t0 };
  };
  return { pids: f.pids, grow, stop: () => f.stop(), forkerPid: f.child.pid };
}

/**
 * `procs` processes that each map the same memfd of `bytes` MAP_SHARED and have
 * written every page. Resolves once all of them have. Returns { pids, spawnMs, stop }.
 */
async function startMappers({ outDir, bytes, procs, shouldStop = () => false, log = () => {} }) {
  const { bin } = buildC('forker', outDir, log);
  const t0 = Date.now();
  const f = new Forker(bin, ['memfd', String(bytes), String(procs)]);
  try {
    await f.until('ready', { shouldStop, timeoutMs: 600000 });
  } catch (err) {
    await f.stop().catch(() => {});
    throw err;
  }
  return { pids: f.pids, spawnMs: Date.now() - t0, stop: () => f.stop(), forkerPid: f.child.pid };
}

module.exports = { startSleepers, startMappers };
