#!/usr/bin/env node
'use strict';
// npm test's first step (pretest): what the tests need from the machine, brought in before jest runs.
// Missing Debian packages are installed with apt-get when this runs as root on Debian; otherwise it
// stops at once (exit 1) with the exact `apt-get install -y ...` line, so the suite never half runs.
// npm-registry tools go into node_modules/.cache (scripts/toolchain.js), and so do Debian packages of
// another architecture, unpacked for qemu (scripts/sysroot.js).
//
// To add a need: one row in NEEDS (see scripts/needs.js for the fields); `why` names the tests.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ensure, which } = require('./needs');
const toolchain = require('./toolchain');
const sysroot = require('./sysroot');

/** g++ can link a program with ASan and UBSan; null while there is no g++ (installing it brings them). */
function sanitizersLink(ctx) {
  if (!which('g++', ctx.env)) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-sanitizers-'));
  try {
    const r = spawnSync('g++', ['-x', 'c++', '-fsanitize=address,undefined', '-o', path.join(dir, 'a'), '-'], {
      input: 'int main() { return 0; }\n',
      env: ctx.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    return r.status === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** libgcc-<major>-dev holds g++'s libasan.so and libubsan.so and depends on their runtimes. */
function sanitizerPackages(ctx) {
  const r = spawnSync('g++', ['-dumpversion'], { env: ctx.env, encoding: 'utf8' });
  const major = /^(\d+)/.exec(r.stdout || '');
  return major ? [`libgcc-${major[1]}-dev`] : ['libasan8', 'libubsan1'];
}

const NEEDS = [
  { id: 'tmux', command: 'tmux', debian: ['tmux'], why: 'the dashboard in a real tmux (test/e2e) and the tmux sessions tests' },
  { id: 'g++', command: 'g++', debian: ['g++'], why: 'the addon built from native/ (build/Release) and test/fuzz_replay.test.ts' },
  { id: 'make', command: 'make', debian: ['make'], why: 'node-gyp builds the addon with make' },
  { id: 'python3', command: 'python3', debian: ['python3'], why: 'node-gyp (gyp), and the python3 children of the live tests' },
  { id: 'objdump', command: 'objdump', debian: ['binutils'], why: 'test/prebuilds.test.ts reads the glibc symbol versions with objdump -T' },
  { id: 'musl', file: '/lib/ld-musl-x86_64.so.1', debian: ['musl'], why: 'test/prebuilds.test.ts runs the musl Bun' },
  { id: 'musl-gcc', command: 'musl-gcc', debian: ['musl-tools'], why: "test/prebuilds.test.ts builds the musl Bun's stand-in libstdc++" },
  { id: 'pgrep', command: 'pgrep', debian: ['procps'], why: 'test/e2e/dashboard.test.ts' },
  { id: 'setpriv', command: 'setpriv', debian: ['util-linux'], why: 'the tests that run spmon as nobody' },
  { id: 'unshare', command: 'unshare', debian: ['util-linux'], why: 'test/control.test.ts (PID reuse in a private pid namespace)' },
  { id: 'prlimit', command: 'prlimit', debian: ['util-linux'], why: 'test/native_held_fds.test.ts' },
  { id: 'prometheus', command: 'prometheus', debian: ['prometheus'], why: 'test/metrics_prometheus.test.ts scrapes the metrics endpoint with a real Prometheus' },
  { id: 'promtool', command: 'promtool', debian: ['prometheus'], why: 'promtool checks the metrics, and the alert rules in docs/ with their tests (test/metrics_*.test.ts)' },
  { id: 'openssl', command: 'openssl', debian: ['openssl'], why: 'certificates for the TLS tests of the metrics endpoint' },
  {
    id: 'sanitizers',
    check: sanitizersLink,
    missingText: 'g++ -fsanitize=address,undefined does not link',
    debian: sanitizerPackages,
    why: 'test/fuzz_replay.test.ts runs the parsers under ASan and UBSan',
  },
  { id: 'bun-musl', tool: 'bun-musl', why: 'test/prebuilds.test.ts loads the musl prebuild in a musl Bun' },
  { id: 'postject', tool: 'postject', why: 'test/sea.test.ts (npm run sea)' },
  // The arm64 prebuilds and executable, run under qemu user-mode emulation.
  { id: 'qemu-aarch64', command: 'qemu-aarch64-static', debian: ['qemu-user-static'], why: 'test/prebuilds_arm64.test.ts runs arm64 programs' },
  { id: 'arm64-libs', sysroot: 'arm64', why: "test/prebuilds_arm64.test.ts: Debian's arm64 glibc, musl and C++ runtime for qemu -L" },
  { id: 'bun-arm64', tool: 'bun-arm64', why: 'test/prebuilds_arm64.test.ts loads the arm64 glibc prebuild in an aarch64 Bun' },
  { id: 'bun-arm64-musl', tool: 'bun-arm64-musl', why: 'test/prebuilds_arm64.test.ts loads the arm64 musl prebuild in an aarch64 musl Bun' },
  { id: 'zig', tool: 'zig', why: "test/prebuilds_arm64.test.ts builds the aarch64 musl Bun's stand-in libstdc++" },
  { id: 'node-arm64', tool: 'node-arm64', why: 'test/prebuilds_arm64.test.ts makes the arm64 single-file executable' },
];

module.exports = { NEEDS };

if (require.main === module) {
  const r = ensure(NEEDS, {
    title: 'npm test',
    ensureTool: toolchain.ensureTool,
    toolPath: toolchain.toolPath,
    ensureSysroot: sysroot.ensureSysroot,
    hasSysroot: sysroot.hasSysroot,
  });
  if (!r.ok) {
    process.stderr.write(r.message);
    process.exit(1);
  }
}
