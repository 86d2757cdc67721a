// Live cgroup v1 (the CI machine: v1 memory and cpu controllers beside an empty unified tree).
// As root, make child cgroups with a 1 GiB memory limit and a 50000/100000 CPU quota, run
// `spmon --once` inside them and check what it reports. Fails with a clear message (never skips)
// when not root or when the v1 controllers are not there and writable.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { sleep } from './helpers/children';
import { BIN } from './helpers/paths';
import { privateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

const GiB = 1024 ** 3;

interface V1Hierarchy {
  /** Our cgroup path as /proc/self/cgroup gives it. */
  path: string;
  /** Its directory: the mount point joined with the path (relative to the mount's root). */
  dir: string;
}

/** Our own cgroup in the v1 hierarchy holding `controller`, found from /proc/self/{cgroup,mountinfo}. */
function v1Hierarchy(controller: string): V1Hierarchy {
  const line = fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f.length >= 3 && f[0] !== '0' && f[1].split(',').includes(controller));
  if (!line) throw new Error(`cgroup_live: no v1 "${controller}" controller in /proc/self/cgroup; this test needs cgroup v1 memory and cpu`);
  const cgPath = line.slice(2).join(':');
  for (const l of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = l.split(' - ');
    if (!post) continue;
    const [fsType, , superOpts] = post.split(' ');
    if (fsType !== 'cgroup' || !superOpts.split(',').includes(controller)) continue;
    const f = pre.split(' ');
    const root = f[3];
    const mountPoint = f[4];
    const rel = root === '/' ? cgPath : cgPath.startsWith(root) ? cgPath.slice(root.length) : '';
    return { path: cgPath, dir: path.join(mountPoint, rel) };
  }
  throw new Error(`cgroup_live: no cgroup v1 mount with the "${controller}" controller in /proc/self/mountinfo`);
}

/** Directories we made, deepest last; removed in reverse after moving anything left back to the base. */
const made: { base: string; dir: string }[] = [];

function makeCgroup(base: string, ...names: string[]): string {
  let dir = base;
  for (const n of names) {
    dir = path.join(dir, n);
    fs.mkdirSync(dir);
    made.push({ base, dir });
  }
  return dir;
}

async function removeCgroups(): Promise<void> {
  const errors: string[] = [];
  while (made.length > 0) {
    const { base, dir } = made.pop()!;
    // Move out anything still inside (our spmon runs have exited by now; this is belt and braces).
    for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        fs.writeFileSync(path.join(base, 'cgroup.procs'), pid);
      } catch {
        /* gone already */
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (err) {
        if (attempt >= 50) {
          errors.push(`${dir}: ${(err as Error).message}`);
          break;
        }
        await sleep(100); // EBUSY while the last task is being torn down
      }
    }
  }
  if (errors.length) throw new Error(`cgroup_live: could not remove ${errors.join('; ')}`);
}

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
