'use strict';
// The benchmark's C helpers (bench/floor.c, bench/forker.c): built with `cc -O2` into
// bench/out/ when the binary is missing or older than its source.

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function mtimeMs(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return null;
  }
}

/** Path of out/<name> built from bench/<name>.c, (re)building it when needed. Throws with cc's output on failure. */
function buildC(name, outDir, log = () => {}) {
  const src = path.join(__dirname, '..', `${name}.c`);
  const bin = path.join(outDir, name);
  const built = mtimeMs(bin);
  if (built !== null && built >= mtimeMs(src)) return { bin, built: false };
  fs.mkdirSync(outDir, { recursive: true });
  const cc = process.env.CC || 'cc';
  const argv = ['-O2', '-Wall', '-o', bin, src];
  log(`bench: building bench/${name}.c: ${cc} ${argv.join(' ')}`);
  const r = spawnSync(cc, argv, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${cc} to build bench/${name}.c: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cc} failed to build bench/${name}.c (exit ${r.status}):\n${r.stderr}`);
  return { bin, built: true };
}

module.exports = { buildC };
