// The memory guard in a real v1 memory cgroup with a limit (as root): the daemon runs in it, a supervised
// child grows past the threshold and is ended before the OOM killer acts; a bigger system-named process,
// spmon itself and every process outside the cgroup (bigger ones included) are never picked; warn mode
// ends nothing and says what it would have ended.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeCgroup, removeCgroups, v1Hierarchy } from './helpers/cgroup_v1';
import { aliveAs, DaemonEnv, sleepMs, stateOf, waitFor } from './helpers/daemon_env';
import { python3 } from './helpers/children';
import { BIN } from './helpers/paths';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
let d: DaemonEnv;
let daemon: ChildProcess | null = null;
let memDir: string;

beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('the memory guard test makes a memory cgroup: it must run as root');
  d = new DaemonEnv();
  memDir = makeCgroup(v1Hierarchy('memory').dir, `spmon-guard-${process.pid}-${Date.now()}`);
  fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(700 * MiB));
});

afterEach(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon!.once('exit', r));
  }
  daemon = null;
  await d.dispose();
  await removeCgroups();
});

function oomKills(): number {
  const m = /oom_kill (\d+)/.exec(fs.readFileSync(path.join(memDir, 'memory.oom_control'), 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** The daemon, started inside the cgroup (so it is the pod), ticking every 0.25 s. */
async function startDaemonInCgroup(mode: 'warn' | 'terminate'): Promise<void> {
  daemon = spawn('bash', ['-c', `echo $$ > "${memDir}/cgroup.procs" && exec "$@"`, 'bash', process.execPath, BIN, '--interval', '0.25', 'daemon', '--memory-guard', mode], {
    env: d.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  daemon.stderr!.on('data', (b) => (err += b));
  await waitFor('the daemon', async () => (await d.cli(['status'])).code === 0 || (daemon!.exitCode !== null && Promise.reject(new Error(err))));
}

/** python3 touching `mib` MiB (in 5 MiB steps every 0.1 s), then sleeping; argv[0] as given. */
const grower = (mib: number) => `import time
chunks = []
for i in range(${mib} // 5):
    chunks.append(b'\\x01' * (5 << 20))
    time.sleep(0.1)
time.sleep(600)`;

test('terminate: the growing child is ended before the OOM killer, not the bigger system process, not spmon, nothing outside the cgroup', async () => {
  await startDaemonInCgroup('terminate');
  const before = oomKills();
  // A system process (argv[0] jupyter-lab; the real interpreter, since a pyenv shim would re-exec it under
  // its own name) holding 350 MiB: bigger than the grower when the guard acts.
  expect((await d.cli(['run', '--name', 'jupyter', '--', 'bash', '-c', `exec -a jupyter-lab ${python3()} -c "import time; b = b'\\x01' * (350 << 20); time.sleep(600)"`])).code).toBe(0);
  const jup = await waitFor('jupyter up', async () => (await d.ps()).find((x) => x.id === 'run:jupyter' && x.ussBytes !== null && x.ussBytes > 340 * MiB));
  // Without the guard it would reach 900 MiB: past the 700 MiB limit.
  expect((await d.cli(['run', '--name', 'grower', '--', 'python3', '-c', grower(900)])).code).toBe(0);
  const g = await waitFor('the grower ended', async () => {
    const x = (await d.ps()).find((r) => r.id === 'run:grower');
    return x && ['exited', 'failed', 'gave-up'].includes(x.state) ? x : null;
  }, 60_000);
  expect(g.state).toBe('exited');
  expect(g.lastExit?.signal).toBe('SIGTERM');
  expect(oomKills()).toBe(before);
  expect(aliveAs(jup.pid!, jup.startTime)).toBe(true);
  expect(stateOf(daemon!.pid!)).not.toBeNull();
  const ev = (await d.events()).find((e) => e.kind === 'memory-guard');
  expect(ev).toMatchObject({ target: 'run:grower', outcome: 'ending it' });
  const details = ev!.details as { percent: number; thresholdPercent: number; limitBytes: number; usageBytes: number; samplesAbove: number; victim: { ussBytes: number; name: string } };
  expect(details.percent).toBeGreaterThanOrEqual(80);
  expect(details.limitBytes).toBe(700 * MiB);
  expect(details.samplesAbove).toBeGreaterThanOrEqual(3);
  expect(details.victim.ussBytes).toBeGreaterThan(50 * MiB);
  expect(details.victim.ussBytes).toBeLessThan(jup.ussBytes!);
  // One action per grace period: nothing else was ended.
  expect((await d.events()).filter((e) => e.kind === 'memory-guard' && e.outcome === 'ending it')).toHaveLength(1);
});

test('warn: nothing is ended; the event says what would be, with the numbers', async () => {
  await startDaemonInCgroup('warn');
  const before = oomKills();
  // 550 MiB: with spmon and its children, past 80 % of 700 MiB (560) and below the limit.
  expect((await d.cli(['run', '--name', 'big', '--', 'python3', '-c', grower(550)])).code).toBe(0);
  const ev = await waitFor('a warning', async () => (await d.events()).find((e) => e.kind === 'memory-guard'), 60_000);
  expect(ev).toMatchObject({ target: 'run:big', outcome: 'would end it (warn mode)' });
  await sleepMs(1500);
  const big = (await d.ps()).find((x) => x.id === 'run:big')!;
  expect(big.state).toBe('running');
  expect(oomKills()).toBe(before);
  expect((await d.cli(['stop', 'big'])).code).toBe(0);
});

test('no cgroup memory limit: the guard says once that it is idle, and the daemon serves on', async () => {
  const noCgroup = fs.mkdtempSync(path.join(d.runtime, 'no-cgroup-'));
  const started = await d.cli(['--interval', '0.25', '--cgroup-root', noCgroup, 'daemon', '--detach', '--memory-guard', 'terminate']);
  expect(started.code).toBe(0);
  const idle = await waitFor('the idle event', async () => (await d.events()).find((e) => e.kind === 'memory-guard-idle'), 60_000);
  expect(idle).toMatchObject({ outcome: 'idle', reason: expect.stringMatching(/no cgroup memory limit/) });
  await sleepMs(1500);
  expect((await d.events()).filter((e) => e.kind.startsWith('memory-guard'))).toHaveLength(1);
  expect((await d.cli(['status'])).code).toBe(0);
});
