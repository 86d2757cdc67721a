#!/usr/bin/env node
'use strict';
// `npm run build:native`: build/Release/spmon.node from native/ with node-gyp, where no prebuild fits (spmon
// says to run it). Shipped with the package; scripts/build_addon.js (a clone's prepare and pretest) builds
// through nodeGypArgs too.
//
// node-gyp needs Node's headers. Given none, it downloads them from nodejs.org, which a machine that reaches
// only the npm registry cannot; where this Node's own headers are installed beside it (<prefix>/include/node,
// as Debian's and NodeSource's nodejs and Node's tarballs put them) in its version, they are used instead.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');

/**
 * The prefix of this Node's own headers when they are this Node's version, for node-gyp's --nodedir; null
 * when npm's nodedir is set (npm passes it on) or there are no such headers.
 */
function localNodeDir(env = process.env, execPath = process.execPath, version = process.version) {
  if (env.npm_config_nodedir) return null;
  const prefix = path.resolve(path.dirname(execPath), '..');
  try {
    const h = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => (h.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`)) || [])[1]);
    return `v${v.join('.')}` === version && fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi')) ? prefix : null;
  } catch {
    return null;
  }
}

/** node-gyp's command line: its own script (a clone's devDependency) or the one npm runs scripts with, then `args`. */
function nodeGypArgs(args) {
  const dir = localNodeDir();
  const all = [...args, ...(dir ? [`--nodedir=${dir}`] : [])];
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] }), ...all];
  } catch {
    return ['node-gyp', ...all]; // an installed package: npm puts its own node-gyp on the PATH of its scripts
  }
}

if (require.main === module) {
  const [cmd, ...args] = nodeGypArgs(['rebuild']);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.error) process.stderr.write(`spmon: cannot run node-gyp: ${r.error.message}\n`);
  process.exit(r.status ?? 1);
} else {
  module.exports = { localNodeDir, nodeGypArgs };
}
