// aarch64 programs run here under qemu user-mode emulation (Debian's qemu-user-static), with Debian's
// arm64 glibc, musl and C++ runtime unpacked into a cache as the root their libraries come from
// (scripts/sysroot.js), and the aarch64 Buns from the npm registry (scripts/toolchain.js). npm test's
// pretest brings all of them (scripts/test_deps.js).
import { execFile, execFileSync } from 'child_process';
import * as path from 'path';
import { ROOT } from './paths';

/* eslint-disable @typescript-eslint/no-require-imports */
const toolchain = require('../../scripts/toolchain.js') as { ensureTool(name: string): string };
const sysroot = require('../../scripts/sysroot.js') as { ensureSysroot(arch: string): string };
const { which } = require('../../scripts/needs.js') as { which(name: string): string | null };
/* eslint-enable @typescript-eslint/no-require-imports */

export type Libc = 'glibc' | 'musl';

export interface Command {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** `program args` under qemu-aarch64-static, its loader and libraries from the arm64 sysroot. */
export function underQemu(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): Command {
  // Found on this PATH: the program's own environment may have another.
  const qemu = which('qemu-aarch64-static');
  if (!qemu) throw new Error('qemu-aarch64-static is not on PATH: npm test installs qemu-user-static (scripts/test_deps.js)');
  return { file: qemu, args: ['-L', sysroot.ensureSysroot('arm64'), program, ...args], env };
}

/**
 * The aarch64 Bun for `libc` as a command maker. The musl Bun links against libstdc++, which a musl
 * system would have from its own packages: a stand-in (test/musl/, as for the x64 musl Bun) is built
 * for aarch64-linux-musl with zig into `scratch` and found through LD_LIBRARY_PATH.
 */
export function arm64Bun(libc: Libc, scratch: string): (args: string[], env?: NodeJS.ProcessEnv) => Command {
  const bun = toolchain.ensureTool(libc === 'glibc' ? 'bun-arm64' : 'bun-arm64-musl');
  if (libc === 'glibc') return (args, env = process.env) => underQemu(bun, args, env);
  const zig = toolchain.ensureTool('zig');
  const shim = path.join(ROOT, 'test', 'musl', 'libstdcxx_shim.c');
  execFileSync(zig, ['cc', '-target', 'aarch64-linux-musl', '-shared', '-fPIC', '-O2', '-o', path.join(scratch, 'libstdc++.so.6'), shim], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return (args, env = process.env) => underQemu(bun, args, { ...env, LD_LIBRARY_PATH: scratch });
}

/** Run a command to its end (asynchronously: emulated programs are slow to start). */
export function runCommand(c: Command, timeoutMs = 90_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(c.file, c.args, { env: c.env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
