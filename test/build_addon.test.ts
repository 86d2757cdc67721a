// scripts/build_addon.js without g++, make and python3 (a fresh machine): `npm install` in a clone still
// passes and leaves spmon on its prebuild; the pretest build refuses, naming what is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './helpers/paths';

let bin: string;
beforeAll(() => {
  // A PATH with nothing on it but sh: no compiler, make or python3.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-nocc-'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
});
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build_addon.js'), ...args], {
    env: { PATH: bin, HOME: bin },
    encoding: 'utf8',
    timeout: 30_000,
  });

test('prepare (--install) with no toolchain: exit 0, says the prebuild is used and npm test builds it', () => {
  const r = run(['--install']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(
    'spmon: no g++, make, python3: the addon was not built from native/; spmon loads its prebuild (prebuilds/). ' +
      'npm test installs what it needs and builds it.\n',
  );
});

test('pretest with no toolchain: exit 1, naming what is missing', () => {
  const r = run([]);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('spmon: cannot build the addon: g++, make, python3 not on PATH\n');
});

describe("node-gyp with this Node's own headers (no download from nodejs.org)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { localNodeDir } = require('../scripts/build_native.js') as { localNodeDir(env: NodeJS.ProcessEnv, execPath: string, version: string): string | null };
  let prefix: string;
  beforeAll(() => {
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-nodedir-'));
    fs.mkdirSync(path.join(prefix, 'include', 'node'), { recursive: true });
    fs.mkdirSync(path.join(prefix, 'bin'));
    fs.writeFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), '#define NODE_MAJOR_VERSION 20\n#define NODE_MINOR_VERSION 20\n#define NODE_PATCH_VERSION 2\n');
    fs.writeFileSync(path.join(prefix, 'include', 'node', 'common.gypi'), '{}\n');
  });
  afterAll(() => fs.rmSync(prefix, { recursive: true, force: true }));

  test('the prefix of headers of the same version beside the node binary; none for another version, none when npm sets nodedir', () => {
    const node = path.join(prefix, 'bin', 'node');
    expect(localNodeDir({}, node, 'v20.20.2')).toBe(prefix);
    expect(localNodeDir({}, node, 'v20.20.1')).toBeNull();
    expect(localNodeDir({ npm_config_nodedir: '/elsewhere' }, node, 'v20.20.2')).toBeNull();
    expect(localNodeDir({}, path.join(os.tmpdir(), 'no-such-prefix', 'bin', 'node'), 'v20.20.2')).toBeNull();
  });

  test('prepare (--install) whose build fails (no headers to be had) still passes on the prebuild; the pretest build does not', () => {
    const env = { ...process.env, npm_config_nodedir: path.join(prefix, 'nothing-here') };
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-gypfail-'));
    try {
      // A copy of what the build needs, so that the clone's own build/ is left alone.
      for (const f of ['binding.gyp', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
      for (const d of ['native', 'scripts', 'prebuilds']) fs.cpSync(path.join(ROOT, d), path.join(copy, d), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      const go = (args: string[]) => spawnSync(process.execPath, [path.join(copy, 'scripts', 'build_addon.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
      const install = go(['--install']);
      expect(install.status).toBe(0);
      expect(install.stderr).toMatch(/spmon: node-gyp rebuild failed\nspmon: the addon was not built from native\/ \(above\); spmon loads its prebuild \(prebuilds\/\)\. npm test builds it\.\n$/);
      const pretest = go([]);
      expect(pretest.status).toBe(1);
      expect(pretest.stderr).toMatch(/spmon: node-gyp rebuild failed\n$/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
