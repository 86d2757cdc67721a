'use strict';
// Issue 13: the daemon with 10 supervised sessions, ticking at 1 Hz (goal: CPU per tick <= 0.3x a C floor
// pass, RSS <= 80 MB), and output capture (goal: a child writing as fast as it can through spmon's
// capture reaches >= 0.8x the throughput of the same child writing to a file directly).
//
// The daemon runs in a private world (HOME, XDG_RUNTIME_DIR, XDG_STATE_HOME under bench/out), its CPU is
// read from /proc/<pid>/stat over --daemon-seconds, its tick count from `spmon status --json`. Output: the
// same `dd if=/dev/zero bs=1M count=N` with stdout into a file, and under `spmon run` (its stdout is the
// session's log), alternately, --daemon-dd-reps times each; dd reports its own throughput.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { buildFloor, runFloor } = require('../lib/floor');
const { summarize, ratio } = require('../lib/stats');

const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };
const single = (v, n = 1) => ({ ...NONE, n, median: v, min: v, max: v, mean: v });
const CPU_GOAL = 0.3;
const RSS_GOAL = 80e6;
const CAPTURE_GOAL = 0.8;

function cpuMsOf(pid) {
  const t = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

function rssOf(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
}

/** dd's "N bytes ... copied, S s, R MB/s" line: bytes per second. */
function ddRate(text) {
  const m = /(\d+) bytes .* copied, ([0-9.]+) s/.exec(text);
  if (!m) throw new Error(`no dd summary in: ${text.slice(-300)}`);
  return Number(m[1]) / Number(m[2]);
}

module.exports = {
  name: 'daemon',
  order: 35,
  title: 'the daemon: 10 supervised sessions at 1 Hz vs the C floor; output capture vs a file',
  async run(ctx) {
    const { root, spmonRoot, opts, shouldStop, log } = ctx;
    const bin = path.join(spmonRoot || root, 'bin', 'spmon');
    const base = fs.mkdtempSync(path.join(root, 'bench', 'out', 'daemon-'));
    const env = { ...process.env, HOME: base, XDG_RUNTIME_DIR: path.join(base, 'run'), XDG_STATE_HOME: path.join(base, 'state'), TMUX_TMPDIR: base };
    for (const k of Object.keys(env)) if (k.startsWith('SPMON_')) delete env[k];
    fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    const spmon = (...args) => {
      const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', cwd: base, maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`spmon ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const status = () => JSON.parse(spmon('status', '--json'));
    let daemonPid = null;
    try {
      spmon('--interval', '1', 'daemon', '--detach', '--log-max', '64');
      daemonPid = status().pid;
      for (let i = 0; i < 10; i++) spmon('run', '--name', `s${i}`, '--', 'sleep', '3600');
      // Warm up, then measure.
      await new Promise((r) => setTimeout(r, 3000));
      const a = { cpu: cpuMsOf(daemonPid), ticks: status().ticks.count, at: Date.now() };
      const seconds = opts.quick ? 5 : 20;
      for (let s = 0; s < seconds && !shouldStop(); s++) await new Promise((r) => setTimeout(r, 1000));
      const b = { cpu: cpuMsOf(daemonPid), ticks: status().ticks.count, at: Date.now() };
      // The status calls themselves cost the daemon a little; they are two, not per tick.
      const ticks = b.ticks - a.ticks;
      const perTick = (b.cpu - a.cpu) / Math.max(1, ticks);
      const rss = rssOf(daemonPid);
      const { bin: floorBin } = buildFloor(path.join(root, 'bench', 'out'), log);
      const floor = summarize(runFloor(floorBin, opts.quick ? 3 : 10).map((p) => p.cpuMs));
      const processCount = runFloor(floorBin, 1)[0].pids;

      // Output capture.
      const mib = opts.quick ? 256 : 1024;
      const reps = opts.quick ? 2 : 4;
      const direct = [];
      const captured = [];
      for (let r = 0; r < reps && !shouldStop(); r++) {
        const out = path.join(base, 'direct.out');
        const d = spawnSync('dd', ['if=/dev/zero', `of=${out}`, 'bs=1M', `count=${mib}`], { encoding: 'utf8' });
        direct.push(ddRate(d.stderr));
        fs.rmSync(out, { force: true });
        const name = `flood${r}`;
        spmon('run', '--name', name, '--', 'dd', 'if=/dev/zero', 'bs=1M', `count=${mib}`);
        for (;;) {
          const row = JSON.parse(spmon('ps', '--json')).sessions.find((x) => x.id === `run:${name}`);
          if (row.state !== 'running' && row.state !== 'starting') break;
          await new Promise((res) => setTimeout(res, 100));
        }
        const tail = spmon('logs', name, '--tail', '1');
        captured.push(ddRate(tail));
      }
      const dRate = summarize(direct);
      const cRate = summarize(captured);
      const vsFloor = perTick / floor.median;
      const captureRatio = cRate.median / dRate.median;
      const rows = [
        { id: 'floor', group: 'daemon', label: 'C floor: one pass', baseline: null, headline: false, wall: NONE, cpu: floor },
        {
          id: 'daemon-tick', group: 'daemon', label: 'daemon CPU per tick, 10 sessions, 1 Hz (goal <= 0.3x)', baseline: 'floor', headline: true,
          wall: NONE, cpu: single(perTick, ticks), ratioWall: null, ratioCpu: ratio(perTick, floor.median), rssBytes: rss, goal: CPU_GOAL,
        },
        {
          id: 'capture', group: 'daemon', label: `dd ${mib} MiB through spmon run vs into a file (goal >= 0.8x)`, baseline: null, headline: true,
          wall: NONE, cpu: NONE, ratioWall: null, ratioCpu: null, captureRatio, directBytesPerSec: dRate.median, capturedBytesPerSec: cRate.median,
        },
      ];
      const notes = [
        `daemon: ${ticks} ticks in ${((b.at - a.at) / 1000).toFixed(1)} s, ${perTick.toFixed(1)} ms CPU per tick = ${vsFloor.toFixed(2)}x the floor (${floor.median.toFixed(1)} ms, ${processCount} pids); goal <= ${CPU_GOAL}x: ${vsFloor <= CPU_GOAL ? 'met' : 'NOT met'}`,
        `daemon VmRSS ${(rss / 1e6).toFixed(1)} MB; goal <= 80 MB: ${rss <= RSS_GOAL ? 'met' : 'NOT met'}`,
        `output: dd into a file ${(dRate.median / 1e9).toFixed(2)} GB/s, through spmon run ${(cRate.median / 1e9).toFixed(2)} GB/s = ${captureRatio.toFixed(2)}x; goal >= ${CAPTURE_GOAL}x: ${captureRatio >= CAPTURE_GOAL ? 'met' : 'NOT met'}`,
      ];
      return { processCount, rows, notes, daemon: { perTickMs: perTick, ticks, rssBytes: rss, vsFloor }, capture: { ratio: captureRatio, direct: dRate, captured: cRate } };
    } finally {
      if (daemonPid) {
        try {
          process.kill(daemonPid, 'SIGTERM');
        } catch {
          /* gone */
        }
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(daemonPid, 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      fs.rmSync(base, { recursive: true, force: true });
    }
  },
};
