// More processes than the fd limit allows to hold open: a sample with smapsPids keeps a
// pid directory fd per deferred smaps read until its walk ends. Past RLIMIT_NOFILE, openat
// failed with EMFILE and those processes dropped out of the sample altogether. Now at most
// a quarter of the limit is held (the highest priorities); the rest are simply not read
// this pass, as when the time budget runs out, and every process is still listed.
import { execFile } from 'child_process';
import { Children, waitForLine } from './helpers/children';
import { ADDON_PATH } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';

const SLEEPERS = 300;
const FD_LIMIT = 64;

const PROBE = `
const { Reader } = require(${JSON.stringify(ADDON_PATH)});
const sleepers = process.argv.slice(1).map(Number);
const r = new Reader({});
const all = Array.from(r.sample({ smaps: false }).pid);
// Our sleepers first, in the order given, then everything else.
const order = sleepers.concat(all.filter((p) => !sleepers.includes(p)));
const s = r.sample({ smapsPids: order });
const index = new Map(Array.from(s.pid).map((p, i) => [p, i]));
console.log(JSON.stringify({
  count: s.count,
  listed: sleepers.filter((p) => index.has(p)).length,
  pssKnown: sleepers.map((p) => (index.has(p) && !Number.isNaN(s.pss[index.get(p)]) ? 1 : 0)),
}));
`;

let pe: PrivateEnv;
let kids: Children;
let sleepers: number[];

beforeAll(async () => {
  pe = privateEnv();
  kids = new Children(pe.env);
  const parent = kids.spawn('bash', ['-c', `for i in $(seq ${SLEEPERS}); do sleep 600 & done; echo "pids $(jobs -p | tr '\\n' ' ')"; wait`], {
    stdio: ['ignore', 'pipe', 'ignore'], // bash reports each killed job on stderr at the end
  });
  const m = await waitForLine(parent, /^pids ([\d ]+)$/);
  sleepers = m[1].trim().split(/\s+/).map(Number);
  for (const p of sleepers) kids.adopt(p);
});

afterAll(async () => {
  await kids?.killAll();
  pe?.dispose();
});

test(`with ${SLEEPERS} processes to read smaps of and ${FD_LIMIT} fds allowed, every process is still listed`, async () => {
  expect(sleepers).toHaveLength(SLEEPERS);
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'bash',
      ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" -e "$1" "\${@:2}"`, process.execPath, PROBE, ...sleepers.map(String)],
      { env: pe.env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  const r = JSON.parse(out) as { count: number; listed: number; pssKnown: number[] };
  expect(r.count).toBeGreaterThan(SLEEPERS);
  expect(r.listed).toBe(SLEEPERS);
  // The highest priorities (the first pids of smapsPids) were read; not all of them could be.
  expect(r.pssKnown.slice(0, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  expect(r.pssKnown.reduce((a, b) => a + b, 0)).toBeLessThan(SLEEPERS);
});

// A sample that reads every smaps (an engine's first) queues the reads for helper threads, each read holding
// its pid directory's fd until a helper reads it: at most an eighth of the limit wait, so with a limit just
// high enough for that queue every process is still listed and read, and no fd of a process is left open
// afterwards. What the reader keeps open by design, the host's and its own cgroup's files (read again in place
// at each sample), stays the same from one sample to the next.
const POOL_PROBE = `
const fs = require('fs');
const { Reader } = require(${JSON.stringify(ADDON_PATH)});
const sleepers = process.argv.slice(1).map(Number);
// fd -> what it is open on; the listing's own fd (closed by the time it is looked at) is left out.
const fds = () => new Map(fs.readdirSync('/proc/self/fd').flatMap((fd) => { try { return [[fd, fs.readlinkSync('/proc/self/fd/' + fd)]]; } catch { return []; } }));
const before = fds();
const r = new Reader({ smapsWorkers: 2 });
const s = r.sample({});
const after = fds();
r.sample({});
const again = fds();
const left = [...after].filter(([fd]) => !before.has(fd)).map(([, target]) => target);
const own = '/proc/' + process.pid + '/';
const byDesign = (t) => ['/proc/stat', '/proc/meminfo', '/proc/uptime', own + 'cgroup', own + 'mountinfo'].includes(t) || t.startsWith('/sys/fs/cgroup/');
// From its second sample a reader also holds quiet processes' files; the host's and cgroup's stay as they were.
const kept = (m) => [...m.values()].filter(byDesign).sort();
const index = new Map(Array.from(s.pid).map((p, i) => [p, i]));
console.log(JSON.stringify({
  workers: s.stats.smapsWorkers,
  fdErrors: s.stats.fdErrors,
  listed: sleepers.filter((p) => index.has(p)).length,
  pssKnown: sleepers.filter((p) => index.has(p) && !Number.isNaN(s.pss[index.get(p)])).length,
  left,
  leftNotByDesign: left.filter((t) => !byDesign(t)),
  sameAfterAgain: JSON.stringify(kept(after)) === JSON.stringify(kept(again)),
}));
`;

test(`a first sample of ${SLEEPERS} processes on helper threads under a limit of 160 fds: all listed and read, no fd left`, async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'bash',
      ['-c', `ulimit -n 160 && exec "$0" -e "$1" "\${@:2}"`, process.execPath, POOL_PROBE, ...sleepers.map(String)],
      { env: pe.env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  const r = JSON.parse(out) as { workers: number; fdErrors: number; listed: number; pssKnown: number; left: string[]; leftNotByDesign: string[]; sameAfterAgain: boolean };
  expect(r).toEqual({ workers: 2, fdErrors: 0, listed: SLEEPERS, pssKnown: SLEEPERS, left: r.left, leftNotByDesign: [], sameAfterAgain: true });
  // The host's files are among those kept (a reader that held nothing would pass the line above).
  expect(r.left).toEqual(expect.arrayContaining(['/proc/stat', '/proc/meminfo', '/proc/uptime']));
});
