// The committed prebuilds (npm run prebuilds): made from the current native/ sources, each for its
// machine and libc, loadable here (glibc x64 in this Node, musl x64 in a musl Bun; the arm64 ones run
// under qemu in prebuilds_arm64.test.ts), and an npm tarball that installs and runs with no compiler on PATH.
import { execFile, execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { localRegistry } from './helpers/local_registry';
import { ROOT } from './helpers/paths';
import { privateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

interface Target {
  id: string;
  arch: 'x64' | 'arm64';
  libc: 'glibc' | 'musl';
  machine: string;
}
interface ElfInfo {
  machine: string;
  needed: string[];
  versionNeeds: { file: string; versions: string[] }[];
  exports: string[];
}
/* eslint-disable @typescript-eslint/no-require-imports */
const prebuild = require('../scripts/prebuild.js') as {
  TARGETS: Target[];
  MAX_GLIBC: string;
  prebuildPath(t: Target): string;
  checkPrebuild(file: string, t: Target): string[];
};
const elf = require('../scripts/elf.js') as {
  readElf(file: string): ElfInfo;
  maxVersion(info: ElfInfo, prefix?: string): string | null;
  compareVersions(a: string, b: string): number;
};
const sources = require('../scripts/native_sources.js') as { SOURCES_FILE: string; sourceHashes(root: string): string };
const toolchain = require('../scripts/toolchain.js') as { ensureTool(name: string): string };
/* eslint-enable @typescript-eslint/no-require-imports */

const target = (id: string) => prebuild.TARGETS.find((t) => t.id === id)!;
const X64_GLIBC = prebuild.prebuildPath(target('linux-x64-glibc'));
const X64_MUSL = prebuild.prebuildPath(target('linux-x64-musl'));
/** spmon --once --json of a machine with a thousand processes is over spawnSync's default 1 MiB. */
const SNAPSHOT_BUFFER = 64 << 20;
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).name as string;

const tmpDirs: string[] = [];
function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Snapshot {
  schema: string;
  processes: { pid: number; name: string }[];
}

describe('committed prebuilds', () => {
  test('were made from the current native sources (else run: npm run prebuilds)', () => {
    const parse = (text: string) => new Map(text.split('\n').filter(Boolean).map((l) => [l.slice(66), l.slice(0, 64)] as const));
    const recorded = parse(fs.readFileSync(path.join(ROOT, sources.SOURCES_FILE), 'utf8'));
    const current = parse(sources.sourceHashes(ROOT));
    const files = [...new Set([...recorded.keys(), ...current.keys()])];
    expect(files.filter((f) => recorded.get(f) !== current.get(f))).toEqual([]);
  });

  test('one per platform and libc, nothing else in prebuilds/', () => {
    const found = fs
      .readdirSync(path.join(ROOT, 'prebuilds'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)))
      .sort();
    const want = [...prebuild.TARGETS.map((t) => path.relative(ROOT, prebuild.prebuildPath(t))), sources.SOURCES_FILE].sort();
    expect(found).toEqual(want);
    // node-gyp-build's file name tags: <name>.<libc>.node
    expect(path.basename(X64_MUSL)).toBe(`${PACKAGE}.musl.node`);
  });

  test.each(['linux-x64-glibc', 'linux-x64-musl', 'linux-arm64-glibc', 'linux-arm64-musl'])('%s: machine, libraries, symbol versions, exports', (id) => {
    const t = target(id);
    const file = prebuild.prebuildPath(t);
    expect(prebuild.checkPrebuild(file, t)).toEqual([]);
    const info = elf.readElf(file);
    expect(info.machine).toBe(t.arch === 'x64' ? 'x86-64' : 'aarch64');
    // libc++ is linked in: no C++ runtime to install.
    expect(info.needed.filter((l) => /stdc\+\+|c\+\+|gcc_s/.test(l))).toEqual([]);
    if (t.libc === 'glibc') {
      expect(info.needed).toContain('libc.so.6');
      const max = elf.maxVersion(info, 'GLIBC_');
      expect(max).not.toBeNull();
      expect(elf.compareVersions(max!, prebuild.MAX_GLIBC)).toBeLessThanOrEqual(0);
    } else {
      expect(info.needed).toEqual(['libc.so']);
      expect(info.versionNeeds).toEqual([]);
    }
    expect(info.exports.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
    expect(fs.statSync(file).size).toBeLessThan(1024 * 1024);
  });

  test('objdump -T agrees: no GLIBC_ symbol version newer than 2.28 in the x64 glibc prebuild', () => {
    const out = execFileSync('objdump', ['-T', X64_GLIBC], { encoding: 'utf8' });
    const versions = [...out.matchAll(/\bGLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    const max = versions.reduce((a, b) => (elf.compareVersions(a, b) >= 0 ? a : b));
    expect(elf.compareVersions(max, prebuild.MAX_GLIBC)).toBeLessThanOrEqual(0);
    expect(max).toBe(elf.maxVersion(elf.readElf(X64_GLIBC), 'GLIBC_'));
  });
});

describe('loading', () => {
  test('the glibc x64 prebuild loads in this Node and samples /proc', () => {
    const copy = path.join(tmpDir('spmon-prebuild-'), 'copy.node');
    fs.copyFileSync(X64_GLIBC, copy);
    const mod = { exports: {} as { Reader: new (o: object) => { sample(): { count: number; pid: Int32Array } }; openProcess: unknown } };
    process.dlopen(mod, copy);
    expect(typeof mod.exports.openProcess).toBe('function');
    const s = new mod.exports.Reader({}).sample();
    expect(s.count).toBeGreaterThan(1);
    expect(Array.from(s.pid)).toContain(process.pid);
  });

  test('node-gyp-build prefers build/Release, else picks the prebuild for the libc (LIBC=musl as on Alpine)', () => {
    const pkg = tmpDir('spmon-ngb-');
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    fs.cpSync(path.join(ROOT, 'prebuilds'), path.join(pkg, 'prebuilds'), { recursive: true });
    const resolve = (env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, ['-e', `process.stdout.write(require('node-gyp-build').path(${JSON.stringify(pkg)}))`], {
        cwd: ROOT,
        env: { ...process.env, LIBC: undefined, ...env },
        encoding: 'utf8',
      });
    expect(path.relative(pkg, resolve({}))).toBe(path.join('prebuilds', 'linux-x64', `${PACKAGE}.glibc.node`));
    expect(path.relative(pkg, resolve({ LIBC: 'musl' }))).toBe(path.join('prebuilds', 'linux-x64', `${PACKAGE}.musl.node`));
    fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'build', 'Release', 'spmon.node'), '');
    expect(path.relative(pkg, resolve({}))).toBe(path.join('build', 'Release', 'spmon.node'));
  });
});

/** A bin folder with node, npm and sh (npm runs scripts with it): no cc, g++, make or python3. */
function noCompilerPath(): string {
  const bin = tmpDir('spmon-bin-');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const npm = (process.env.PATH ?? '').split(':').map((d) => path.join(d, 'npm')).find((f) => fs.existsSync(f));
  if (!npm) throw new Error('npm is not on PATH');
  fs.symlinkSync(fs.realpathSync(npm), path.join(bin, 'npm'));
  return bin;
}

interface Installed {
  dir: string;
  files: string[];
  /** What npm printed while installing. */
  output: string;
  /** npm resolved the package through the local registry. */
  fromRegistry: boolean;
}

/**
 * npm pack this package, then install it from a registry (a local one holding the tarball) into an empty
 * folder, as a user does, with no compiler on PATH.
 */
async function installPacked(): Promise<Installed> {
  const packDir = tmpDir('spmon-pack-');
  // --ignore-scripts: no `prepare` (tsc rewriting dist/ while other test files run it); pretest built it.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const packed = (JSON.parse(out) as { filename: string; integrity: string; shasum: string; files: { path: string }[] }[])[0];
  const file = path.join(packDir, packed.filename);
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
  const dir = tmpDir('spmon-install-');
  const upstream = execFileSync('npm', ['config', 'get', 'registry'], { cwd: dir, encoding: 'utf8' }).trim();
  const version = manifest.version as string;
  const registry = await localRegistry({ name: PACKAGE, version, manifest, file, integrity: packed.integrity, shasum: packed.shasum }, upstream);
  try {
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'empty', version: '1.0.0', private: true, dependencies: { [PACKAGE]: version } }),
    );
    const bin = noCompilerPath();
    const r = await new Promise<{ status: number; output: string }>((resolve) => {
      execFile(
        'npm',
        ['install', '--registry', registry.url, '--prefer-offline', '--no-audit', '--no-fund'],
        { cwd: dir, env: { ...process.env, PATH: bin }, encoding: 'utf8', timeout: 200_000 },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    if (r.status !== 0) throw new Error(`npm install ${PACKAGE}@${version} failed (${r.status}):\n${r.output}`);
    return { dir, files: packed.files.map((f) => f.path), output: r.output, fromRegistry: registry.packumentFetches() > 0 };
  } finally {
    await registry.close();
  }
}

/** Run the musl Bun (a Node-API runtime linked against musl) with the stand-in libstdc++. */
function muslBun(): (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof spawnSync> {
  const loader = '/lib/ld-musl-x86_64.so.1'; // Debian's musl package
  if (!fs.existsSync(loader)) throw new Error(`${loader} is missing: npm test installs musl and musl-tools (scripts/test_deps.js)`);
  const bun = toolchain.ensureTool('bun-musl');
  const lib = tmpDir('spmon-musl-');
  const shim = path.join(ROOT, 'test', 'musl', 'libstdcxx_shim.c');
  execFileSync('musl-gcc', ['-shared', '-fPIC', '-O2', '-o', path.join(lib, 'libstdc++.so.6'), shim]);
  return (args, env = process.env) =>
    spawnSync(bun, args, { env: { ...env, LD_LIBRARY_PATH: lib }, encoding: 'utf8', timeout: 60_000, maxBuffer: SNAPSHOT_BUFFER });
}

describe('npm pack, then install with no compiler', () => {
  let installed: Installed;
  beforeAll(async () => {
    installed = await installPacked();
  }, 240_000);

  test('npm installs it from a registry quietly: no install script to approve (npm 11 allowScripts), none recorded', () => {
    expect(installed.fromRegistry).toBe(true);
    expect(installed.output).toMatch(/added \d+ packages/);
    expect(installed.output).not.toMatch(/install-scripts|allowScripts|npm warn/);
    const lock = JSON.parse(fs.readFileSync(path.join(installed.dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
    };
    const entry = lock.packages[`node_modules/${PACKAGE}`];
    expect(entry.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(entry.hasInstallScript).toBeUndefined();
  });

  test('the tarball is lean: code, prebuilds, sources for a rebuild; no tests, fixtures, maps or build output', () => {
    const f = installed.files;
    expect(f).toEqual(expect.arrayContaining(['bin/spmon', 'dist/spmon.js', 'binding.gyp', 'native/addon.cc', 'scripts/build_native.js', sources.SOURCES_FILE]));
    for (const t of prebuild.TARGETS) expect(f).toContain(path.relative(ROOT, prebuild.prebuildPath(t)));
    // Of scripts/, only what `npm run build:native` runs.
    const unwanted = (p: string) => (/^(test|build|bench|scripts|coverage|lib|native\/fuzz)\//.test(p) && p !== 'scripts/build_native.js') || /\.(map|ts)$/.test(p);
    expect(f.filter(unwanted)).toEqual([]);
  });

  test('nothing was built from source, node-gyp-build picks the glibc prebuild, spmon --once --json prints a valid snapshot', () => {
    const pkgDir = path.join(installed.dir, 'node_modules', PACKAGE);
    expect(fs.existsSync(path.join(pkgDir, 'build'))).toBe(false);
    const picked = execFileSync(process.execPath, ['-e', `process.stdout.write(require('node-gyp-build').path(${JSON.stringify(pkgDir)}))`], {
      cwd: installed.dir,
      env: { ...process.env, LIBC: undefined },
      encoding: 'utf8',
    });
    expect(path.relative(pkgDir, picked)).toBe(path.join('prebuilds', 'linux-x64', `${PACKAGE}.glibc.node`));
    const pe = privateEnv({ PATH: noCompilerPath() });
    try {
      const r = spawnSync(path.join(installed.dir, 'node_modules', '.bin', 'spmon'), ['--once', '--json', '--interval', '0'], {
        env: pe.env,
        encoding: 'utf8',
        timeout: 60_000,
        maxBuffer: SNAPSHOT_BUFFER,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as Snapshot;
      expect(doc.schema).toBe('spmon.snapshot/v1');
      expect(schemaErrors(doc)).toBe('');
      expect(doc.processes.length).toBeGreaterThan(1);
    } finally {
      pe.dispose();
    }
  });

  describe('musl: a musl Bun loads the musl prebuild', () => {
    let bun: ReturnType<typeof muslBun>;
    beforeAll(() => {
      bun = muslBun();
    }, 240_000);

    test('process.dlopen of the x64 musl prebuild samples /proc', () => {
      const dir = tmpDir('spmon-musl-load-');
      const copy = path.join(dir, 'copy.node');
      fs.copyFileSync(X64_MUSL, copy);
      const script = path.join(dir, 'load.js');
      fs.writeFileSync(
        script,
        `const m = { exports: {} };
process.dlopen(m, process.argv[2]);
const s = new m.exports.Reader({}).sample();
const me = Array.from(s.pid).indexOf(process.pid);
console.log(JSON.stringify({ count: s.count, name: me < 0 ? null : s.name[me], cpus: s.host.cpuCount }));`,
      );
      const r = bun([script, copy]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(String(r.stdout)) as { count: number; name: string; cpus: number };
      expect(out.count).toBeGreaterThan(1);
      expect(out.name).toBe('bun');
      expect(out.cpus).toBe(os.cpus().length);
    });

    test('the glibc prebuild is refused there, so the musl one is what loads below', () => {
      const r = bun(['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(X64_GLIBC)})`]);
      expect(r.status).not.toBe(0);
      expect(String(r.stderr)).toMatch(/glibc/);
    });

    test('the installed spmon under the musl Bun, LIBC=musl as node-gyp-build sets on Alpine: --once --json', () => {
      const pe = privateEnv();
      try {
        const spmon = path.join(installed.dir, 'node_modules', PACKAGE, 'bin', 'spmon');
        const r = bun([spmon, '--once', '--json', '--interval', '0'], { ...pe.env, LIBC: 'musl' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const doc = JSON.parse(String(r.stdout)) as Snapshot;
        expect(doc.schema).toBe('spmon.snapshot/v1');
        expect(schemaErrors(doc)).toBe('');
        expect(doc.processes.some((p) => p.name === 'bun')).toBe(true);
      } finally {
        pe.dispose();
      }
    });
  });

  // Last: it builds build/Release in the installed package, which wins over the prebuilds from then on.
  describe('where no prebuild fits', () => {
    test('spmon says how to build the addon from source, and that command builds one it then loads', () => {
      const spmon = path.join(installed.dir, 'node_modules', '.bin', 'spmon');
      const pe = privateEnv();
      try {
        // node-gyp-build looks for prebuilds/linux-<npm_config_arch>: one with none stands for a machine without.
        const run = () =>
          spawnSync(spmon, ['--once', '--json', '--interval', '0'], {
            env: { ...pe.env, npm_config_arch: 's390x' },
            encoding: 'utf8',
            timeout: 60_000,
            maxBuffer: SNAPSHOT_BUFFER,
          });
        const r = run();
        expect(r.status).not.toBe(0);
        expect(r.stdout).toBe('');
        const advice = /and build it: (cd ".+" && npm run build:native)\n/.exec(r.stderr);
        expect(advice).not.toBeNull();
        // Followed as written (build_native.js builds from this Node's installed headers when npm names none).
        execFileSync('sh', ['-c', advice![1]], { stdio: 'ignore', timeout: 240_000 });
        const pkgDir = path.join(installed.dir, 'node_modules', PACKAGE);
        expect(fs.existsSync(path.join(pkgDir, 'build', 'Release', 'spmon.node'))).toBe(true);
        const after = run();
        expect(after.stderr).toBe('');
        expect(after.status).toBe(0);
        expect((JSON.parse(after.stdout) as Snapshot).processes.length).toBeGreaterThan(1);
      } finally {
        pe.dispose();
      }
    }, 300_000);
  });
});
