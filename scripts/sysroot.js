#!/usr/bin/env node
'use strict';
// Debian packages of another architecture, unpacked into a folder that qemu-user takes as the root of
// the programs it runs (qemu-aarch64-static -L <folder>): the tests run the arm64 prebuilds and the arm64
// single-file executable that way. Installed on first use into node_modules/.cache/spmon-tools/.
//
// The machine's apt is not changed: no `dpkg --add-architecture`, nothing installed. apt-get runs with
// a private state (package lists, status, archives) under the cache, with the machine's sources, keys
// and settings, asked for this architecture only; `apt-get download` fetches the .deb files and
// dpkg-deb unpacks them. Needs apt-get and dpkg-deb, not root.
//
//   node scripts/sysroot.js arm64     # fetch and unpack, print the folder

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { TOOLS_DIR } = require('./toolchain');

const SYSROOTS = {
  arm64: {
    // libc6: glibc and its loader (the aarch64 Bun, the arm64 Node); musl: musl's loader (the musl
    // Bun); libstdc++6 and libgcc-s1: the C++ runtime the official arm64 Node links against.
    packages: ['libc6', 'musl', 'libstdc++6', 'libgcc-s1'],
    // Present once every package is unpacked (the stamp is written last).
    stamp: '.spmon-packages',
  },
};

function sysrootDir(arch) {
  if (!SYSROOTS[arch]) throw new Error(`unknown sysroot ${arch} (have: ${Object.keys(SYSROOTS).join(', ')})`);
  return path.join(TOOLS_DIR, `debian-${arch}`, 'root');
}

/** The stamp file: found when the sysroot holds the packages asked for now. */
function sysrootPath(arch) {
  return path.join(sysrootDir(arch), SYSROOTS[arch].stamp);
}

/** The sysroot holds every package asked for now. */
function hasSysroot(arch) {
  try {
    const names = fs.readFileSync(sysrootPath(arch), 'utf8').split('\n').map((l) => l.split(' ')[0]);
    return SYSROOTS[arch].packages.every((p) => names.includes(p));
  } catch {
    return false;
  }
}

/** uid of apt's download user, so that downloads stay sandboxed when this runs as root. */
function aptUid() {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('_apt:'));
    return line ? Number(line.split(':')[2]) : null;
  } catch {
    return null;
  }
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (r.status !== 0) {
    const out = `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}`.trim();
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${out.split('\n').slice(-15).join('\n')}`);
  }
  return r.stdout;
}

/** The sysroot folder for `arch`, fetched and unpacked when missing. */
function ensureSysroot(arch) {
  const root = sysrootDir(arch);
  if (hasSysroot(arch)) return root;
  const { packages } = SYSROOTS[arch];
  const base = path.dirname(root);
  const apt = path.join(base, 'apt');
  const debs = path.join(base, 'debs');
  fs.rmSync(root, { recursive: true, force: true });
  for (const d of [path.join(apt, 'lists', 'partial'), path.join(apt, 'archives', 'partial'), debs]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(apt, 'status'), '');
  const uid = process.getuid?.() === 0 ? aptUid() : null;
  if (uid !== null) fs.chownSync(debs, uid, -1);
  const options = [
    `-oDir::State=${apt}`,
    `-oDir::State::Lists=${path.join(apt, 'lists')}`,
    `-oDir::State::status=${path.join(apt, 'status')}`,
    `-oDir::Cache=${apt}`,
    `-oDir::Cache::archives=${path.join(apt, 'archives')}`,
    `-oAPT::Architecture=${arch}`,
    `-oAPT::Architectures::=${arch}`,
    '-oAcquire::Languages=none',
    '-qq',
  ];
  process.stderr.write(`fetching Debian's ${arch} ${packages.join(' ')} into ${path.relative(process.cwd(), base) || base}\n`);
  try {
    run('apt-get', [...options, 'update']);
    run('apt-get', [...options, 'download', ...packages], { cwd: debs });
    const files = fs.readdirSync(debs).filter((f) => f.endsWith('.deb'));
    const stamp = [];
    for (const f of files) {
      run('dpkg-deb', ['-x', path.join(debs, f), root]);
      const [name, version] = f.replace(/\.deb$/, '').split('_');
      stamp.push(`${decodeURIComponent(name)} ${decodeURIComponent(version)}`);
    }
    fs.writeFileSync(path.join(root, SYSROOTS[arch].stamp), `${stamp.sort().join('\n')}\n`);
  } finally {
    // The lists (about 20 MB) and the .deb files are not needed once the packages are unpacked.
    fs.rmSync(apt, { recursive: true, force: true });
    fs.rmSync(debs, { recursive: true, force: true });
  }
  if (!hasSysroot(arch)) throw new Error(`${packages.join(' ')} for ${arch} were fetched, yet ${sysrootPath(arch)} does not name them all`);
  return root;
}

module.exports = { SYSROOTS, ensureSysroot, hasSysroot, sysrootDir, sysrootPath };

if (require.main === module) {
  const archs = process.argv.slice(2);
  if (!archs.length) {
    process.stderr.write(`usage: node scripts/sysroot.js ${Object.keys(SYSROOTS).join('|')}\n`);
    process.exit(2);
  }
  for (const a of archs) process.stdout.write(`${a}: ${ensureSysroot(a)}\n`);
}
