'use strict';
// The C floor (bench/floor.c): built with `cc -O2` into bench/out/ when the binary is
// missing or older than the source (lib/cbuild.js), then run for one or more passes
// over /proc. Each pass reports its own CPU (CLOCK_PROCESS_CPUTIME_ID) and wall time,
// so spawning the binary costs nothing in the figures.

const { spawnSync } = require('child_process');
const { buildC } = require('./cbuild');

/** Path of the built floor binary, (re)building it when needed. Throws with cc's output on failure. */
function buildFloor(outDir, log = () => {}) {
  return buildC('floor', outDir, log);
}

const LINE = /^pass (\d+) pids (\d+) files (\d+) bytes (\d+) cpu_ns (\d+) wall_ns (\d+)$/;

/** Run `passes` passes; returns [{ pids, files, bytes, cpuMs, wallMs }] (one per pass). */
function runFloor(bin, passes = 1, procRoot = '/proc') {
  const r = spawnSync(bin, [String(passes), procRoot], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`floor exited ${r.status ?? r.signal}: ${r.stderr}`);
  const out = [];
  for (const line of r.stdout.trim().split('\n')) {
    const m = LINE.exec(line);
    if (!m) throw new Error(`floor printed something unexpected: ${line}`);
    out.push({ pids: +m[2], files: +m[3], bytes: +m[4], cpuMs: +m[5] / 1e6, wallMs: +m[6] / 1e6 });
  }
  return out;
}

module.exports = { buildFloor, runFloor };
