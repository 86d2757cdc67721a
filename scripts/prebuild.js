#!/usr/bin/env node
'use strict';
// npm run prebuild [-- --only linux-x64-glibc,linux-arm64-musl] [--jobs N]
//
// Cross-compiles the addon for glibc and musl on linux-x64 and linux-arm64 with zig (from the npm
// registry, see scripts/toolchain.js) into prebuilds/<platform>-<arch>/<package>.<libc>.node, the
// names `prebuildify --napi --tag-libc` gives and node-gyp-build picks. Node-API only, so one build
// serves every Node from 18 on. The sources, defines and C++ flags come from binding.gyp, so the
// prebuilds and a node-gyp build from source compile the same thing. Each output is checked
// (machine, libraries, glibc versions, exports), then prebuilds/SOURCES.sha256 records the sources.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { readElf, maxVersion, compareVersions } = require('./elf');
const { SOURCES_FILE, sourceHashes } = require('./native_sources');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = require(path.join(ROOT, 'package.json')).name;

/** The oldest glibc the glibc prebuilds may need: RHEL 8, Debian 10, Ubuntu 20.04 have 2.28. */
const MAX_GLIBC = '2.28';
/** Libraries a glibc prebuild may need: libc and its split-off parts only (libc++ is linked in). */
const GLIBC_LIBS = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1'];
/** musl's loader takes libc.so (and libm.so, ...) to mean itself. */
const MUSL_LIBS = ['libc.so'];
/** All an addon exports: the Node-API entry points. */
const EXPORTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];

// zig targets: glibc 2.17 as the floor (older than needed), musl as zig ships it (static libc++ both).
const TARGETS = [
  { id: 'linux-x64-glibc', arch: 'x64', libc: 'glibc', zig: 'x86_64-linux-gnu.2.17', machine: 'x86-64' },
  { id: 'linux-x64-musl', arch: 'x64', libc: 'musl', zig: 'x86_64-linux-musl', machine: 'x86-64' },
  { id: 'linux-arm64-glibc', arch: 'arm64', libc: 'glibc', zig: 'aarch64-linux-gnu.2.17', machine: 'aarch64' },
  { id: 'linux-arm64-musl', arch: 'arm64', libc: 'musl', zig: 'aarch64-linux-musl', machine: 'aarch64' },
];

function prebuildPath(target, root = ROOT) {
  return path.join(root, 'prebuilds', `linux-${target.arch}`, `${PACKAGE}.${target.libc}.node`);
}

/** What is wrong with a prebuild for this target (empty: nothing). */
function checkPrebuild(file, target) {
  const elf = readElf(file);
  const problems = [];
  if (elf.machine !== target.machine) problems.push(`machine ${elf.machine}, want ${target.machine}`);
  if (elf.type !== 3) problems.push(`ELF type ${elf.type}, want a shared object (3)`);
  const allowed = target.libc === 'glibc' ? GLIBC_LIBS : MUSL_LIBS;
  const extra = elf.needed.filter((l) => !allowed.includes(l));
  if (extra.length) problems.push(`needs ${extra.join(', ')} (allowed: ${allowed.join(', ')})`);
  const glibc = maxVersion(elf, 'GLIBC_');
  if (target.libc === 'glibc') {
    if (glibc && compareVersions(glibc, MAX_GLIBC) > 0) problems.push(`needs GLIBC_${glibc}, newer than ${MAX_GLIBC}`);
  } else if (elf.versionNeeds.length) {
    problems.push(`musl build has versioned needs: ${elf.versionNeeds.map((n) => n.file).join(', ')}`);
  }
  const exports = [...elf.exports].sort();
  if (exports.join() !== [...EXPORTS].sort().join()) problems.push(`exports ${exports.join(', ')}, want ${EXPORTS.join(', ')}`);
  return problems;
}

/** sources, defines and cflags_cc of the first target in binding.gyp (a JSON-shaped gyp file). */
function readBindingGyp(root = ROOT) {
  const text = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '');
  let gyp;
  try {
    gyp = JSON.parse(text);
  } catch (err) {
    throw new Error(`binding.gyp is not plain JSON, which scripts/prebuild.js reads: ${err.message}`);
  }
  const t = gyp.targets[0];
  return { sources: t.sources, defines: t.defines ?? [], cflags: t.cflags_cc ?? [] };
}

