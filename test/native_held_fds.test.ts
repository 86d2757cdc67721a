// A long-lived Reader keeps each process's stat, statm, status and io open from its second
// pass and preads them (issue 6: opening them costs as much as reading them). These tests
// check that this changes what it costs, never what it reads: changes still show, a gone
// process's fds are closed, a pid reused by a newcomer reads as the newcomer, and fixture
// trees (plain files, no ESRCH for a gone process) are never read through held fds.
import { execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createReader, FLAG_QUIET, FLAG_STATUS_READ } from '../lib/native';
import { python3 } from './helpers/children';
import { privateEnv } from './helpers/private_env';
import { mustRow } from './helpers/rows';

const MiB = 1024 * 1024;
const ROOT = path.resolve(__dirname, '..');

test('a fixture tree is never read through held fds (a gone process there would not read ESRCH)', () => {
  const procRoot = path.join(ROOT, 'test/fixtures/proc');
  const reader = createReader({ procRoot, cgroupRoot: path.join(ROOT, 'test/fixtures/cgroup/v2') });
  for (let i = 0; i < 3; i++) {
    const s = reader.sample({ host: false, cgroup: false });
    expect(s.count).toBeGreaterThan(0);
    expect(s.stats!.heldProcesses).toBe(0);
    expect(s.stats!.statusRead).toBe(s.count);
  }
  const held = fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(procRoot);
    } catch {
      return false;
    }
  });
  expect(held).toEqual([]);
});

