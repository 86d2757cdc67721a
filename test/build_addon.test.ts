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