/** Directory holding node_api.h: $npm_config_nodedir/include/node, else next to this Node. */
function nodeHeadersDir() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(process.execPath, '..', '..', 'include', 'node'),
    '/usr/include/node',
  ].filter(Boolean);
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
  if (!dir) throw new Error(`node_api.h not found in ${candidates.join(', ')}; set npm_config_nodedir`);
  return dir;
}

function zigArgs(target, out, versionScript, root) {
  const gyp = readBindingGyp(root);
  const addonApi = path.dirname(require.resolve('node-addon-api/package.json', { paths: [root] }));
  return [
    'c++', '-target', target.zig,
    '-shared', '-fPIC', ...gyp.cflags,
    '-fvisibility=hidden', '-ffunction-sections', '-fdata-sections',
    `-ffile-prefix-map=${root}=.`,
    ...gyp.defines.map((d) => `-D${d}`),
    '-I', addonApi, '-I', nodeHeadersDir(),
    ...gyp.sources.map((s) => path.join(root, s)),
    '-o', out,
    // napi_* are resolved against the process that loads the addon.
    '-Wl,--allow-shlib-undefined',
    `-Wl,--version-script=${versionScript}`,
    '-Wl,--gc-sections',
    '-s',
  ];
}

function run(cmd, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'], cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(err);
      else reject(new Error(`${label}: zig exited with ${code}\n${err}`));
    });
  });
}

async function buildTarget(zig, target, tmp) {
  const out = prebuildPath(target);
  const part = path.join(tmp, `${target.id}.node`);
  const started = Date.now();
  const stderr = await run(zig, zigArgs(target, part, path.join(tmp, 'exports.map'), ROOT), target.id);
  // zig builds its own libc and libc++ on first use, with warnings of its own: show only ours.
  if (stderr.includes(`${ROOT}${path.sep}`)) process.stderr.write(`${target.id}:\n${stderr}`);
  const problems = checkPrebuild(part, target);
  if (problems.length) throw new Error(`${target.id}: ${problems.join('; ')}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(part, out);
  const elf = readElf(out);
  const glibc = maxVersion(elf, 'GLIBC_');
  process.stderr.write(
    `${target.id}: ${path.relative(ROOT, out)} ${fs.statSync(out).size} bytes, ${elf.machine}, ` +
      `needs ${elf.needed.join(' ')}${glibc ? `, GLIBC_${glibc} at most` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

function parseArgs(argv) {
  const opts = { only: null, jobs: Math.max(1, Math.min(TARGETS.length, os.availableParallelism?.() ?? os.cpus().length)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') opts.only = argv[++i].split(',');
    else if (a === '--jobs') opts.jobs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (use --only ${TARGETS.map((t) => t.id).join(',')} and --jobs N)`);
  }
  const unknown = (opts.only ?? []).filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')}`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const targets = TARGETS.filter((t) => !opts.only || opts.only.includes(t.id));
  const zig = process.env.SPMON_ZIG || require('./toolchain').ensureTool('zig');
  const hashes = sourceHashes(ROOT);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-prebuild-'));
  try {
    fs.writeFileSync(path.join(tmp, 'exports.map'), `{\n  global: ${EXPORTS.join('; ')};\n  local: *;\n};\n`);
    const queue = [...targets];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await buildTarget(zig, t, tmp);
    };
    await Promise.all(Array.from({ length: opts.jobs }, worker));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // The record stays true only when every prebuild comes from these sources.
  if (sourceHashes(ROOT) !== hashes) throw new Error('native/ or binding.gyp changed during the build: run it again');
  if (targets.length === TARGETS.length) {
    fs.writeFileSync(path.join(ROOT, SOURCES_FILE), hashes);
    process.stderr.write(`${SOURCES_FILE}: recorded\n`);
  } else {
    process.stderr.write(`${SOURCES_FILE}: not updated (only some targets were built)\n`);
  }
}

module.exports = { TARGETS, MAX_GLIBC, prebuildPath, checkPrebuild };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`prebuild: ${err.message}\n`);
    process.exit(1);
  });
}
