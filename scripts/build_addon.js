#!/usr/bin/env node
'use strict';
// build/Release/spmon.node from native/ with node-gyp, in a clone (the tests load this build).
//
//   node scripts/build_addon.js --install   prepare (npm install, npm ci): a fresh build; with no C++
//                                           toolchain, say so and leave it to the prebuild
//   node scripts/build_addon.js             pretest: bring the build up to date with native/ (make
//                                           rebuilds only what changed)
//
// The published package has no install script and `gypfile: false`: it loads its prebuild, so npm has
// no script to run or to ask about (npm 11 allowScripts).

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { which } = require('./needs');
const { nodeGypArgs } = require('./build_native');

const ROOT = path.resolve(__dirname, '..');
const TOOLCHAIN = ['g++', 'make', 'python3'];

/** node-gyp with `args`: the seconds it took, or null (its output written) when it failed. */
function nodeGyp(args) {
  const [cmd, ...rest] = nodeGypArgs(args);
  const started = Date.now();
  // The output only matters when it fails; npm would otherwise print every line of it.
  const r = spawnSync(cmd, rest, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}${r.error ? r.error.message : ''}\nspmon: node-gyp ${args.join(' ')} failed\n`);
    return null;
  }
  return ((Date.now() - started) / 1000).toFixed(0);
}

/** Whether prebuilds/ has an addon for this machine (node-gyp-build then loads it). */
function prebuildFits() {
  const dir = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.node'));
}

function main() {
  const install = process.argv.includes('--install');
  // npm pack and npm publish run prepare too; build/ is not packed, so there is nothing to build for them.
  if (install && ['pack', 'publish'].includes(process.env.npm_command)) return;
  const missing = TOOLCHAIN.filter((c) => !which(c));
  if (missing.length) {
    if (!install) {
      process.stderr.write(`spmon: cannot build the addon: ${missing.join(', ')} not on PATH\n`);
      process.exit(1);
    }
    process.stderr.write(
      `spmon: no ${missing.join(', ')}: the addon was not built from native/; ` +
        (prebuildFits()
          ? 'spmon loads its prebuild (prebuilds/). npm test installs what it needs and builds it.\n'
          : `no prebuild fits this platform either: install ${missing.join(', ')}, then run npm run build:native.\n`),
    );
    return;
  }
  const configured = fs.existsSync(path.join(ROOT, 'build', 'Makefile')) && fs.existsSync(path.join(ROOT, 'build', 'config.gypi'));
  const secs = nodeGyp(install || !configured ? ['rebuild'] : ['build']);
  if (secs === null) {
    // An install still works where a prebuild fits (node-gyp could not fetch Node's headers, say); the tests
    // need the build, so the pretest step fails here.
    if (install && prebuildFits()) {
      process.stderr.write('spmon: the addon was not built from native/ (above); spmon loads its prebuild (prebuilds/). npm test builds it.\n');
      return;
    }
    process.exit(1);
  }
  if (install || !configured) process.stderr.write(`spmon: built build/Release/spmon.node from native/ (node-gyp, ${secs} s)\n`);
}

main();
