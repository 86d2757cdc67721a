// Live cgroup v1 (the CI machine: v1 memory and cpu controllers beside an empty unified tree).
// As root, make child cgroups with a 1 GiB memory limit and a 50000/100000 CPU quota, run
// `spmon --once` inside them and check what it reports. Fails with a clear message (never skips)
// when not root or when the v1 controllers are not there and writable.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { makeCgroup, removeCgroups, V1Hierarchy, v1Hierarchy } from './helpers/cgroup_v1';
import { ADDON_PATH, BIN } from './helpers/paths';
import { privateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

const GiB = 1024 ** 3;

/** Run `spmon ...args` with its pid first written into each cgroup dir's cgroup.procs. */
function runInside(dirs: string[], args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const pe = privateEnv();
  const joins = dirs.map((_, i) => `echo $$ > "$${i + 1}/cgroup.procs"`).join(' && ');
  const script = `${joins} && exec "$${dirs.length + 1}" "$${dirs.length + 2}" "\${@:${dirs.length + 3}}"`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'bash', ...dirs, process.execPath, BIN, ...args], {
      env: pe.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      pe.dispose();
      reject(e);
    });
    child.on('close', (code) => {
      pe.dispose();
      resolve({ code, stdout, stderr });
    });
  });
}

let mem: V1Hierarchy;
let cpu: V1Hierarchy;
const tag = `spmon-test-${process.pid}-${Date.now()}`;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('cgroup_live.test.ts must run as root: it creates cgroups');
  mem = v1Hierarchy('memory');
  cpu = v1Hierarchy('cpu');
  for (const h of [mem, cpu]) {
    try {
      fs.accessSync(path.join(h.dir, 'cgroup.procs'), fs.constants.W_OK);
    } catch (err) {
      throw new Error(`cgroup_live: ${h.dir} is not writable (${(err as Error).message}); cgroups must be writable as root here`);
    }
  }
});

afterEach(removeCgroups);

test('inside a cgroup limited to 1 GiB and half a core: --json reports limitBytes 1 GiB and quotaCores 0.5', async () => {
  const memDir = makeCgroup(mem.dir, tag);
  fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(GiB));
  const cpuDir = makeCgroup(cpu.dir, tag);
  fs.writeFileSync(path.join(cpuDir, 'cpu.cfs_period_us'), '100000');
  fs.writeFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), '50000');

  const r = await runInside([memDir, cpuDir], ['--once', '--json', '--interval', '0.2']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(schemaErrors(doc)).toBe('');
  expect(doc.cgroup.version).toBe(1);
  expect(doc.cgroup.path).toBe(path.posix.join(mem.path, tag));
  expect(doc.cgroup.memory.limitBytes).toBe(GiB);
  expect(doc.cgroup.cpu.quotaCores).toBe(0.5);
  // spmon itself is charged to the cgroup it runs in.
  expect(doc.cgroup.memory.currentBytes).toBeGreaterThan(0);
  expect(doc.cgroup.memory.currentBytes).toBeLessThanOrEqual(GiB);
  expect(doc.cgroup.memory.oomKills).toBe(0);
});

test('the --once table shows the limit and the quota', async () => {
  const memDir = makeCgroup(mem.dir, tag);
  fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(GiB));
  const cpuDir = makeCgroup(cpu.dir, tag);
  fs.writeFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), '50000');

  const r = await runInside([memDir, cpuDir], ['--once', '--interval', '0.2']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Pod memory: \S+ \S+ \/ 1\.00 GiB {2}\(\d+\.\d%\) {2}threshold 80%/m);
  expect(r.stdout).toContain('quota 0.5 cores');
  expect(r.stdout).toContain(`cgroup v1 ${path.posix.join(mem.path, tag)}`);
});

