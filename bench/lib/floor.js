'use strict';
// The C floor (bench/floor.c): built with `cc -O2` into bench/out/ when the binary is
// missing or older than the source, then run for one or more passes over /proc. Each
// pass reports its own CPU (CLOCK_PROCESS_CPUTIME_ID) and wall time, so spawning the
// binary costs nothing in the figures.

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const SRC = path.join(__dirname, '..', 'floor.c');

function mtimeMs(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return null;
  }
}

/** Path of the built floor binary, (re)building it when needed. Throws with cc's output on failure. */
function buildFloor(outDir, log = () => {}) {
  const bin = path.join(outDir, 'floor');
  const built = mtimeMs(bin);
  if (built !== null && built >= mtimeMs(SRC)) return { bin, built: false };
  fs.mkdirSync(outDir, { recursive: true });
  const cc = process.env.CC || 'cc';
  const argv = ['-O2', '-Wall', '-o', bin, SRC];
  log(`bench: building the C floor: ${cc} ${argv.join(' ')}`);
  const r = spawnSync(cc, argv, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${cc} to build bench/floor.c: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cc} failed to build bench/floor.c (exit ${r.status}):\n${r.stderr}`);
  return { bin, built: true };
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
