// The arm64 prebuilds and the arm64 single-file executable, run on this x86-64 machine under qemu
// user-mode emulation (test/helpers/arm64.ts): each prebuild is loaded in an aarch64 Bun of its libc
// and checked against this machine's /proc and children the test starts, the packed package's spmon
// runs under both Buns, and the arm64 SEA runs as it is. Emulated programs take seconds to start, so
// one guest (test/arm64/guest.js) per libc answers all the checks of its describe block.
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { arm64Bun, Libc, runCommand, underQemu } from './helpers/arm64';
import { python3, spawnChild, waitForLine } from './helpers/children';
import { ROOT } from './helpers/paths';
import { privateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

/* eslint-disable @typescript-eslint/no-require-imports */
const prebuild = require('../scripts/prebuild.js') as {
  TARGETS: { id: string; arch: string; libc: string }[];
  prebuildPath(t: { arch: string; libc: string }): string;
};
const elf = require('../scripts/elf.js') as { readElf(file: string): { machine: string } };
/* eslint-enable @typescript-eslint/no-require-imports */

const MiB = 1024 * 1024;
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).name as string;
const GUEST = path.join(ROOT, 'test', 'arm64', 'guest.js');

const execFileP = promisify(execFile);

const tmpDirs: string[] = [];
function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const arm64Prebuild = (libc: Libc) => prebuild.prebuildPath(prebuild.TARGETS.find((t) => t.id === `linux-arm64-${libc}`)!);

/** The pids /proc lists now. */
const procPids = () => new Set(fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number));
/** Start time of a process in clock ticks since boot (/proc/<pid>/stat field 22). */
const startTicks = (pid: number) => {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
};
const uptimeSec = () => Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/** guest.js in an aarch64 Bun with a copy of the prebuild: ask() sends one request, resolves its reply. */
class Guest {
  private constructor(
    readonly proc: ChildProcess,
    readonly hello: { ready: boolean; arch: string },
  ) {}