test('a child cgroup with a higher limit of its own: the lowest of the cgroup and its ancestors wins', async () => {
  const outer = makeCgroup(mem.dir, tag);
  fs.writeFileSync(path.join(outer, 'memory.limit_in_bytes'), String(GiB));
  const inner = makeCgroup(outer, 'inner');
  fs.writeFileSync(path.join(inner, 'memory.limit_in_bytes'), String(2 * GiB));
  const cpuOuter = makeCgroup(cpu.dir, tag);
  fs.writeFileSync(path.join(cpuOuter, 'cpu.cfs_quota_us'), '50000');
  const cpuInner = makeCgroup(cpuOuter, 'inner'); // quota -1: none of its own
  expect(fs.readFileSync(path.join(cpuInner, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('-1');

  const r = await runInside([inner, cpuInner], ['--once', '--json', '--interval', '0.2']);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(schemaErrors(doc)).toBe('');
  expect(doc.cgroup.path).toBe(path.posix.join(mem.path, tag, 'inner'));
  expect(doc.cgroup.memory.limitBytes).toBe(GiB);
  expect(doc.cgroup.cpu.quotaCores).toBe(0.5);
});

// A long-lived Reader keeps its cgroup's files open and works out where they are only when the kernel says it
// may have moved (native/cgroup_reader.h). These drive one Reader in a child process, line by line: each line
// is a command, then a sample of the cgroup, printed with the cgroup files the child holds open.
const READER_PROBE = `
const fs = require('fs');
const { execFileSync } = require('child_process');
const { Reader } = require(${JSON.stringify(ADDON_PATH)});
const r = new Reader({});
const held = () => fs.readdirSync('/proc/self/fd').flatMap((fd) => { try { return [fs.readlinkSync('/proc/self/fd/' + fd)]; } catch { return []; } }).filter((t) => t.startsWith('/sys/fs/cgroup/'));
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'mount') execFileSync('mount', ['-t', 'tmpfs', 'spmon-test', '/sys/fs/cgroup']);
  if (cmd === 'umount') execFileSync('umount', ['/sys/fs/cgroup']);
  if (cmd === 'busy') { const end = process.cpuUsage().user + Number(arg) * 1000; while (process.cpuUsage().user < end); }
  const cgroup = r.sample({ processes: false, host: false }).cgroup;
  process.stdout.write(JSON.stringify({ cgroup, held: held() }) + '\\n');
});
`;

interface ProbeReply {
  cgroup: { version: number; path: string; dir: string; memCurrent: number | null; memLimit: number | null; cpuUsageUsec: number | null };
  held: string[];
}

class ReaderProbe {
  readonly child: ChildProcess;
  private readonly lines: AsyncIterableIterator<string>;
  constructor(argv: string[]) {
    this.child = spawn(argv[0], [...argv.slice(1), process.execPath, '-e', READER_PROBE], { env: privateEnv().env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }
  async ask(cmd: string): Promise<ProbeReply> {
    this.child.stdin!.write(`${cmd}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`the reader probe ended before answering "${cmd}"`);
    return JSON.parse(next.value) as ProbeReply;
  }
  async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}

test('a long-lived reader reads a changed limit at once, and follows its process into another cgroup', async () => {
  const a = makeCgroup(mem.dir, `${tag}-a`);
  fs.writeFileSync(path.join(a, 'memory.limit_in_bytes'), String(GiB));
  const b = makeCgroup(mem.dir, `${tag}-b`);
  fs.writeFileSync(path.join(b, 'memory.limit_in_bytes'), String(GiB / 2));
  const probe = new ReaderProbe(['env']);
  try {
    fs.writeFileSync(path.join(a, 'cgroup.procs'), String(probe.child.pid));
    let r = await probe.ask('sample');
    expect(r.cgroup.path).toBe(path.posix.join(mem.path, `${tag}-a`));
    expect(r.cgroup.memLimit).toBe(GiB);
    // Its files stay open from one sample to the next.
    expect(r.held).toContain(path.join(a, 'memory.usage_in_bytes'));
    const heldBefore = r.held.slice().sort();
    r = await probe.ask('sample');
    expect(r.held.slice().sort()).toEqual(heldBefore);

    // A new limit written in place shows at the next sample (the open file is read afresh).
    fs.writeFileSync(path.join(a, 'memory.limit_in_bytes'), String((3 * GiB) / 4));
    r = await probe.ask('sample');
    expect(r.cgroup.memLimit).toBe((3 * GiB) / 4);
    // So does CPU time spent in between (cpuacct's usage, a counter of the whole cgroup).
    const before = r.cgroup.cpuUsageUsec!;
    r = await probe.ask('busy 200');
    expect(r.cgroup.cpuUsageUsec! - before).toBeGreaterThanOrEqual(150_000);

    // Moved to b: the next sample reads b's files, and none of a's stay open.
    fs.writeFileSync(path.join(b, 'cgroup.procs'), String(probe.child.pid));
    r = await probe.ask('sample');
    expect(r.cgroup.path).toBe(path.posix.join(mem.path, `${tag}-b`));
    expect(r.cgroup.memLimit).toBe(GiB / 2);
    expect(r.held.filter((f) => f.startsWith(`${a}/`))).toEqual([]);
    expect(r.held).toContain(path.join(b, 'memory.usage_in_bytes'));

    // Back in the cgroup the test started in (so that a and b can be removed).
    fs.writeFileSync(path.join(mem.dir, 'cgroup.procs'), String(probe.child.pid));
    r = await probe.ask('sample');
    expect(r.cgroup.path).toBe(mem.path);
  } finally {
    await probe.end();
  }
});

test("a long-lived reader sees its mounts change: cgroupfs hidden under a tmpfs is unknown, shown again is read again", async () => {
  // A mount namespace of its own, so that the tmpfs hides /sys/fs/cgroup from the probe only.
  const probe = new ReaderProbe(['unshare', '--mount', '--propagation', 'private']);
  try {
    let r = await probe.ask('sample');
    expect(r.cgroup.version).toBe(1);
    expect(r.cgroup.memCurrent).toBeGreaterThan(0);
    expect(r.held.length).toBeGreaterThan(0);
    // The files it holds are still open under the tmpfs: only the mark the kernel sets on self/mountinfo
    // tells the reader to look again.
    r = await probe.ask('mount');
    expect(r.cgroup.memCurrent).toBeNull();
    expect(r.held).toEqual([]);
    r = await probe.ask('umount');
    expect(r.cgroup.memCurrent).toBeGreaterThan(0);
    expect(r.cgroup.path).toBe(mem.path);
  } finally {
    await probe.end();
  }
});
