// Live cgroup v1 (the CI machine: v1 memory and cpu controllers beside an empty unified tree).
// As root, make child cgroups with a 1 GiB memory limit and a 50000/100000 CPU quota, run
// `spmon --once` inside them and check what it reports. Fails with a clear message (never skips)
// when not root or when the v1 controllers are not there and writable.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeCgroup, removeCgroups, V1Hierarchy, v1Hierarchy } from './helpers/cgroup_v1';
import { BIN } from './helpers/paths';
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