  static async start(libc: Libc): Promise<Guest> {
    const dir = tmpDir(`spmon-arm64-${libc}-`);
    const copy = path.join(dir, `${libc}.node`);
    fs.copyFileSync(arm64Prebuild(libc), copy);
    const c = bun(libc)([GUEST, copy]);
    const proc = spawn(c.file, c.args, { env: c.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const line = await waitForLine(proc, /^\{.*\}$/, 60_000);
      return new Guest(proc, JSON.parse(line[0]));
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; the guest said: ${stderr}`);
    }
  }

  async ask<T>(req: object): Promise<T> {
    const reply = waitForLine(this.proc, /^\{.*\}$/, 60_000);
    this.proc.stdin!.write(`${JSON.stringify(req)}\n`);
    const out = JSON.parse((await reply)[0]) as T & { error?: string };
    if (out.error) throw new Error(`guest: ${out.error}`);
    return out;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.stdin!.end();
      this.proc.kill('SIGKILL');
    });
  }
}

interface Processes {
  count: number;
  pids: number[];
  startTimes: number[];
  self: { pid: number; ppid: number; state: string; cmdline: string };
  host: { cpuCount: number; memTotal: number; clockTicks: number };
}

/** The aarch64 Bun of each libc, made once (the musl one builds its stand-in libstdc++). */
const buns = new Map<Libc, ReturnType<typeof arm64Bun>>();
function bun(libc: Libc): ReturnType<typeof arm64Bun> {
  if (!buns.has(libc)) buns.set(libc, arm64Bun(libc, tmpDir(`spmon-arm64-${libc}-`)));
  return buns.get(libc)!;
}

/** npm pack this package and install the tarball into an empty folder, as a user does: its package folder. */
async function installPacked(): Promise<string> {
  const packDir = tmpDir('spmon-arm64-pack-');
  // --ignore-scripts: no `prepare` (tsc rewriting dist/ while other test files run); pretest built it.
  const { stdout } = await execFileP('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' });
  const tarball = path.join(packDir, (JSON.parse(stdout) as { filename: string }[])[0].filename);
  const dir = tmpDir('spmon-arm64-install-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'empty', version: '1.0.0', private: true }));
  await execFileP('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, timeout: 200_000 });
  return path.join(dir, 'node_modules', PACKAGE);
}

/** npm run sea -- --arch arm64, and a copy of the executable alone in a folder. */
async function buildSea(): Promise<string> {
  await execFileP(process.execPath, [path.join(ROOT, 'scripts', 'sea.js'), '--arch', 'arm64'], { cwd: ROOT, timeout: 200_000 });
  const built = path.join(ROOT, 'dist', 'sea', 'linux-arm64', 'spmon');
  if (elf.readElf(built).machine !== 'aarch64') throw new Error(`${built} is not an aarch64 executable`);
  const exe = path.join(tmpDir('spmon-arm64-sea-'), 'spmon');
  fs.copyFileSync(built, exe);
  fs.chmodSync(exe, 0o755);
  return exe;
}

describe.each(['glibc', 'musl'] as Libc[])('the linux-arm64 %s prebuild in an aarch64 Bun under qemu', (libc) => {
  let guest: Guest;
  beforeAll(async () => {
    guest = await Guest.start(libc);
  }, 120_000);
  afterAll(() => guest?.close());

  test('it runs as arm64 and reads every process /proc lists, itself included, and the host', async () => {
    expect(guest.hello).toEqual({ ready: true, arch: 'arm64' });
    const before = procPids();
    const since = uptimeSec();
    const s = await guest.ask<Processes>({ op: 'processes' });
    const after = procPids();
    expect(s.count).toBe(s.pids.length);
    const seen = new Set(s.pids);
    // Alive before and after: in the sample. Seen by neither listing: started in between.
    expect([...before].filter((p) => after.has(p) && !seen.has(p))).toEqual([]);
    const ticks = Math.floor(since * s.host.clockTicks) - 1;
    const unexplained = s.pids.filter((p, i) => !before.has(p) && !after.has(p) && !(s.startTimes[i] >= ticks));
    expect(unexplained).toEqual([]);
    // The guest is the qemu process this test started (qemu runs the program in its own process).
    expect(s.self.pid).toBe(guest.proc.pid);
    expect(s.self.ppid).toBe(process.pid);
    expect(s.self.state).toMatch(/^[RS]$/);
    expect(s.self.cmdline).toContain(`${GUEST} `);
    expect(s.host.cpuCount).toBe(os.cpus().length);
    expect(s.host.memTotal).toBe(Number(/^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024);
  });

  test('USS of a child grows by the 128 MiB it touches (within 3 %)', async () => {
    const child = spawn(python3(), [
      '-c',
      `import mmap, sys
N = 128 << 20
m = mmap.mmap(-1, N, flags=mmap.MAP_PRIVATE)
print("ready", flush=True)
sys.stdin.readline()
for i in range(0, N, 4096):
    m[i] = 1
print("touched", flush=True)
sys.stdin.readline()`,
    ], { stdio: ['pipe', 'pipe', 'inherit'] });
    // The child's file-backed pages (python's own binary and libraries) are private only while no other
    // process maps them: a python3 started elsewhere on the machine (another suite) moves them from USS to
    // shared and changes PSS. So the guest's USS and PSS are checked against the kernel's own figures read
    // around each ask, and the 128 MiB against the anonymous pages the child touched, which nothing else shares.
    const truth = () => {
      const t = fs.readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(t)![1]) * 1024;
      return { uss: kb('Private_Clean') + kb('Private_Dirty'), pss: kb('Pss'), rss: kb('Rss'), anon: kb('Anonymous') };
    };
    const ask = async () => {
      const t0 = truth();
      const got = await guest.ask<{ uss: number; pss: number; rss: number }>({ op: 'memory', pid: child.pid });
      const t1 = truth();
      for (const k of ['uss', 'pss', 'rss'] as const) {
        const lo = Math.min(t0[k], t1[k]) - 64 * 1024;
        const hi = Math.max(t0[k], t1[k]) + 64 * 1024;
        expect([k, got[k], got[k] >= lo && got[k] <= hi]).toEqual([k, got[k], true]);
      }
      return { got, anon: t1.anon };
    };
    try {
      await waitForLine(child, /^ready$/);
      const before = await ask();
      const touched = waitForLine(child, /^touched$/);
      child.stdin!.write('\n');
      await touched;
      const after = await ask();
      expect(Math.abs(after.anon - before.anon - 128 * MiB) < 0.03 * 128 * MiB).toBe(true);
      expect(Math.abs(after.got.rss - before.got.rss - 128 * MiB) < 0.03 * 128 * MiB).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('openProcess signals a child the test started, only with its start time', async () => {
    const child = spawnChild('exec sleep 600');
    try {
      const start = startTicks(child.pid);
      // A start time off by one tick is another process: nothing is sent.
      expect(await guest.ask({ op: 'signal', pid: child.pid, startTime: start + 1, signal: 15 })).toEqual({ status: 'gone' });
      expect(child.alive()).toBe(true);
      expect(await guest.ask({ op: 'signal', pid: child.pid, startTime: start, signal: 15 })).toEqual({ status: 'open', outcome: 'sent' });
      expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await guest.ask({ op: 'signal', pid: child.pid, startTime: start, signal: 15 })).toEqual({ status: 'gone' });
    } finally {
      if (child.alive()) child.proc.kill('SIGKILL');
    }
  });
});

describe('the packed package under the aarch64 Buns', () => {
  let pkgDir: string;
  beforeAll(async () => {
    pkgDir = await installPacked();
    expect(fs.existsSync(path.join(pkgDir, 'build'))).toBe(false);
  }, 240_000);

  // LIBC=musl as node-gyp-build sets on Alpine (the sysroot has no /etc/alpine-release).
  test.each(['glibc', 'musl'] as Libc[])('%s: spmon --once --json --interval 0 prints a valid snapshot that holds itself', async (libc) => {
    const pe = privateEnv(libc === 'musl' ? { LIBC: 'musl' } : { LIBC: undefined });
    try {
      const r = await runCommand(bun(libc)([path.join(pkgDir, 'bin', 'spmon'), '--once', '--json', '--interval', '0'], pe.env));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as { schema: string; processes: { cmdline: string | null }[] };
      expect(doc.schema).toBe('spmon.snapshot/v1');
      expect(schemaErrors(doc)).toBe('');
      expect(doc.processes.filter((p) => p.cmdline?.includes(`${pkgDir}/bin/spmon --once`))).toHaveLength(1);
    } finally {
      pe.dispose();
    }
  }, 120_000);
});

describe('the arm64 single-file executable (npm run sea -- --arch arm64) under qemu', () => {
  let exe: string;
  beforeAll(async () => {
    exe = await buildSea();
  }, 240_000);

  test('a copy in an empty folder prints a valid --once --json snapshot, with only itself on PATH', async () => {
    // A private TMPDIR: the addon is written there only to be loaded, and nothing may be left.
    const tmp = tmpDir('spmon-arm64-sea-tmp-');
    const pe = privateEnv({ PATH: path.dirname(exe), TMPDIR: tmp });
    try {
      const r = await runCommand(underQemu(exe, ['--once', '--json', '--interval', '0'], pe.env));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as { schema: string; processes: { cmdline: string | null }[] };
      expect(doc.schema).toBe('spmon.snapshot/v1');
      expect(schemaErrors(doc)).toBe('');
      expect(doc.processes.filter((p) => p.cmdline?.includes(`${exe} --once`))).toHaveLength(1);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      pe.dispose();
    }
  }, 120_000);
});
