// A long-lived Reader lists /proc again only when a process may have been created since its last listing: the
// system's fork count in /proc/stat, read before each listing, tells (stats.listed: 1 listed, 0 the last
// listing's pids read again). These tests check that a pass is never short of a process because of it: one
// created just before a pass is in that pass, one gone is not, and every process alive across a pass that
// reused the listing is in it. Other suites fork meanwhile (each fork makes the next pass list; test/churn.test.ts
// forks thousands a second for most of a minute), so the tests take passes until they have seen enough reused
// listings, for up to WAIT_MS.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createReader, RawSample } from '../lib/native';

const opts = { smaps: false, host: false, cgroup: false } as const;
const WAIT_MS = 100_000;
jest.setTimeout(WAIT_MS + 20_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pids = (s: RawSample) => new Set(Array.from(s.pid));
const listing = () => new Set(fs.readdirSync('/proc').filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number));

function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
}

test('a process created just before a pass is in it, and one gone is not, whether or not the listing was reused', async () => {
  const reader = createReader();
  let reusedWhileGone = 0;
  for (const end = Date.now() + WAIT_MS; Date.now() < end; ) {
    reader.sample(opts);
    const c = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      expect(pids(reader.sample(opts)).has(c.pid!)).toBe(true);
      // The passes after it (the listing read again when nothing was created since, or listed): the child is in each.
      for (let k = 0; k < 2; k++) expect(pids(reader.sample(opts)).has(c.pid!)).toBe(true);
    } finally {
      c.kill('SIGKILL');
      await exited(c);
    }
    const gone = reader.sample(opts);
    expect(pids(gone).has(c.pid!)).toBe(false);
    if (gone.stats!.listed === 0) reusedWhileGone++;
    if (reusedWhileGone >= 3) break;
    await sleep(20);
  }
  // The reused listing was exercised (the machine was quiet for some of those passes).
  expect(reusedWhileGone).toBeGreaterThan(0);
});

test('a pass that reuses the listing holds every process alive across it, and every tenth pass lists', async () => {
  const reader = createReader();
  let checked = 0;
  for (let pass = 1, end = Date.now() + WAIT_MS; Date.now() < end && checked < 5; pass++) {
    const before = listing();
    const s = reader.sample(opts);
    const after = listing();
    if (pass % 10 === 0) expect({ pass, listed: s.stats!.listed }).toEqual({ pass, listed: 1 });
    if (pass === 1) expect(s.stats!.listed).toBe(1);
    if (s.stats!.listed === 0) {
      checked++;
      const got = pids(s);
      const missing = [...before].filter((p) => after.has(p) && !got.has(p));
      expect({ pass, missing }).toEqual({ pass, missing: [] });
    }
    await sleep(pass % 3 === 0 ? 30 : 1);
  }
  expect(checked).toBeGreaterThan(0);
});

test('a fixture tree (no fork count) is listed in every pass', () => {
  const root = path.resolve(__dirname, '..');
  const reader = createReader({ procRoot: path.join(root, 'test/fixtures/proc'), cgroupRoot: path.join(root, 'test/fixtures/cgroup/v2') });
  for (let i = 0; i < 3; i++) expect(reader.sample(opts).stats!.listed).toBe(1);
});
