// dist/spmon.js (scripts/bundle.js): bin/spmon loads it while it matches dist/lib, and it behaves exactly as
// dist/lib does: same output, messages and exit status, one instance of every module.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN, cgroupFixture, ROOT } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle, OUT, STAMP } = require(path.join(ROOT, 'scripts', 'bundle.js')) as { bundle: () => unknown; OUT: string; STAMP: string };

let pe: PrivateEnv;
let runner: string;

beforeAll(() => {
  bundle(); // dist/lib was built by pretest
  pe = privateEnv();
  // bin/spmon with a chosen entry: the bundle or dist/lib.
  runner = path.join(pe.home, 'run.js');
  fs.writeFileSync(
    runner,
    `'use strict';
require(process.env.SPMON_ENTRY).main(process.argv).then(
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
    const a = run(OUT, args);
    const b = run(path.join(ROOT, 'dist', 'lib', 'cli.js'), args);
    expect([a.code, steady(a.stdout), a.stderr]).toEqual([b.code, steady(b.stdout), b.stderr]);
  });

  test('a broken config file: the same exit status and message', () => {
    const dir = path.join(pe.home, 'xdg');
    fs.mkdirSync(path.join(dir, 'spmon'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'spmon', 'config.json'), '{"interval": "soon"}');
    const a = run(OUT, ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    const b = run(path.join(ROOT, 'dist', 'lib', 'cli.js'), ['--once', ...fixture], { XDG_CONFIG_HOME: dir });
    expect(a.code).toBe(2);
    expect([a.code, a.stdout, a.stderr]).toEqual([b.code, b.stdout, b.stderr]);
  });

  test('bin/spmon loads it while dist/lib/cli.js is the file it was made from, else dist/lib', () => {
    const loaded = () => {
      const r = spawnSync(process.execPath, [BIN, '--version'], { env: { ...pe.env, NODE_DEBUG: 'module' }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return { bundle: r.stderr.includes(`load "${OUT}"`), lib: r.stderr.includes(`load "${path.join(ROOT, 'dist', 'lib', 'cli.js')}"`) };
    };
    expect(loaded()).toEqual({ bundle: true, lib: false });
    const stamp = fs.readFileSync(STAMP, 'utf8');
    try {
      // As after a later tsc run: dist/lib/cli.js is not the file the bundle was made from.
      fs.writeFileSync(STAMP, JSON.stringify({ ...JSON.parse(stamp), cliMtimeMs: 1 }));
      expect(loaded()).toEqual({ bundle: false, lib: true });
    } finally {
      fs.writeFileSync(STAMP, stamp);
    }
    expect(loaded()).toEqual({ bundle: true, lib: false });
  });
});
