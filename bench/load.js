'use strict';
// The raised load: N extra processes spawned by the benchmark itself, `big` of them
// touching `bigMib` MiB each, the rest `sleep 600`. Only the children this module
// spawned are ever signalled, by the pids it holds (ChildProcess.kill); nothing is
// looked up by name. `sleep 600` also ends on its own if the benchmark is SIGKILLed.

const { spawn } = require('child_process');
const fs = require('fs');

const live = new Map(); // pid -> ChildProcess, every child of every load still running
// Children that end what they hold themselves (bench/forker.c) get this signal instead
// of SIGKILL, so they can kill and reap their own children first.
const stopSignals = new WeakMap();

// Touch every page (bytearray * n writes them all), say so, then idle.
const PY_TOUCH = [
  'import sys, time',
  "b = bytearray(b'\\x01') * (int(sys.argv[1]) << 20)",
  "sys.stdout.write('ready\\n'); sys.stdout.flush()",
  'time.sleep(600)',
].join('\n');
const NODE_TOUCH =
  "const b = Buffer.alloc(Number(process.argv[1]) * 1048576, 1); process.stdout.write('ready\\n'); setTimeout(() => b, 600e3);";

function pythonPath() {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (fs.existsSync(p)) return p;
  return null;
}

function track(child, stopSignal = 'SIGKILL') {
  if (child.pid === undefined) return;
  live.set(child.pid, child);
  stopSignals.set(child, stopSignal);
  child.once('exit', () => live.delete(child.pid));
}

function comm(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function spawnedOrError(child) {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

function readyLine(child, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      text += d;
      if (text.includes('ready\n')) resolve();
    });
    child.once('exit', (code, sig) => reject(new Error(`${what} (pid ${child.pid}) exited before it was ready (${sig || code})`)));
    child.once('error', reject);
  });
}

/**
 * Spawn the load and wait until every child is up: sleepers have exec'd `sleep`, big
 * children have touched their memory. Returns { pids, bigPids, spawnMs, stop() }.
 * On failure, kills what it started and rethrows.
 */
async function startLoad({ procs, big, bigMib, shouldStop = () => false, log = () => {} }) {
  const t0 = Date.now();
  const mine = [];
  const bigOnes = [];
  try {
    const py = pythonPath();
    const ready = [];
    for (let i = 0; i < big && !shouldStop(); i++) {
      const child = py
        ? spawn(py, ['-c', PY_TOUCH, String(bigMib)], { stdio: ['ignore', 'pipe', 'inherit'], detached: false })
        : spawn(process.execPath, ['-e', NODE_TOUCH, String(bigMib)], { stdio: ['ignore', 'pipe', 'inherit'], detached: false });
      track(child);
      mine.push(child);
      bigOnes.push(child);
      ready.push(readyLine(child, `big child ${i}`));
    }
    const spawned = [];
    for (let i = 0; i < procs - big && !shouldStop(); i++) {
      const child = spawn('sleep', ['600'], { stdio: 'ignore', detached: false });
      track(child);
      mine.push(child);
      spawned.push(spawnedOrError(child));
      if (i % 100 === 99) {
        log(`  spawned ${i + 1 + big}/${procs}`);
        await Promise.all(spawned.splice(0)); // let libuv report errors as we go
      }
    }
    await Promise.all(spawned);
    await Promise.all(ready);
    if (shouldStop()) throw new Error('interrupted while spawning the load');
    // 'spawn' means exec succeeded; still confirm each one is a live `sleep` now.
    const deadline = Date.now() + 30000;
    for (;;) {
      const notYet = mine.filter((c) => !bigOnes.includes(c) && comm(c.pid) !== 'sleep');
      if (notYet.length === 0) break;
      if (Date.now() > deadline) throw new Error(`${notYet.length} sleep children are not up after 30 s`);
      await delay(50);
    }
    const dead = mine.filter((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead.length) throw new Error(`${dead.length} load children exited early`);
    return {
      pids: mine.map((c) => c.pid),
      bigPids: bigOnes.map((c) => c.pid),
      bigRunner: py ? 'python3' : 'node',
      spawnMs: Date.now() - t0,
      stop: () => stopChildren(mine),
    };
  } catch (err) {
    await stopChildren(mine);
    throw err;
  }
}

/**
 * SIGKILL the given children (by the pids their ChildProcess holds; a forker gets
 * SIGTERM and ends its own) and wait until reaped.
 */
async function stopChildren(children, timeoutMs = 20000) {
  const t0 = Date.now();
  const waits = [];
  for (const c of children) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    waits.push(new Promise((resolve) => c.once('exit', resolve)));
    try {
      c.kill(stopSignals.get(c) || 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  let timer;
  const timedOut = await Promise.race([
    Promise.all(waits).then(() => false),
    new Promise((r) => (timer = setTimeout(() => r(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  const left = children.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null).length;
  if (timedOut || left) throw new Error(`${left} load children still running after ${timeoutMs} ms`);
  return { stopped: waits.length, stopMs: Date.now() - t0 };
}

/** Everything still running, for the error and signal paths. */
function stopAll() {
  return stopChildren([...live.values()]);
}

/** Last resort from process.on('exit'): synchronous, cannot wait. */
function killAllSync() {
  for (const c of live.values()) {
    try {
      c.kill(stopSignals.get(c) || 'SIGKILL'); // a forker then ends its children after we are gone
    } catch {
      /* gone */
    }
  }
}

module.exports = { startLoad, stopAll, killAllSync, track, liveCount: () => live.size };
