// npm test's first step (scripts/test_deps.js over scripts/needs.js): what is missing is found by its
// probe, installed with apt-get as root (here a stand-in apt-get on a private PATH, so nothing is
// installed on this machine), and otherwise the run stops at once with the exact apt-get line.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NOBODY, readableCopy } from './helpers/readable_copy';

interface Need {
  id: string;
  why: string;
  command?: string;
  file?: string;
  check?: (ctx: { env: NodeJS.ProcessEnv }) => boolean | null;
  debian?: string[] | ((ctx: unknown) => string[]);
  tool?: string;
  sysroot?: string;
}
interface Plan {
  missing: Need[];
  unknown: Need[];
  debian: string[];
  tools: string[];
  sysroots: string[];
}
interface EnsureOptions {
  title: string;
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  log?: (line: string) => void;
  ensureTool?: (name: string) => string;
  toolPath?: (name: string) => string;
  ensureSysroot?: (arch: string) => string;
  hasSysroot?: (arch: string) => boolean;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const needs = require('../scripts/needs.js') as {
  plan(needs: Need[], ctx: { env: NodeJS.ProcessEnv; toolPath?: (n: string) => string; hasSysroot?: (a: string) => boolean }): Plan;
  ensure(needs: Need[], options: EnsureOptions): { ok: boolean; message: string };
  which(name: string, env?: NodeJS.ProcessEnv): string | null;
};
const { NEEDS } = require('../scripts/test_deps.js') as { NEEDS: Need[] };
/* eslint-enable @typescript-eslint/no-require-imports */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A private PATH: bin/ with the given commands (stand-ins that exit 0), and a stand-in apt-get. */
function machine(commands: string[], apt: { listsKnow?: boolean; staleLists?: boolean; brokenPackages?: string[]; noApt?: boolean } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-needs-'));
  dirs.push(root);
  const bin = path.join(root, 'bin');
  const log = path.join(root, 'apt.log');
  // Open to all: the last test runs as nobody, and its stand-in apt-get must be found and able to log.
  fs.chmodSync(root, 0o755);
  fs.mkdirSync(bin, { mode: 0o755 });
  fs.writeFileSync(log, '');
  fs.chmodSync(log, 0o666);
  const script = (name: string, text: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${text}\n`, { mode: 0o755 });
  for (const c of commands) script(c, 'exit 0');
  if (!apt.noApt) {
    // apt-cache show: known or not; apt-get install <pkg>: puts a command named <pkg> on the PATH.
    script('apt-cache', `echo "apt-cache $*" >> ${log}; exit ${apt.listsKnow === false ? 100 : 0}`);
    const broken = (apt.brokenPackages ?? []).join('|') || '-';
    script(
      'apt-get',
      `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND apt-get $*" >> ${log}
[ "$1" = update ] && : > ${root}/updated
[ "$1" = install ] || exit 0
${apt.staleLists ? `[ -e ${root}/updated ] || { echo "E: Failed to fetch ... 404 Not Found" >&2; exit 100; }` : ''}
for a in "$@"; do
  case "$a" in install|-*|*::*|${broken}) ;; *) printf '#!/bin/sh\\nexit 0\\n' > ${bin}/"$a"; /bin/chmod +x ${bin}/"$a" ;; esac
done`,
    );
  }
  const aptLog = () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { bin, env: { PATH: bin }, aptLog };
}

const tool = (id: string, command: string, debian = [command]): Need => ({ id, command, debian, why: `the ${id} tests` });
const quiet = { log: () => undefined };

describe('the probes and the plan', () => {
  test('commands are looked for on PATH, files where they are, each package once and in table order', () => {
    const m = machine(['have-a']);
    const file = path.join(m.bin, 'have-a');
    const table: Need[] = [
      tool('a', 'have-a'),
      tool('b', 'need-b', ['pkg-b', 'pkg-common']),
      { id: 'f', file, debian: ['pkg-f'], why: 'f' },
      { id: 'g', file: path.join(m.bin, 'absent'), debian: ['pkg-common', 'pkg-g'], why: 'g' },
      { id: 'later', check: () => null, debian: ['pkg-later'], why: 'later' },
    ];
    const p = needs.plan(table, { env: m.env });
    expect(p.missing.map((n) => n.id)).toEqual(['b', 'g']);
    expect(p.unknown.map((n) => n.id)).toEqual(['later']);
    expect(p.debian).toEqual(['pkg-b', 'pkg-common', 'pkg-g']);
  });

  test("the tests' table: every command need on an empty PATH is missing, with its Debian package; on a full PATH none is", () => {
    const commands = NEEDS.filter((n) => n.command).map((n) => n.command!);
    expect(commands).toEqual(expect.arrayContaining(['tmux', 'g++', 'make', 'python3', 'objdump', 'musl-gcc', 'setpriv', 'qemu-aarch64-static']));
    const empty = needs.plan(NEEDS, { env: machine([]).env, toolPath: () => '/nonexistent', hasSysroot: () => false });
    expect(empty.debian).toEqual(
      expect.arrayContaining(['tmux', 'g++', 'make', 'python3', 'binutils', 'musl-tools', 'procps', 'util-linux', 'qemu-user-static']),
    );
    // The sanitizer probe needs g++: it waits for it (installing g++ brings the runtimes).
    expect(empty.unknown.map((n) => n.id)).toEqual(['sanitizers']);
    expect(empty.tools).toEqual(['bun-musl', 'postject', 'bun-arm64', 'bun-arm64-musl', 'zig', 'node-arm64']);
    expect(empty.sysroots).toEqual(['arm64']);
    const full = needs.plan(NEEDS.filter((n) => n.command), { env: machine(commands).env });
    expect(full.missing).toEqual([]);
  });
});

describe('as root with apt-get', () => {
  test('installs what is missing, quietly and non-interactively, without apt-get update when the lists know the packages', () => {
    const m = machine(['have-a']);
    const r = needs.ensure([tool('a', 'have-a'), tool('b', 'need-b'), tool('c', 'need-c')], { title: 't', env: m.env, isRoot: true, ...quiet });
    expect(r).toEqual({ ok: true, message: '' });
    expect(m.aptLog()).toEqual([
      'apt-cache show --no-all-versions need-b need-c',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 need-b need-c',
    ]);
    expect(fs.existsSync(path.join(m.bin, 'need-c'))).toBe(true);
  });

  test('runs apt-get update first when the lists do not know a package', () => {
    const m = machine([], { listsKnow: false });
    expect(needs.ensure([tool('b', 'need-b')], { title: 't', env: m.env, isRoot: true, ...quiet }).ok).toBe(true);
    expect(m.aptLog().map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'apt-cache show --no-all-versions',
      'DEBIAN_FRONTEND=noninteractive apt-get update',
      'DEBIAN_FRONTEND=noninteractive apt-get install',
    ]);
  });

  test('stale lists (install fails: the mirror dropped that version): apt-get update, then install once more', () => {
    const m = machine([], { staleLists: true });
    expect(needs.ensure([tool('b', 'need-b')], { title: 't', env: m.env, isRoot: true, ...quiet }).ok).toBe(true);
    expect(m.aptLog().map((l) => l.split(' ')[2])).toEqual(['--no-all-versions', 'install', 'update', 'install']);
  });

  test('a need that waits for another is probed once that one is installed, and brought in a second round', () => {
    const m = machine([]);
    const runtime = path.join(m.bin, 'runtime-lib');
    const table: Need[] = [
      tool('compiler', 'compiler'),
      { id: 'runtime', check: (ctx) => (fs.existsSync(path.join(ctx.env.PATH!, 'compiler')) ? fs.existsSync(runtime) : null), debian: ['runtime-lib'], why: 'r' },
    ];
    expect(needs.ensure(table, { title: 't', env: m.env, isRoot: true, ...quiet }).ok).toBe(true);
    expect(m.aptLog().filter((l) => l.includes('apt-get install')).map((l) => l.split(' ').pop())).toEqual(['compiler', 'runtime-lib']);
  });

  test('a package that does not bring what was missing is an error that says so, not a loop', () => {
    const m = machine([], { brokenPackages: ['need-b'] });
    const r = needs.ensure([tool('b', 'need-b')], { title: 'npm test', env: m.env, isRoot: true, ...quiet });
    expect(r.ok).toBe(false);
    expect(r.message).toBe('npm test: installed need-b, yet still missing: b (need-b is not on PATH)\n');
    expect(m.aptLog().filter((l) => l.includes('apt-get install'))).toHaveLength(1);
  });

  test('npm-registry tools are installed after the Debian packages, and only the missing ones', () => {
    const m = machine(['have-a']);
    const asked: string[] = [];
    const have = path.join(m.bin, 'have-a');
    const table: Need[] = [tool('a', 'have-a'), { id: 'x', tool: 'x', why: 'x' }, { id: 'y', tool: 'y', why: 'y' }];
    const r = needs.ensure(table, {
      title: 't',
      env: m.env,
      isRoot: true,
      toolPath: (n) => (n === 'x' ? have : '/nonexistent'),
      ensureTool: (n) => (asked.push(n), n),
      ...quiet,
    });
    expect(r.ok).toBe(true);
    expect(asked).toEqual(['y']);
  });
});

describe('Debian packages of another architecture, unpacked into a cache', () => {
  const arm64: Need = { id: 'arm64-libs', sysroot: 'arm64', why: 'the arm64 tests' };

  test('a missing sysroot is unpacked after the Debian packages are in, without root, and only when missing', () => {
    const m = machine([]);
    const calls: string[] = [];
    const options = (have: boolean) => ({
      title: 't',
      env: m.env,
      isRoot: false,
      hasSysroot: () => have,
      ensureSysroot: (arch: string) => (calls.push(arch), arch),
      ...quiet,
    });
    expect(needs.ensure([arm64], options(false))).toEqual({ ok: true, message: '' });
    expect(calls).toEqual(['arm64']);
    expect(needs.ensure([arm64], options(true))).toEqual({ ok: true, message: '' });
    expect(calls).toEqual(['arm64']);
    expect(m.aptLog()).toEqual([]);
  });

  test('not root and a Debian package missing: the apt-get line names that package only, and nothing is unpacked', () => {
    const m = machine([]);
    const calls: string[] = [];
    const r = needs.ensure([tool('qemu', 'qemu-aarch64-static', ['qemu-user-static']), arm64], {
      title: 'npm test',
      env: m.env,
      isRoot: false,
      hasSysroot: () => false,
      ensureSysroot: (arch: string) => (calls.push(arch), arch),
      ...quiet,
    });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('\n  qemu  qemu-aarch64-static is not on PATH: the qemu tests\n');
    expect(r.message).not.toContain('arm64-libs');
    expect(r.message).toContain('\n  apt-get install -y qemu-user-static\n');
    expect(calls).toEqual([]);
  });

  test('a failed fetch stops the run with what it was for and why it failed', () => {
    const m = machine([]);
    const r = needs.ensure([arm64], {
      title: 'npm test',
      env: m.env,
      isRoot: true,
      hasSysroot: () => false,
      ensureSysroot: () => {
        throw new Error('apt-get -qq update failed:\nE: no network');
      },
      ...quiet,
    });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^npm test: could not unpack Debian's arm64 packages into node_modules\/.cache \(for the arm64 tests; /);
    expect(r.message).toContain('apt-get download and dpkg-deb');
    expect(r.message).toMatch(/E: no network\n$/);
  });
});

describe('when it cannot install', () => {
  const table = [tool('a', 'have-a'), tool('b', 'need-b', ['pkg-b']), tool('c', 'need-c', ['pkg-c'])];

  test('not root: stops at once with what is missing, for which tests, and the exact apt-get line; runs no apt-get', () => {
    const m = machine(['have-a']);
    const asked: string[] = [];
    const r = needs.ensure([...table, { id: 'x', tool: 'x', why: 'x' }], {
      title: 'npm test',
      env: m.env,
      isRoot: false,
      toolPath: () => '/nonexistent',
      ensureTool: (n) => (asked.push(n), n),
      ...quiet,
    });
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      [
        'npm test: missing on this machine:',
        '  b  need-b is not on PATH: the b tests',
        '  c  need-c is not on PATH: the c tests',
        'Installing Debian packages needs root. Install them, then run the command again:',
        '  apt-get install -y pkg-b pkg-c',
        '',
      ].join('\n'),
    );
    expect(m.aptLog()).toEqual([]);
    expect(asked).toEqual([]);
  });

  test('no apt-get: says so, and still names the Debian packages', () => {
    const m = machine([], { noApt: true });
    const r = needs.ensure(table, { title: 'npm test', env: m.env, isRoot: true, ...quiet });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('This is not a Debian or Ubuntu machine (no apt-get)');
    expect(r.message).toContain('\n  apt-get install -y have-a pkg-b pkg-c\n');
  });

  test('npm test as nobody on a machine without its tools: exit 1 before anything else, with the line to run as root', () => {
    if (process.getuid?.() !== 0) throw new Error('this test must run as root: it runs scripts/test_deps.js as uid 65534');
    const m = machine([]);
    const copy = readableCopy(['scripts/needs.js', 'scripts/test_deps.js', 'scripts/toolchain.js', 'scripts/sysroot.js']);
    try {
      const r = spawnSync(
        needs.which('setpriv')!,
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, path.join(copy.dir, 'scripts', 'test_deps.js')],
        { env: { PATH: m.bin, HOME: copy.dir }, encoding: 'utf8', timeout: 30_000 },
      );
      expect(r.status).toBe(1);
      const want: string[] = [];
      for (const n of NEEDS) {
        const missing = n.command !== undefined || (n.file !== undefined && !fs.existsSync(n.file));
        if (missing) for (const p of n.debian as string[]) if (!want.includes(p)) want.push(p);
      }
      expect(r.stderr).toContain(`Installing Debian packages needs root. Install them, then run the command again:\n  apt-get install -y ${want.join(' ')}\n`);
      expect(r.stderr).toMatch(/^npm test: missing on this machine:\n {2}tmux +tmux is not on PATH: /);
      expect(m.aptLog()).toEqual([]);
      expect(fs.existsSync(path.join(copy.dir, 'node_modules'))).toBe(false);
    } finally {
      copy.dispose();
    }
  });
});
