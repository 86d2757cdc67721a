// dist/spmon.js, the CLI bundled by esbuild (scripts/build.js): bin/spmon loads it and nothing else of
// spmon's, and it behaves exactly as the modules tsc writes to dist/lib: same output, messages and exit status.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { BIN, cgroupFixture, ROOT } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { LONG_RUNNING_FLAGS } from '../lib/engine/jit_tier';

const OUT = path.join(ROOT, 'dist', 'spmon.js');
const LIB_CLI = path.join(ROOT, 'dist', 'lib', 'cli.js');

let pe: PrivateEnv;
let runner: string;

beforeAll(() => {
  // Both were built by pretest (scripts/build.js: tsc into dist/lib, then esbuild into dist/spmon.js).
  pe = privateEnv();
  // bin/spmon's way of running a CLI module, with a chosen one: the bundle, or dist/lib's cli.js.
  runner = path.join(pe.home, 'run.js');
  fs.writeFileSync(
    runner,
    `'use strict';
const cli = require(process.env.SPMON_ENTRY);
cli.main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write('spmon: ' + (err && err.stack ? err.stack : err) + '\\n'); process.exitCode = 1; },
);
`,
  );
});

afterAll(() => pe.dispose());

function run(entry: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [runner, ...args], {
    env: { ...pe.env, ...env, SPMON_ENTRY: entry },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The fields that change between two runs: the time, and the header line that shows it. */
function steady(text: string): string {
  return text.replace(/"time": "[^"]*"/, '"time": "-"').replace(/^spmon {2}\S+ \S+ /m, 'spmon  - ');
}

const fixture = (() => {
  const f = cgroupFixture('v2');
  return ['--proc-root', f.procRoot, '--cgroup-root', f.cgroupRoot];
})();

describe('dist/spmon.js', () => {
  test('is ASCII only: one character past it (a "…" in a comment) makes V8 hold the whole source as two-byte text', () => {
    // esbuild escapes strings (charset ascii) but keeps doc comments as written; the source stays in memory
    // for lazy compilation, so a two-byte bundle cost the dashboard ~2.6 MB of RSS and --once ~5 ms.
    const text = fs.readFileSync(OUT, 'latin1');
    const lines = text.split('\n');
    // eslint-disable-next-line no-control-regex
    const bad = lines.map((l, i) => [i + 1, l] as const).filter(([, l]) => /[^\x00-\x7f]/.test(l));
    expect(bad.map(([n, l]) => `${n}: ${l.trim().slice(0, 100)}`)).toEqual([]);
  });

  test('is compact: no comments and no indentation (V8 holds the whole source while the process runs)', () => {
    const text = fs.readFileSync(OUT, 'utf8');
    const lines = text.split('\n');
    expect(text.match(/\/\*\*|^\s*\/\/ /m)).toBeNull();
    // Lines are statements run together (what is left are the line breaks inside template literals).
    expect(lines.filter((l) => /^[ \t]+(return |const |let |var |if \(|function )/.exec(l) !== null)).toEqual([]);
    expect(lines.length).toBeLessThan(1000);
    // Function names are kept (stack traces name them).
    expect(text).toContain('function geminiProjectHash(');
  });

  test.each([
    [['--help']],
    [['--version']],
    [['--bogus']],
    [['--once', '--sort', 'nope']],
    [['tokens', '--bogus']],
    [['tokens', '--json']],
    [['tokens', '--session', 'nope']],
    [['--json', '--interval', '0', ...fixture]],
    [['--once', '--interval', '0', '--sort', 'pid', '-r', ...fixture]],
    [['--json', '--interval', '0', '--proc-root', path.join(os.tmpdir(), 'no-such-proc-root')]],
  ])('%j: the same as dist/lib', (args) => {
    const a = run(OUT, args);
    const b = run(LIB_CLI, args);
    expect([a.code, steady(a.stdout), a.stderr]).toEqual([b.code, steady(b.stdout), b.stderr]);
  });

  test('a broken config file: the same exit status and message', () => {
    const dir = path.join(pe.home, 'xdg');
    fs.mkdirSync(path.join(dir, 'spmon'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'spmon', 'config.json'), '{"interval": "soon"}');
    const a = run(OUT, ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    const b = run(LIB_CLI, ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    expect(a.code).toBe(2);
    expect([a.code, a.stdout, a.stderr]).toEqual([b.code, b.stdout, b.stderr]);
  });

  test('bin/spmon loads the bundle: one file of spmon, none of dist/lib', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { env: { ...pe.env, NODE_DEBUG: 'module' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    // Through the code cache (vm.Script) the bundle is no "load" of the module system, but every module it
    // requires names it as the parent.
    expect(r.stderr).toMatch(new RegExp(`(load "|parent: )${OUT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stderr).not.toContain(path.join(ROOT, 'dist', 'lib'));
    expect(r.stderr).not.toContain(path.join(ROOT, 'lib') + path.sep);
  });

  test('a snapshot with no daemon and no tmux server loads neither child_process nor net (commander\'s and the daemon\'s are lazy)', () => {
    const r = spawnSync(process.execPath, [BIN, '--once', '--json', '--interval', '0'], { env: { ...pe.env, NODE_DEBUG: 'module' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const builtins = new Set([...r.stderr.matchAll(/load built-in module (\S+)/g)].map((m) => m[1].replace(/^node:/, '')));
    expect(builtins.has('fs')).toBe(true);
    expect([...builtins].filter((b) => b === 'child_process' || b === 'net')).toEqual([]);
  });

  test('without a build, bin/spmon says how to make one', () => {
    const copy = path.join(pe.home, 'pkg');
    fs.mkdirSync(path.join(copy, 'bin'), { recursive: true });
    fs.copyFileSync(BIN, path.join(copy, 'bin', 'spmon'));
    const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'spmon'), '--version'], { env: pe.env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('spmon: not built yet; run "npm run build" in the package folder.\n');
  });
});

describe('the code cache (dist/spmon.cache, made by the build)', () => {
  const CACHE = path.join(ROOT, 'dist', 'spmon.cache');
  const STAMP = path.join(ROOT, 'dist', 'spmon.cache.json');
  const BIN_SPMON = path.join(ROOT, 'bin', 'spmon');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const launcher = require(BIN_SPMON) as { cacheDigest: (bytes: Buffer) => { crc32?: number; sha256?: string } };
  /** What bin/spmon's loader does with a cache: whether V8 took it, and whether the CLI then works. */
  const probe = (cache: string, stamp: string, flags: readonly string[] = []) => {
    const script = `
const { loadBundle, cachedBundle, BUNDLE } = require(${JSON.stringify(BIN_SPMON)});
const c = cachedBundle(BUNDLE, ${JSON.stringify(cache)}, ${JSON.stringify(stamp)});
const { exports: cli, cacheUsed } = c ? loadBundle(c.source, c.cachedData) : { exports: require(BUNDLE), cacheUsed: null };
process.stderr.write('cache=' + (cacheUsed === null ? 'none' : cacheUsed ? 'used' : 'rejected') + '\\n');
cli.main(['node', 'spmon', ...process.argv.slice(1)]).then((c) => { process.exitCode = c; });`;
    return spawnSync(process.execPath, [...flags, '-e', script, '--', '--once', '--json', '--interval', '0', ...fixture], { env: pe.env, encoding: 'utf8', timeout: 60_000 });
  };

  test('was made for the bundle as it is, and V8 takes it', () => {
    const st = fs.statSync(OUT);
    const bytes = fs.readFileSync(CACHE);
    expect(JSON.parse(fs.readFileSync(STAMP, 'utf8'))).toEqual({ size: st.size, mtimeMs: st.mtimeMs, cacheBytes: bytes.length, ...launcher.cacheDigest(bytes) });
    const r = probe(CACHE, STAMP);
    expect(r.stderr).toBe('cache=used\n');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('spmon.snapshot/v1');
  });

  test('a damaged cache is never handed to V8 (it could abort Node): the CLI gives the same answer without it', () => {
    const bad = path.join(pe.home, 'bad.cache');
    const bytes = fs.readFileSync(CACHE);
    for (let i = 64; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
    fs.writeFileSync(bad, bytes);
    const r = probe(bad, STAMP);
    expect(r.stderr).toBe('cache=none\n');
    expect(r.status).toBe(0);
    expect(steady(r.stdout)).toBe(steady(run(OUT, ['--once', '--json', '--interval', '0', ...fixture]).stdout));
    // A cut-short one too.
    fs.writeFileSync(bad, fs.readFileSync(CACHE).subarray(0, 4096));
    expect(probe(bad, STAMP).stderr).toBe('cache=none\n');
  });

  test('under the long-running flags V8 checks the cache itself: it takes the lean cache whole and refuses it damaged', () => {
    const LEAN = path.join(ROOT, 'dist', 'spmon.lean.cache');
    const LEAN_STAMP = path.join(ROOT, 'dist', 'spmon.lean.cache.json');
    expect(probe(LEAN, LEAN_STAMP, LONG_RUNNING_FLAGS).stderr).toBe('cache=used\n');
    const bad = path.join(pe.home, 'bad.lean.cache');
    const plain = steady(run(OUT, ['--once', '--json', '--interval', '0', ...fixture]).stdout);
    // One flipped byte early, in the middle and near the end: bin/spmon no longer looks (no zlib), V8 does.
    for (const at of [100, 0.5, 0.9]) {
      const bytes = fs.readFileSync(LEAN);
      bytes[at < 1 ? Math.floor(bytes.length * at) : at] ^= 0x5a;
      fs.writeFileSync(bad, bytes);
      const r = probe(bad, LEAN_STAMP, LONG_RUNNING_FLAGS);
      expect([at, r.stderr]).toEqual([at, 'cache=rejected\n']);
      expect(r.status).toBe(0);
      expect(steady(r.stdout)).toBe(plain);
    }
  });

  test('one changed bit anywhere, or two words swapped, changes the digest', () => {
    const bytes = fs.readFileSync(CACHE);
    const key = (b: Buffer) => JSON.stringify(launcher.cacheDigest(b));
    const whole = key(bytes);
    // This Node has zlib.crc32 (20.15 and later): the CRC-32, not crypto's SHA-256.
    expect(Object.keys(launcher.cacheDigest(bytes))).toEqual([typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? 'crc32' : 'sha256']);
    const seen = new Set([whole]);
    for (const at of [0, 1, 2, 3, 4, 1000, bytes.length >> 1, bytes.length - 5, bytes.length - 1]) {
      for (const bit of [0, 3, 7]) {
        bytes[at] ^= 1 << bit;
        seen.add(key(bytes));
        bytes[at] ^= 1 << bit;
      }
    }
    expect(seen.size).toBe(1 + 9 * 3);
    expect(key(bytes)).toBe(whole);
    const swapped = Buffer.from(bytes);
    swapped.writeInt32LE(bytes.readInt32LE(8), 12);
    swapped.writeInt32LE(bytes.readInt32LE(12), 8);
    expect(bytes.readInt32LE(8)).not.toBe(bytes.readInt32LE(12));
    expect(key(swapped)).not.toBe(whole);
  });

  test('bin/spmon runs the same with the cache, and without it when its stamp names another bundle', () => {
    const withCache = spawnSync(process.execPath, [BIN_SPMON, '--once', '--json', '--interval', '0', ...fixture], { env: pe.env, encoding: 'utf8' });
    const saved = fs.readFileSync(STAMP, 'utf8');
    try {
      fs.writeFileSync(STAMP, JSON.stringify({ size: 1, mtimeMs: 1 }));
      const without = spawnSync(process.execPath, [BIN_SPMON, '--once', '--json', '--interval', '0', ...fixture], { env: pe.env, encoding: 'utf8' });
      expect(without.status).toBe(0);
      expect(steady(without.stdout)).toBe(steady(withCache.stdout));
    } finally {
      fs.writeFileSync(STAMP, saved);
    }
    expect(withCache.status).toBe(0);
  });

  test('esbuild\'s namespace helper is shared per module: one fs namespace for every importer', () => {
    const text = fs.readFileSync(OUT, 'utf8');
    expect(text).toMatch(/__toESMShared\s*=\s*new WeakMap(\(\))?[;,]/);
    expect((text.match(/__toESM\(require\("fs"\)\)/g) ?? []).length).toBeGreaterThan(1);
  });
});