// The live scenarios run inside a private pid namespace (node is pid 1 there, with its own
// /proc): only the test's own processes are visible, so however busy the machine is, they
// are held (the cap is half the fd limit), and ns_last_pid can hand a finished process's
// pid to a newcomer.
const LIVE_SCRIPT = `
const fs = require('fs');
const cp = require('child_process');
const { createReader } = require(${JSON.stringify(path.join(ROOT, 'dist/lib/native.js'))});
const [python, file] = process.argv.slice(1);
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const exited = (c) => c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r));
const line = (c, re) => new Promise((resolve, reject) => {
  let buf = '';
  c.stdout.on('data', (d) => { buf += d; if (re.test(buf)) resolve(); });
  c.once('exit', () => reject(new Error('child exited before ' + re)));
});
const row = (s, pid) => {
  const i = Array.from(s.pid).indexOf(pid);
  if (i < 0) return null;
  const o = {};
  for (const k of ['name', 'cmdline', 'startTime', 'utime', 'stime', 'statmResident', 'rssAnon', 'uid', 'writeBytes', 'flags']) o[k] = s[k][i];
  return o;
};
const heldFiles = (pid) => {
  const out = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const m = fs.readlinkSync('/proc/self/fd/' + fd).match(/^\\/proc\\/(\\d+)\\/(\\w+)$/);
      if (m && Number(m[1]) === pid) out.push(m[2]);
    } catch {}
  }
  return out.sort();
};
const opts = { smaps: false, host: false, cgroup: false };
(async () => {
  const out = {};
  const reader = createReader();

  // 1. Held from the second pass; quiet passes keep every field; a change still shows.
  const child = cp.spawn(python, ['-c', [
    'import mmap, os, sys',
    'print("ready", flush=True)',
    'sys.stdin.readline()',
    'm = mmap.mmap(-1, 64 << 20, flags=mmap.MAP_PRIVATE)',
    'for i in range(0, 64 << 20, 4096): m[i] = 1',
    'f = open(sys.argv[1], "wb"); f.write(b"x" * (4 << 20)); f.flush(); os.fsync(f.fileno())',
    'print("done", flush=True)',
    'sys.stdin.readline()',
  ].join('\\n'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await line(child, /ready/);
  const pid = child.pid;
  const first = reader.sample(opts);
  out.firstHeldProcesses = first.stats.heldProcesses;
  out.heldAfterFirst = heldFiles(pid);
  reader.sample(opts);
  out.heldAfterSecond = heldFiles(pid);
  out.quiet = [];
  for (let i = 0; i < 12; i++) {
    const s = reader.sample(opts);
    out.quiet.push({ count: s.count, heldProcesses: s.stats.heldProcesses, statusRead: s.stats.statusRead, row: row(s, pid) });
  }
  out.heldAfterQuiet = heldFiles(pid);
  const done = line(child, /done/);
  child.stdin.write('\\n');
  await done;
  out.after = row(reader.sample(opts), pid);
  out.uid = process.getuid();

  // 2. The fds of a process that exits are closed at the next pass.
  child.kill('SIGKILL');
  await exited(child);
  const gone = reader.sample(opts);
  out.goneListed = Array.from(gone.pid).includes(pid);
  out.heldAfterExit = heldFiles(pid);

  // 3. A pid reused by a newcomer reads as the newcomer.
  const old = cp.spawn('sleep', ['60'], { stdio: 'ignore' });
  await sleep(100);
  const opid = old.pid;
  reader.sample(opts);
  out.seen = row(reader.sample(opts), opid);
  out.heldBefore = heldFiles(opid).length;
  old.kill('SIGKILL');
  await exited(old);
  await sleep(30); // at least one clock tick, so the start times differ
  let newcomer = null;
  for (let i = 0; i < 20 && !newcomer; i++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(opid - 1));
    const c = cp.spawn('tail', ['-f', '/dev/null'], { stdio: 'ignore' });
    if (c.pid === opid) newcomer = c;
    else { c.kill('SIGKILL'); await exited(c); }
  }
  if (!newcomer) throw new Error('the kernel did not hand out pid ' + opid + ' again');
  await sleep(100);
  out.reused = row(reader.sample(opts), opid);
  out.reusedAgain = row(reader.sample(opts), opid);
  const t = fs.readFileSync('/proc/' + opid + '/stat', 'utf8');
  out.newStart = Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]);
  newcomer.kill('SIGKILL');
  await exited(newcomer);

  // 4. A process that execs keeps its pid and start time; its cmdline is read again.
  const shell = cp.spawn('sh', ['-c', 'read x; exec sleep 61'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await sleep(100);
  reader.sample(opts);
  out.beforeExec = row(reader.sample(opts), shell.pid);
  out.heldBeforeExec = heldFiles(shell.pid).length;
  shell.stdin.write('go\\n');
  for (let i = 0; i < 50 && !/sleep/.test(fs.readFileSync('/proc/' + shell.pid + '/comm', 'utf8')); i++) await sleep(20);
  out.afterExec = row(reader.sample(opts), shell.pid);
  out.afterExecAgain = row(reader.sample(opts), shell.pid);
  shell.kill('SIGKILL');
  await exited(shell);

  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

interface LiveRow {
  name: string;
  cmdline: string;
  startTime: number;
  utime: number;
  stime: number;
  statmResident: number;
  rssAnon: number;
  uid: number;
  writeBytes: number;
  flags: number;
}
interface LiveOut {
  firstHeldProcesses: number;
  heldAfterFirst: string[];
  heldAfterSecond: string[];
  quiet: { count: number; heldProcesses: number; statusRead: number; row: LiveRow }[];
  heldAfterQuiet: string[];
  after: LiveRow;
  uid: number;
  goneListed: boolean;
  heldAfterExit: string[];
  seen: LiveRow;
  heldBefore: number;
  reused: LiveRow;
  reusedAgain: LiveRow;
  newStart: number;
  beforeExec: LiveRow;
  heldBeforeExec: number;
  afterExec: LiveRow;
  afterExecAgain: LiveRow;
}

let live: LiveOut;

beforeAll(async () => {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    throw new Error('`unshare --pid --fork --mount-proc` failed here (needs root or CAP_SYS_ADMIN): no private pid namespace.');
  }
  const env = privateEnv();
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'unshare',
        ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, '-e', LIVE_SCRIPT, python3(), path.join(env.home, 'written')],
        // unshare ignores SIGTERM while it waits; SIGKILL takes the namespace down (--kill-child).
        { cwd: ROOT, env: env.env, timeout: 40000, killSignal: 'SIGKILL' },
        (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)),
      );
    });
    live = JSON.parse(stdout) as LiveOut;
  } finally {
    env.dispose();
  }
}, 60000);

test('from its second pass a process is read through held fds', () => {
  expect(live.firstHeldProcesses).toBe(0); // nothing is held on a first sighting
  expect(live.heldAfterFirst).toEqual([]);
  expect(live.heldAfterSecond).toEqual(['io', 'stat', 'statm', 'status']);
  // none opened twice; schedstat is held from its first quiet pass (test/native_stat_reuse.test.ts)
  expect(live.heldAfterQuiet).toEqual(['io', 'schedstat', 'stat', 'statm', 'status']);
  for (const q of live.quiet) expect(q.heldProcesses).toBeGreaterThan(0);
});

test('quiet passes read status only now and then, yet every pass carries its fields', () => {
  // The python child sits still: over 12 passes its status is read once or twice (every tenth pass, by pid).
  const reads = live.quiet.filter((q) => (q.row.flags & FLAG_STATUS_READ) !== 0).length;
  expect(reads).toBeGreaterThanOrEqual(1);
  expect(reads).toBeLessThanOrEqual(2);
  for (const q of live.quiet) {
    expect(q.row.rssAnon).toBeGreaterThan(0);
    expect(q.row.uid).toBe(live.uid);
    expect(q.row.writeBytes).not.toBeNull(); // JSON turns NaN into null
  }
});

test('a process whose stat did not move keeps its statm and io readings, and is read afresh every tenth pass', () => {
  // The python child sits in readline(): no CPU time, faults or size change from one pass to the next.
  const flags = live.quiet.map((q) => q.row.flags & FLAG_QUIET);
  const fresh = flags.filter((f) => f === 0).length;
  expect(fresh).toBeGreaterThanOrEqual(1); // its periodic pass (every tenth, by pid)
  expect(fresh).toBeLessThanOrEqual(3);
  expect(flags.filter((f) => f !== 0).length).toBeGreaterThanOrEqual(9);
  // What the quiet passes carry is the reading: the same numbers in every pass, known (not NaN/null).
  const resident = new Set(live.quiet.map((q) => q.row.statmResident));
  expect(resident.size).toBe(1);
  expect([...resident][0]).toBeGreaterThan(0);
  // After it touched 64 MiB and wrote 4 MiB its stat moved (faults, CPU time): read in that very pass.
  expect(live.after.flags & FLAG_QUIET).toBe(0);
});

test('what changes still shows through held fds: statm, status at once, io', () => {
  const before = live.quiet[live.quiet.length - 1].row;
  // statm moved, so status was read again in the same pass: anon grew by the 64 MiB touched.
  expect(live.after.statmResident - before.statmResident).toBeGreaterThanOrEqual(63 * MiB);
  expect(live.after.rssAnon - before.rssAnon).toBeGreaterThanOrEqual(63 * MiB);
  expect(live.after.flags & FLAG_STATUS_READ).toBe(FLAG_STATUS_READ);
  // The 4 MiB written and fsynced, through the held io fd; CPU time through the held stat.
  expect(live.after.writeBytes - before.writeBytes).toBeGreaterThanOrEqual(4 * MiB);
  expect(live.after.utime + live.after.stime).toBeGreaterThan(before.utime + before.stime);
});

test('the fds of a process that exits are closed at the next pass', () => {
  expect(live.goneListed).toBe(false);
  expect(live.heldAfterExit).toEqual([]);
});

test("a pid reused by a newcomer is read as the newcomer, not through the old process's fds", () => {
  expect(live.seen).toMatchObject({ name: 'sleep', cmdline: 'sleep 60' });
  expect(live.heldBefore).toBe(4);
  expect(live.newStart).not.toBe(live.seen.startTime);
  expect(live.reused).toMatchObject({ name: 'tail', cmdline: 'tail -f /dev/null', startTime: live.newStart });
  expect(live.reusedAgain).toEqual(live.reused);
});

test('a process that execs (same pid, same start time) shows its new name and cmdline', () => {
  expect(live.beforeExec).toMatchObject({ name: 'sh', cmdline: 'sh -c read x; exec sleep 61' });
  expect(live.heldBeforeExec).toBe(4);
  expect(live.afterExec).toMatchObject({ name: 'sleep', cmdline: 'sleep 61', startTime: live.beforeExec.startTime });
  expect(live.afterExecAgain).toMatchObject({ name: 'sleep', cmdline: 'sleep 61', startTime: live.beforeExec.startTime });
});

test('beyond maxHeldFds processes are read by opening their files, with the same results', async () => {
  const quietChild = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 100)); // exec'd
  try {
    await beyondCap(quietChild.pid!);
  } finally {
    quietChild.kill('SIGKILL');
  }
});

async function beyondCap(quietPid: number): Promise<void> {
  const capped = createReader({ maxHeldFds: 8 });
  const opts = { smaps: false, host: false, cgroup: false } as const;
  capped.sample(opts);
  capped.sample(opts);
  const s = capped.sample(opts);
  expect(s.stats!.heldProcesses).toBeGreaterThan(0);
  expect(s.stats!.heldProcesses).toBeLessThanOrEqual(2); // 4 fds each
  const mine = mustRow(s, process.pid);
  expect(mine.statmResident).toBeGreaterThan(0);
  expect(mine.rssAnon).toBeGreaterThan(0);
  expect(Number.isNaN(mine.readBytes as number)).toBe(false);
  const off = createReader({ maxHeldFds: 0 });
  off.sample(opts);
  off.sample(opts);
  // Not held, yet status follows the same rule: a quiet process has it read when its statm moves or
  // every tenth sample (by pid), and carries the last reading in between.
  let reads = 0;
  for (let i = 0; i < 12; i++) {
    const o = off.sample(opts);
    expect(o.stats!.heldProcesses).toBe(0);
    const quiet = mustRow(o, quietPid);
    if (((quiet.flags as number) & FLAG_STATUS_READ) !== 0) reads++;
    expect(quiet.rssAnon).toBeGreaterThan(0);
    expect(quiet.uid).toBe(process.getuid!());
  }
  expect(reads).toBeGreaterThanOrEqual(1);
  expect(reads).toBeLessThanOrEqual(2);
}

test('the cap is for the whole process: several long-lived Readers under a low fd limit miss no process', () => {
  // Node raises its soft fd limit to the hard one at start, so both are lowered (prlimit).
  const script = `
    const fs = require('fs');
    const { createReader } = require(${JSON.stringify(path.join(ROOT, 'dist/lib/native.js'))});
    const readers = [createReader(), createReader(), createReader()];
    const out = { short: 0, maxFds: 0, held: 0 };
    const listed = () => new Set(fs.readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n)).map(Number));
    for (let i = 0; i < 4; i++) for (const r of readers) {
      // Processes there before and after a sample must be in it (others may come and go meanwhile).
      const before = listed();
      const s = r.sample({ smaps: false, host: false, cgroup: false });
      const after = listed();
      const got = new Set(s.pid);
      for (const p of before) if (after.has(p) && !got.has(p)) out.short++;
      out.held = Math.max(out.held, s.stats.heldProcesses);
      out.maxFds = Math.max(out.maxFds, fs.readdirSync('/proc/self/fd').length);
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const r = spawnSync('prlimit', ['--nofile=256:256', process.execPath, '-e', script], { encoding: 'utf8', timeout: 60000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { short: number; maxFds: number; held: number };
  expect(out.short).toBe(0); // no sample lost a process to EMFILE
  expect(out.held).toBeGreaterThan(0);
  expect(out.maxFds).toBeLessThan(256 / 2 + 64); // half the limit at most is held, across all three
});
