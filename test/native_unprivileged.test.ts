// The reader as an unprivileged user (nobody, via setpriv) looking at root's processes: their
// smaps_rollup and io are denied (EACCES), so those fields are unknown; statm is still read; no throw.
// Needs root to drop to nobody; it fails (never skips) otherwise.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Children, waitForLine } from './helpers/children';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { NOBODY, readableCopy, ReadableCopy } from './helpers/readable_copy';

const PROBE = `
const { Reader } = require('./build/Release/spmon.node');
const s = new Reader().sample();
const row = (pid) => {
  const i = Array.from(s.pid).indexOf(pid);
  if (i < 0) return null;
  const out = {};
  for (const k of ['uid', 'statmResident', 'rss', 'pss', 'privateClean', 'privateDirty', 'swap', 'readBytes', 'writeBytes', 'rssAnon', 'name', 'cmdline'])
    out[k] = s[k][i];
  return out; // NaN becomes null in JSON
};
const denied = Array.from(s.pid).filter((_, i) => Number.isNaN(s.pss[i]) && !(s.flags[i] & 1) && s.state[i] !== 90).length;
console.log(JSON.stringify({ uid: process.getuid(), count: s.count, denied, self: row(process.pid),
  targets: process.argv.slice(2).map(Number).map(row) }));
`;

let pe: PrivateEnv;
let kids: Children;
let copy: ReadableCopy;
let dir: string;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('native_unprivileged.test.ts must run as root: it drops to uid 65534 with setpriv');
  pe = privateEnv();
  kids = new Children(pe.env);
  copy = readableCopy(['build/Release/spmon.node']);
  dir = copy.dir;
  fs.writeFileSync(path.join(dir, 'probe.js'), PROBE, { mode: 0o644 });
});

afterAll(async () => {
  await kids?.killAll();
  pe?.dispose();
  copy?.dispose();
});

interface ProbeRow {
  uid: number | null;
  statmResident: number | null;
  rss: number | null;
  pss: number | null;
  privateClean: number | null;
  privateDirty: number | null;
  swap: number | null;
  readBytes: number | null;
  writeBytes: number | null;
  rssAnon: number | null;
  name: string;
  cmdline: string | null;
}

function runAsNobody(pids: number[]): Promise<{ uid: number; count: number; denied: number; self: ProbeRow; targets: (ProbeRow | null)[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, path.join(dir, 'probe.js'), ...pids.map(String)],
      { cwd: dir, env: { ...pe.env, HOME: dir } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`probe failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout));
      },
    );
  });
}

test("nobody reading root's processes: smaps and io unknown, statm and status known, no throw", async () => {
  const rootChild = kids.spawn('bash', ['-c', 'echo ready; exec sleep 600']);
  await waitForLine(rootChild, /^ready$/);
  const out = await runAsNobody([process.pid, rootChild.pid!]);
  expect(out.uid).toBe(NOBODY);
  expect(out.count).toBeGreaterThan(2);
  expect(out.denied).toBeGreaterThanOrEqual(2);
  for (const t of out.targets) {
    expect(t).not.toBeNull();
    expect(t).toMatchObject({ uid: 0, rss: null, pss: null, privateClean: null, privateDirty: null, swap: null, readBytes: null, writeBytes: null });
    expect(t!.statmResident).toBeGreaterThan(0); // statm is world-readable
    expect(t!.rssAnon).toBeGreaterThanOrEqual(0); // so is status
  }
  expect(out.targets[1]!.name).toBe('sleep');
  expect(out.targets[1]!.cmdline).toBe('sleep 600');
  expect(out.targets[0]!.cmdline).toContain('jest');
});

test('nobody still reads its own smaps and io', async () => {
  const out = await runAsNobody([]);
  expect(out.self.uid).toBe(NOBODY);
  expect(out.self.pss).toBeGreaterThan(0);
  expect(out.self.privateDirty).toBeGreaterThan(0);
  expect(out.self.readBytes).not.toBeNull();
});
