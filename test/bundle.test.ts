// dist/spmon.js and its code cache (scripts/bundle.js): bin/spmon loads them while they match dist/lib, and
// the bundle behaves exactly as dist/lib does: same output, messages and exit status.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN, cgroupFixture, ROOT } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle, OUT, STAMP } = require(path.join(ROOT, 'scripts', 'bundle.js')) as { bundle: () => unknown; OUT: string; STAMP: string };
const LIB_CLI = path.join(ROOT, 'dist', 'lib', 'cli.js');

let pe: PrivateEnv;
let runner: string;

beforeAll(() => {
  bundle(); // dist/lib was built by pretest
  pe = privateEnv();
  // bin/spmon with a chosen entry: the bundle as bin/spmon loads it (with its code cache), or dist/lib.
  runner = path.join(pe.home, 'run.js');
  fs.writeFileSync(
    runner,
    `'use strict';
let cli;
if (process.env.SPMON_ENTRY === 'bundle') {
  const bin = require(${JSON.stringify(BIN)});
  const stamp = bin.freshStamp();
  if (!stamp) throw new Error('the bundle is stale');
  const loaded = bin.loadBundle(stamp);
  if (!loaded.cacheUsed) throw new Error('the code cache was not used');
  cli = loaded.exports;
} else cli = require(process.env.SPMON_ENTRY);
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
    const a = run('bundle', args);
    const b = run(LIB_CLI, args);
    expect([a.code, steady(a.stdout), a.stderr]).toEqual([b.code, steady(b.stdout), b.stderr]);
  });

  test('a broken config file: the same exit status and message', () => {
    const dir = path.join(pe.home, 'xdg');
    fs.mkdirSync(path.join(dir, 'spmon'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'spmon', 'config.json'), '{"interval": "soon"}');
    const a = run('bundle', ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    const b = run(LIB_CLI, ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    expect(a.code).toBe(2);
    expect([a.code, a.stdout, a.stderr]).toEqual([b.code, b.stdout, b.stderr]);
  });

  test('bin/spmon loads it while dist/lib/cli.js is the file it was made from, else dist/lib', () => {
    const loaded = () => {
      const r = spawnSync(process.execPath, [BIN, '--version'], { env: { ...pe.env, NODE_DEBUG: 'module' }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      // The bundle is compiled from its source, not loaded as a module file: what it requires names it as parent.
      return { bundle: r.stderr.includes(`parent: ${OUT}`), lib: r.stderr.includes(`load "${LIB_CLI}"`) };
    };
    expect(loaded()).toEqual({ bundle: true, lib: false });
    const stamp = fs.readFileSync(STAMP, 'utf8');
    try {
      // As after a later tsc run: dist/lib/cli.js is not the file the bundle was made from.
      const s = JSON.parse(stamp) as { cli: { mtimeMs: number } };
      fs.writeFileSync(STAMP, JSON.stringify({ ...s, cli: { ...s.cli, mtimeMs: 1 } }));
      expect(loaded()).toEqual({ bundle: false, lib: true });
    } finally {
      fs.writeFileSync(STAMP, stamp);
    }
    expect(loaded()).toEqual({ bundle: true, lib: false });
  });

  test('the code cache is given to V8 only while it is the file made with the bundle', () => {
    const used = (edit: string) => {
      const r = spawnSync(
        process.execPath,
        ['-e', `const b = require(${JSON.stringify(BIN)}); const s = b.freshStamp(); ${edit}; process.stdout.write(String(b.loadBundle(s).cacheUsed));`],
        { env: pe.env, encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    expect(used('')).toBe('true');
    expect(used('s.cache.mtimeMs = 1')).toBe('false');
    expect(used('s.cache.size += 1')).toBe('false');
    expect(used('delete s.cache')).toBe('false');
  });
});
