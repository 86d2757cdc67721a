// dist/spmon.js, the CLI bundled by esbuild (scripts/build.js): bin/spmon loads it and nothing else of
// spmon's, and it behaves exactly as the modules tsc writes to dist/lib: same output, messages and exit status.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN, cgroupFixture, ROOT } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';

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
    expect(r.stderr).toContain(`load "${OUT}"`);
    expect(r.stderr).not.toContain(path.join(ROOT, 'dist', 'lib'));
    expect(r.stderr).not.toContain(path.join(ROOT, 'lib') + path.sep);
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
