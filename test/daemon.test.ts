// spmon daemon, run, ps, logs, stop, restart, status: a real daemon in a private world, real processes.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { aliveAs, DaemonEnv, sleepMs, startTicksOf, stateOf, waitFor } from './helpers/daemon_env';
import { BIN } from './helpers/paths';
import { ROOT } from './helpers/paths';
import { DaemonClient, liveLockHolder } from '../lib/daemon/client';
import { psSchemaErrors } from './helpers/schema';
import { LONG_RUNNING_FLAGS } from '../lib/engine/jit_tier';

jest.setTimeout(120_000);

let d: DaemonEnv;

beforeEach(() => {
  d = new DaemonEnv();
});

afterEach(async () => {
  await d.dispose();
});


async function run(args: string[]): Promise<string> {
  const r = await d.cli(['run', ...args]);
  if (r.code !== 0) throw new Error(`spmon run ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

async function session(id: string) {
  const s = (await d.ps()).find((x) => x.id === id);
  if (!s) throw new Error(`no ${id} in ps`);
  return s;
}

describe('without a daemon', () => {
  test.each([['ps'], ['logs', 'x'], ['stop', 'x'], ['restart', 'x'], ['status']])('%s: a message and exit 3, and no daemon is started', async (...args) => {
    const r = await d.cli(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no spmon daemon running/);
    expect(d.daemonPid()).toBeNull();
    expect(fs.existsSync(d.socket)).toBe(false);
  });
});

describe('a request that fails leaves no daemon behind', () => {
  test('request-termination for no such session: exit 3, and the daemon it started stops again', async () => {
    const r = await d.cli(['request-termination', '--session', 'agent:claude:no-such-session', '--reason', 'manual']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^spmon: .*no-such-session/);
    expect(r.stdout).toBe('');
    await waitFor('the daemon started for the request gone', async () => d.daemonPid() === null && !fs.existsSync(d.socket));
  });

  test('an idle daemon that already ran stays when a request fails', async () => {
    expect((await d.cli(['daemon', '--detach'])).code).toBe(0);
    const pid = d.daemonPid();
    expect(pid).not.toBeNull();
    // A detached daemon runs with the long-running Node flags too.
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, 1 + LONG_RUNNING_FLAGS.length)).toEqual([...LONG_RUNNING_FLAGS]);
    const r = await d.cli(['request-termination', '--session', 'agent:claude:no-such-session', '--reason', 'manual']);
    expect(r.code).toBe(3);
    await sleepMs(500);
    expect(d.daemonPid()).toBe(pid);
    expect((await d.cli(['status'])).code).toBe(0);
  });

  test('shutdown ifIdle refuses a daemon with a session running, and it goes on', async () => {
    await run(['--name', 'busy', '--', 'sleep', '60']);
    const pid = d.daemonPid();
    expect(pid).not.toBeNull();
    const c = await DaemonClient.connect(d.socket);
    try {
      await expect(c.request('shutdown', { ifIdle: true })).rejects.toMatchObject({ code: 'busy', message: expect.stringMatching(/not idle \(1 supervised session running/) });
    } finally {
      c.close();
    }
    await sleepMs(300);
    expect(d.daemonPid()).toBe(pid);
    expect((await session('run:busy')).state).toBe('running');
  });
});

describe('spmon policy beside a running daemon', () => {
  test('shows the daemon\'s policy too when it applies another (started with SPMON_AGENTS); not when they agree', async () => {
    // A daemon started by run with SPMON_AGENTS in its environment: its policy comes before the config file's.
    const own = JSON.stringify({ policy: { critical: 'request' }, cooldownSec: 120 });
    const r = await d.cli(['run', '--name', 'p', '--', 'sleep', '60'], { SPMON_AGENTS: own });
    expect(r.code).toBe(0);
    const pid = d.daemonPid();
    const c = await DaemonClient.connect(d.socket);
    try {
      const p = await c.request<{ pid: number; agents: { policy: { critical: string }; cooldownSec: number }; configFile: string | null }>('policy');
      expect(p.pid).toBe(pid);
      expect(p.agents).toMatchObject({ policy: { critical: 'request' }, cooldownSec: 120 });
      expect(p.configFile).toBe(path.join(d.config, 'spmon', 'config.json'));
    } finally {
      c.close();
    }
    const shown = await d.cli(['policy']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^all agents: warning notify, critical notify\n/);
    expect(shown.stdout).toContain(`\nthe running daemon (pid ${pid}) applies another policy (it reads ${path.join(d.config, 'spmon', 'config.json')}; --agents or SPMON_AGENTS come first; kill -HUP ${pid} reads the file again):\n  all agents: warning notify, critical request\n`);
    expect(shown.stdout).toMatch(/cool-down 120 s\n$/);
    // The same policy in the caller's environment: one policy, shown once.
    const same = await d.cli(['policy'], { SPMON_AGENTS: own });
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('the running daemon');
    expect(same.stdout).toContain('cool-down 120 s');
  });
});

describe('a bad option to run starts no daemon', () => {
  test.each([
    [['--name', 'no/slash']],
    [['--name', '\x1b[2J']],
    [['--restart', 'sometimes']],
    [['--stop-signal', 'KILL']],
    [['--max-restarts', '-1']],
    [['--env', '1A=b']],
  ])('run %j -- true: exit 2, a message, no daemon', async (opts) => {
    const r = await d.cli(['run', ...opts, '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spmon: /);
    expect(d.daemonPid()).toBeNull();
    expect(fs.existsSync(d.socket)).toBe(false);
  });
});

describe('run starts a daemon and a session', () => {
  test('run prints run:NAME, starts the daemon in the background; ps, logs, status show it; schema holds', async () => {
    const id = await run(['--name', 'hello', '--', 'bash', '-c', 'echo out; echo err >&2; sleep 30']);
    expect(id).toBe('run:hello');
    const pid = d.daemonPid();
    expect(pid).not.toBeNull();
    // Started from a command, the daemon gets the Node flags bin/spmon's sh line gives a daemon started by hand.
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, 1 + LONG_RUNNING_FLAGS.length)).toEqual([...LONG_RUNNING_FLAGS]);
    // The socket directory is private.
    expect(fs.statSync(path.dirname(d.socket)).mode & 0o777).toBe(0o700);
    const s = await waitFor('hello running with its process', async () => {
      const x = await session('run:hello');
      return x.state === 'running' && x.processes !== null && x.processes >= 1 ? x : null;
    });
    expect(s.pid).toBeGreaterThan(1);
    expect(s.startTime).toBe(startTicksOf(s.pid!));
    const ps = await d.cli(['ps', '--json']);
    expect(psSchemaErrors(JSON.parse(ps.stdout))).toBe('');
    const logs = await waitFor('both lines', async () => {
      const r = await d.cli(['logs', 'run:hello']);
      return r.stdout.includes('out') && r.stdout.includes('err') ? r.stdout : null;
    });
    expect(logs).toBe('out\nerr\n');
    const st = await d.cli(['status', '--json']);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ running: true, pid, sessions: { total: 1, byState: { running: 1 } } });
    // The dashboard's snapshot sees the run session too.
    const once = await d.cli(['--json', '--interval', '0']);
    const doc = JSON.parse(once.stdout);
    const rs = doc.sessions.find((x: { id: string }) => x.id === 'run:hello');
    expect(rs).toMatchObject({ kind: 'run', run: { state: 'running', restarts: 0, name: 'hello' } });
    expect(rs.pids).toContain(s.pid);
  });

  test('a command that cannot start: a message, exit 1, nothing left behind', async () => {
    for (const args of [['--', '/nonexistent/prog'], ['--', path.join(ROOT, 'README.md')], ['--cwd', '/nonexistent', '--', 'true']]) {
      const r = await d.cli(['run', '--name', 'bad', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^spmon: cannot start .*(not found|not executable|no such directory)/);
    }
    expect((await d.cli(['run', '--name', 'bad', '--cwd', '/nonexistent', '--', 'true'])).stderr).toBe('spmon: cannot start in /nonexistent: no such directory\n');
    // The daemon each run started for it stops again (it has nothing to do); no session was recorded.
    await waitFor('the daemon started for the failed runs gone', async () => d.daemonPid() === null && !fs.existsSync(d.socket));
    expect(d.records()).toEqual([]);
    expect(fs.readdirSync(path.join(d.state, 'spmon', 'logs'))).toEqual([]);
  });

  test('a name in use: exit 3; an unknown id: exit 3; a bad option: exit 2', async () => {
    await run(['--name', 'dup', '--', 'sleep', '30']);
    const again = await d.cli(['run', '--name', 'dup', '--', 'sleep', '30']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/named "dup" is running/);
    for (const cmd of [['logs', 'nope'], ['stop', 'run:nope'], ['restart', 'nope']]) {
      const r = await d.cli(cmd);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/no supervised session/);
    }
    expect((await d.cli(['run', '--restart', 'sometimes', '--', 'true'])).code).toBe(2);
    expect((await d.cli(['run', '--name', 'no/slash', '--', 'true'])).code).toBe(2);
    // Bad values of logs' and stop's options are usage errors too, whether or not a daemon runs.
    const bad = [['logs', 'dup', '--offset', '-5'], ['logs', 'dup', '--tail', 'abc'], ['stop', 'dup', '--grace', 'x']];
    for (const cmd of bad) {
      const r = await d.cli(cmd);
      expect([cmd, r.code]).toEqual([cmd, 2]);
      expect(r.stderr).toMatch(/must be a (whole )?number/);
    }
    expect((await session('run:dup')).state).toBe('running');
    process.kill(d.daemonPid()!, 'SIGTERM');
    await waitFor('no daemon', () => d.daemonPid() === null);
    for (const cmd of bad) expect([cmd, (await d.cli(cmd)).code]).toEqual([cmd, 2]);
  });
});

describe('stop ends the whole tree', () => {
  test('children, an orphan that left the tree, and one that ignores SIGTERM: all gone, by identity', async () => {
    await run(['--name', 'tree', '--grace', '1', '--', 'bash', '-c', 'sleep 300 & (sleep 301 &); bash -c \'trap "" TERM; while :; do sleep 0.2; done\' & wait']);
    const s = await waitFor('four members', async () => {
      const x = await session('run:tree');
      return x.processes !== null && x.processes >= 4 ? x : null;
    });
    const members = DaemonEnv.sessionMembers(s.pid!).map((p) => ({ pid: p, start: startTicksOf(p) }));
    expect(members.length).toBeGreaterThanOrEqual(4);
    const r = await d.cli(['stop', 'tree']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run:tree exited/);
    for (const m of members) expect(aliveAs(m.pid, m.start)).toBe(false);
    expect(DaemonEnv.sessionMembers(s.pid!)).toEqual([]);
    expect((await session('run:tree')).state).toBe('exited');
  });

  test('a fork bomb inside a session: stop still ends all of it', async () => {
    // Each process keeps five children that do the same, three levels deep (156 processes: bounded so the
    // test cannot take the machine down), forks a new one for each that dies, and ignores SIGTERM.
    const bomb = `
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
depth = 0
kids = set()
while True:
    while depth < 3 and len(kids) < 5:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            depth += 1
            kids = set()
            continue
        kids.add(pid)
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid:
            kids.discard(pid)
    except ChildProcessError:
        pass
    time.sleep(0.02)
`;
    const script = path.join(d.pe.home, 'bomb.py');
    fs.writeFileSync(script, bomb);
    await run(['--name', 'bomb', '--grace', '0.5', '--', 'python3', script]);
    const s = await waitFor('the bomb to grow', async () => {
      const x = await session('run:bomb');
      return x.pid !== null && DaemonEnv.sessionMembers(x.pid).length >= 100 ? x : null;
    });
    const r = await d.cli(['stop', 'bomb'], {}, 120_000);
    expect(r.code).toBe(0);
    const left = DaemonEnv.sessionMembers(s.pid!);
    if (left.length > 0) console.log(fs.readFileSync(path.join(d.state, 'spmon', 'daemon.log'), 'utf8'), left.map((p) => fs.readFileSync(`/proc/${p}/stat`, 'utf8')).join('\n'));
    expect(left).toEqual([]);
  });
});

describe('restart policy', () => {
  test('a crash loop backs off with a doubling delay, then gives up with the reason in ps', async () => {
    await run(['--name', 'crash', '--restart', 'on-failure', '--max-restarts', '3', '--restart-delay', '0.5', '--', 'bash', '-c', 'date +%s.%N; exit 7']);
    const s = await waitFor('gave-up', async () => {
      const x = await session('run:crash');
      return x.state === 'gave-up' ? x : null;
    });
    expect(s.restarts).toBe(3);
    expect(s.lastExit).toMatchObject({ code: 7, signal: null });
    expect(s.reason).toMatch(/3 restarts in a row/);
    // The daemon scheduled each restart twice as late as the one before, and says why.
    const events = (await d.cli(['events', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const scheduled = events.filter((e) => e.kind === 'restart-scheduled' && e.target === 'run:crash');
    expect(scheduled.map((e) => e.details.delayMs)).toEqual([500, 1000, 2000]);
    expect(scheduled.every((e) => e.reason === 'exit code 7')).toBe(true);
    expect(events.filter((e) => e.target === 'run:crash').map((e) => e.kind)).toEqual([
      'started', 'restart-scheduled', 'started', 'restart-scheduled', 'started', 'restart-scheduled', 'started', 'gave-up',
    ]);
    // And kept to it: four starts, each gap longer than the one before (the delays double).
    const starts = (await d.cli(['logs', 'crash'])).stdout.trim().split('\n').map(Number);
    expect(starts).toHaveLength(4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(0.5);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
  });

  test('always restarts a clean exit; no does not; on-failure leaves a clean exit alone', async () => {
    await run(['--name', 'always', '--restart', 'always', '--max-restarts', '100', '--restart-delay', '0.1', '--', 'bash', '-c', 'sleep 0.2']);
    await run(['--name', 'never', '--restart', 'no', '--', 'bash', '-c', 'exit 3']);
    await run(['--name', 'clean', '--restart', 'on-failure', '--', 'true']);
    await waitFor('always restarted twice', async () => (await session('run:always')).restarts >= 2);
    await waitFor('never failed', async () => (await session('run:never')).state === 'failed');
    await waitFor('clean exited', async () => (await session('run:clean')).state === 'exited');
    expect((await session('run:never')).restarts).toBe(0);
    expect((await session('run:clean')).restarts).toBe(0);
    await d.cli(['stop', 'always']);
    const a = await session('run:always');
    expect(a.state).toBe('exited');
    const n = a.restarts;
    await sleepMs(500);
    expect((await session('run:always')).restarts).toBe(n);
  });

  test('on-failure: a death by the stop signal is not a failure; by another signal it is', async () => {
    await run(['--name', 'byterm', '--restart', 'on-failure', '--restart-delay', '0.1', '--', 'sleep', '300']);
    await run(['--name', 'byint', '--restart', 'on-failure', '--stop-signal', 'INT', '--restart-delay', '0.1', '--', 'python3', '-c', 'import time; time.sleep(300)']);
    await run(['--name', 'byhup', '--restart', 'on-failure', '--restart-delay', '0.1', '--', 'sleep', '300']);
    const up = async (id: string) => waitFor(`${id} running`, async () => {
      const x = await session(id);
      return x.state === 'running' && x.pid !== null ? x : null;
    });
    const term = await up('run:byterm');
    const int = await up('run:byint');
    const hup = await up('run:byhup');
    process.kill(term.pid!, 'SIGTERM');
    process.kill(int.pid!, 'SIGINT');
    process.kill(hup.pid!, 'SIGHUP');
    await waitFor('byterm exited', async () => (await session('run:byterm')).state === 'exited');
    await waitFor('byint exited', async () => (await session('run:byint')).state === 'exited');
    await waitFor('byhup restarted', async () => (await session('run:byhup')).restarts >= 1);
    await sleepMs(500);
    expect(await session('run:byterm')).toMatchObject({ state: 'exited', restarts: 0, lastExit: { code: null, signal: 'SIGTERM' } });
    expect(await session('run:byint')).toMatchObject({ state: 'exited', restarts: 0, lastExit: { code: null, signal: 'SIGINT' } });
    expect((await session('run:byhup')).lastExit).toMatchObject({ code: null, signal: 'SIGHUP' });
  });

  test('restart starts it again with the same command; the stop signal is the one asked for', async () => {
    const marker = path.join(d.pe.home, 'got');
    await run(['--name', 'sig', '--stop-signal', 'USR1', '--', 'bash', '-c', `trap 'echo usr1 > ${marker}; exit 0' USR1; while :; do sleep 0.1; done`]);
    const first = await waitFor('running', async () => {
      const x = await session('run:sig');
      return x.processes ? x : null;
    });
    const r = await d.cli(['restart', 'sig']);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(marker, 'utf8')).toBe('usr1\n');
    const second = await session('run:sig');
    expect(second.state).toBe('running');
    expect(second.pid).not.toBe(first.pid);
    expect(aliveAs(first.pid!, first.startTime)).toBe(false);
  });
});

describe('output', () => {
  test('read by offsets, incrementally, loses no line of 10,000; --follow ends with the session', async () => {
    await run(['--name', 'lines', '--', 'bash', '-c', 'for i in $(seq 1 10000); do echo "line $i"; done; sleep 0.5']);
    let offset = 0;
    let text = '';
    let ended = false;
    while (!ended) {
      const r = await d.cli(['logs', 'lines', '--json', '--offset', String(offset)]);
      for (const line of r.stdout.trim().split('\n')) {
        const c = JSON.parse(line);
        expect(c.offset).toBe(offset);
        text += c.text;
        offset = c.nextOffset;
        ended = c.ended;
      }
      if (!ended) await sleepMs(50);
    }
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(10000);
    expect(lines.every((l, i) => l === `line ${i + 1}`)).toBe(true);
    const f = await d.cli(['logs', 'lines', '--follow', '--tail', '3']);
    expect(f.stdout).toBe('line 9998\nline 9999\nline 10000\n');
  });

  test('invalid UTF-8, escape sequences and a 10 MB line: stored as they are, shown sanitised', async () => {
    const script = `printf 'a\\033[2J\\033]0;title\\007b\\xff\\xfe\\n'; head -c 10485760 /dev/zero | tr '\\0' x; echo`;
    // Ended sessions keep 1 MiB of output by default: keep all of this one.
    await d.cli(['daemon', '--detach', '--ended-log-max', '32']);
    await run(['--name', 'hostile', '--', 'bash', '-c', script]);
    await waitFor('ended', async () => (await session('run:hostile')).state === 'exited');
    const raw = fs.readFileSync(path.join(d.state, 'spmon', 'logs', 'hostile.log'));
    expect(raw.subarray(0, 19)).toEqual(Buffer.from('a\x1b[2J\x1b]0;title\x07b\xff\xfe\n', 'latin1'));
    expect(raw.length).toBe(19 + 10 * 1024 * 1024 + 1);
    const shown = await d.cli(['logs', 'hostile']);
    // eslint-disable-next-line no-control-regex
    expect(shown.stdoutBytes.includes(0x1b)).toBe(false);
    expect(shown.stdout.startsWith('a\u241b[2J\u241b]0;title\u2407b\ufffd\ufffd\n')).toBe(true);
    expect(shown.stdout.length).toBe(19 + 10 * 1024 * 1024 + 1);
    const rawOut = await d.cli(['logs', 'hostile', '--raw']);
    expect(rawOut.stdoutBytes.equals(raw)).toBe(true);
  });

  test('a session writing as fast as it can: the log stays within its cap and the daemon within bounds', async () => {
    await d.cli(['daemon', '--detach', '--log-max', '8']);
    const daemon = d.daemonPid()!;
    // 400 MiB as fast as dd writes it.
    await run(['--name', 'flood', '--', 'dd', 'if=/dev/zero', 'bs=1M', 'count=400', 'status=none']);
    const log = path.join(d.state, 'spmon', 'logs', 'flood.log');
    let maxHeld = 0;
    let maxRss = 0;
    for (;;) {
      const st = fs.statSync(log);
      maxHeld = Math.max(maxHeld, st.blocks * 512);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon}/status`, 'utf8'))![1]) * 1024;
      maxRss = Math.max(maxRss, rss);
      if ((await session('run:flood')).state !== 'running') break;
      await sleepMs(50);
    }
    const s = await session('run:flood');
    expect(s.lastExit).toMatchObject({ code: 0 });
    // Everything was written (the offsets count it all); what is held on disk is bounded by the cap.
    const j = JSON.parse((await d.cli(['logs', 'flood', '--json', '--tail', '0'])).stdout.trim().split('\n').pop()!);
    expect(j.nextOffset).toBe(400 * 1024 * 1024);
    expect(fs.statSync(log).blocks * 512).toBeLessThanOrEqual(1024 * 1024 + 8192);
    // Held while it ran: the cap plus what a writer adds between two checks (this test's sampling is coarse).
    expect(maxHeld).toBeLessThan(400 * 1024 * 1024);
    expect(maxRss).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('the daemon itself', () => {
  test('killed with SIGKILL: its sessions run on, and the next daemon lists them as lost and can stop them by identity', async () => {
    await run(['--name', 'survivor', '--', 'bash', '-c', 'while :; do echo alive; sleep 0.2; done']);
    const s = await waitFor('running', async () => {
      const x = await session('run:survivor');
      return x.processes ? x : null;
    });
    const daemon = d.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    await waitFor('the daemon gone', () => stateOf(daemon) === null || stateOf(daemon) === 'Z');
    expect(aliveAs(s.pid!, s.startTime)).toBe(true);
    expect((await d.cli(['ps'])).code).toBe(3);
    // With no daemon, a snapshot still shows the session (from the daemon's records), as lost, with its process.
    const snap = JSON.parse((await d.cli(['--json', '--interval', '0'])).stdout);
    const seen = snap.sessions.find((x: { id: string }) => x.id === 'run:survivor');
    expect(seen).toMatchObject({ kind: 'run', run: { state: 'lost', pid: s.pid } });
    expect(seen.pids).toContain(s.pid);
    // Any command that starts a daemon: the new one finds the session.
    await run(['--name', 'other', '--', 'sleep', '30']);
    const lost = await session('run:survivor');
    expect(lost).toMatchObject({ state: 'lost', pid: s.pid, startTime: s.startTime });
    // Its output still reaches its log.
    const before = (await d.cli(['logs', 'survivor'])).stdout.length;
    await waitFor('more output', async () => (await d.cli(['logs', 'survivor'])).stdout.length > before);
    expect((await d.cli(['stop', 'survivor'])).code).toBe(0);
    expect(aliveAs(s.pid!, s.startTime)).toBe(false);
    expect((await session('run:survivor')).state).toBe('exited');
  });

  test('a lost session whose main process dies: what it left in its kernel session keeps it lost, and stop ends that', async () => {
    await run(['--name', 'remnant', '--', 'bash', '-c', 'sleep 300 & wait']);
    const s = await waitFor('leader and child', async () => {
      const x = await session('run:remnant');
      return x.processes !== null && x.processes >= 2 ? x : null;
    });
    const child = DaemonEnv.sessionMembers(s.pid!).find((p) => p !== s.pid)!;
    expect(child).toBeDefined();
    const childStart = startTicksOf(child);
    process.kill(d.daemonPid()!, 'SIGKILL');
    await waitFor('the daemon gone', () => d.daemonPid() === null);
    await run(['--name', 'other', '--', 'sleep', '30']);
    expect(await session('run:remnant')).toMatchObject({ state: 'lost', pid: s.pid });
    process.kill(s.pid!, 'SIGKILL');
    await waitFor('the leader gone', () => !aliveAs(s.pid!, s.startTime));
    expect(aliveAs(child, childStart)).toBe(true);
    // Several frames later it is still lost, with the child as its one process, and says why.
    await sleepMs(2500);
    const lost = await session('run:remnant');
    expect(lost).toMatchObject({ state: 'lost', processes: 1 });
    expect(lost.reason).toMatch(/ended while no daemon watched it; 1 process\(es\) of its session still run/);
    expect((await d.cli(['stop', 'remnant'])).code).toBe(0);
    expect(aliveAs(child, childStart)).toBe(false);
    expect((await session('run:remnant')).state).toBe('exited');
  });

  test('a malformed config file: status and daemon --stop still work (they read no setting), other commands refuse', async () => {
    d.writeConfig({});
    expect((await d.cli(['daemon', '--detach'])).code).toBe(0);
    const daemon = d.daemonPid()!;
    fs.writeFileSync(path.join(d.config, 'spmon', 'config.json'), '{"agents": ');
    const st = await d.cli(['status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`pid ${daemon}`);
    expect(st.stderr).toMatch(/is not valid JSON: .* \(ignored: this command reads no setting\)\n$/);
    const ps = await d.cli(['ps']);
    expect(ps.code).toBe(2);
    expect(ps.stderr).toMatch(/is not valid JSON/);
    expect((await d.cli(['daemon', '--stop'])).code).toBe(0);
    await waitFor('the daemon gone', () => stateOf(daemon) === null || stateOf(daemon) === 'Z');
    const none = await d.cli(['daemon', '--stop']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no spmon daemon running \([^)]*\)\n$/);
  });

  test('a second daemon on the same socket is refused, naming the one that answers there', async () => {
    expect((await d.cli(['daemon', '--detach'])).code).toBe(0);
    const first = d.daemonPid()!;
    const r = await d.cli(['daemon'], {}, 20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a spmon daemon (pid ${first}) already answers on `);
    expect(d.daemonPid()).toBe(first);
  });

  test('a second daemon on another socket but the same state directory is refused (both would adopt the same sessions)', async () => {
    expect((await d.cli(['daemon', '--detach'])).code).toBe(0);
    const first = d.daemonPid()!;
    const other = path.join(d.runtime, 'other', 'd.sock');
    const r = await d.cli(['daemon', '--socket', other], {}, 20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another spmon daemon (pid ${first}) keeps its supervised sessions in ${path.join(d.state, 'spmon')}; give this one a state directory of its own`);
    expect(fs.existsSync(`${other}.lock`)).toBe(false);
    // With a state directory of its own, it starts.
    const own = await d.cli(['daemon', '--detach', '--socket', other], { XDG_STATE_HOME: path.join(d.runtime, 'other-state') });
    expect(own.code).toBe(0);
    const second = Number(/pid (\d+)/.exec(own.stdout)![1]);
    expect(second).not.toBe(first);
    d.track(second);
  });

  test('a lock holds only while its process runs: by pid and start time, not a zombie, not pid 1', async () => {
    const lock = path.join(d.runtime, 'test.lock');
    const write = (pid: number, startTicks: number | null) => fs.writeFileSync(lock, JSON.stringify({ pid, startTicks }));
    // A child that exec's into `sleep` with one of its own children left to die unreaped: a zombie.
    const child = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 30'], { stdio: 'ignore' });
    try {
      const ticks = await waitFor('the child', () => startTicksOf(child.pid!));
      write(child.pid!, ticks);
      expect(liveLockHolder(lock)).toEqual({ pid: child.pid, startTicks: ticks });
      write(child.pid!, ticks + 1);
      expect(liveLockHolder(lock)).toBeNull();
      const zombie = await waitFor('a zombie', () => {
        const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        return kids.find((k) => stateOf(k) === 'Z');
      });
      write(zombie, startTicksOf(zombie)!);
      expect(liveLockHolder(lock)).toBeNull();
      write(1, startTicksOf(1)!);
      expect(liveLockHolder(lock)).toBeNull();
      fs.writeFileSync(lock, 'not json');
      expect(liveLockHolder(lock)).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a daemon whose socket was removed: status and run say which daemon holds the lock, not "none running"', async () => {
    await run(['--name', 'x', '--', 'sleep', '30']);
    const pid = d.daemonPid()!;
    fs.renameSync(d.socket, `${d.socket}.moved`);
    const st = await d.cli(['status']);
    expect(st.code).toBe(3);
    expect(st.stderr).toContain(`the spmon daemon (pid ${pid}) holds ${d.socket}.lock but does not answer on its socket (no socket); end it (kill ${pid})`);
    const r = await d.cli(['run', '--', 'sleep', '30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`the daemon exited \\(\\d+\\) before answering: .*another spmon daemon \\(pid ${pid}\\) holds`));
    fs.renameSync(`${d.socket}.moved`, d.socket);
  });

  /** Two sessions, one stopped by SIGTERM (the default), one by SIGINT (asked for): their pids and start times. */
  async function twoStopPolicies() {
    await run(['--name', 'a', '--', 'sleep', '300']);
    await run(['--name', 'b', '--stop-signal', 'INT', '--', 'bash', '-c', 'trap "exit 0" INT; while :; do sleep 0.1; done']);
    const a = await waitFor('a', async () => (await session('run:a')).pid);
    const b = await waitFor('b', async () => (await session('run:b')).pid);
    return { a, sa: startTicksOf(a), b, sb: startTicksOf(b) };
  }

  /** Both gone, each ended by its own stop signal (recorded as exited, not killed), and the socket too. */
  function bothStopped(t: Awaited<ReturnType<typeof twoStopPolicies>>) {
    expect(aliveAs(t.a, t.sa)).toBe(false);
    expect(aliveAs(t.b, t.sb)).toBe(false);
    const recs = d.records();
    expect(recs.find((x) => x.name === 'a')!.state).toBe('exited');
    expect(recs.find((x) => x.name === 'b')!.state).toBe('exited');
    expect(fs.existsSync(d.socket)).toBe(false);
  }

  test('SIGTERM stops every session by its own policy, then the daemon', async () => {
    const t = await twoStopPolicies();
    const daemon = d.daemonPid()!;
    process.kill(daemon, 'SIGTERM');
    await waitFor('the daemon gone', () => stateOf(daemon) === null || stateOf(daemon) === 'Z');
    bothStopped(t);
  });

  test('daemon --stop: every session by its own policy, then the daemon, and it returns once all is gone', async () => {
    const t = await twoStopPolicies();
    const daemon = d.daemonPid()!;
    const daemonTicks = startTicksOf(daemon);
    const r = await d.cli(['daemon', '--stop']);
    expect(r).toMatchObject({ code: 0, stdout: `spmon daemon pid ${daemon} stopped (2 supervised sessions ended)\n` });
    expect(r.stderr).toMatch(/stopping 2 supervised sessions/);
    // When it returns, the sessions are gone, and the daemon with its socket.
    bothStopped(t);
    await waitFor('the daemon process gone', () => !aliveAs(daemon, daemonTicks));
    // None running: exit 3, as status says; --stop with a start option is a usage error.
    const none = await d.cli(['daemon', '--stop']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no spmon daemon running/);
    for (const [flag, ...value] of [['--detach'], ['--memory-guard', 'terminate'], ['--log-max', '3'], ['--agents', '{}'], ['--metrics']]) {
      const both = await d.cli(['daemon', '--stop', flag, ...value]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain(`--stop goes alone (not with ${flag})`);
    }
  });

  test('a child subreaper: an orphaned grandchild that exits is reaped, no zombie stays', async () => {
    // The grandchild outlives its parent (re-parented to the daemon), then exits.
    await run(['--name', 'orphan', '--', 'bash', '-c', '(sleep 0.5; exit 0) & disown; exit 0']);
    const daemon = d.daemonPid()!;
    const zombies = () => fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const t = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
          const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
          return f[0] === 'Z' && Number(f[1]) === daemon;
        } catch {
          return false;
        }
      });
    // It exits 0.5 s in; the daemon reaps a zombie it did not spawn once it has stayed one for a second.
    await sleepMs(1000);
    await waitFor('no zombie of the daemon', () => zombies().length === 0, 10_000);
    expect(zombies()).toEqual([]);
  });

  test('another user is refused: the socket directory is closed to them, and the daemon checks the peer', async () => {
    // As nobody, with a socket in a directory of nobody's: root connecting to it is another user.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-peer-'));
    fs.chmodSync(dir, 0o755);
    const sockDir = path.join(dir, 'sock');
    fs.mkdirSync(sockDir, { mode: 0o700 });
    fs.chownSync(sockDir, 65534, 65534);
    const copy = require('./helpers/readable_copy') as typeof import('./helpers/readable_copy');
    const rc = copy.readableCopy(copy.SPMON_RUNTIME, copy.SPMON_RUNTIME_PACKAGES);
    const sock = path.join(sockDir, 'd.sock');
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    fs.chownSync(state, 65534, 65534);
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(rc.dir, 'bin', 'spmon'), 'daemon', '--socket', sock], {
      env: { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: state },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    try {
      await waitFor('the socket', () => fs.existsSync(sock));
      const answer = await new Promise<string>((resolve, reject) => {
        const c = net.connect(sock);
        let got = '';
        c.on('data', (b) => (got += b.toString()));
        c.on('close', () => resolve(got));
        c.on('error', reject);
        c.write(JSON.stringify({ id: 1, method: 'status' }) + '\n');
      });
      expect(JSON.parse(answer)).toMatchObject({ id: 0, error: { code: 'refused' } });
      expect(log).toMatch(/refused a connection from uid 0/);
      // And as the client sees it.
      const r = spawnSync(process.execPath, [BIN, 'status', '--socket', sock], { env: d.env, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/serves uid 65534 only/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rc.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a socket directory open to others, or not the user\'s, is refused', async () => {
    const open = path.join(d.pe.home, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    const r = await d.cli(['daemon', '--socket', path.join(open, 's.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is open to others \(mode 755\): refusing to use it/);
    const theirs = path.join(d.pe.home, 'theirs');
    fs.mkdirSync(theirs, { mode: 0o700 });
    fs.chownSync(theirs, 65534, 65534);
    const r2 = await d.cli(['daemon', '--socket', path.join(theirs, 's.sock')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/belongs to uid 65534, not to you/);
  });

  test('ended sessions: the last 100 are kept, with their logs', async () => {
    await d.cli(['daemon', '--detach']);
    const c = await DaemonClient.connect(d.socket);
    try {
      for (let i = 0; i < 103; i++) await c.request('run', { name: `t${i}`, command: ['true'], cwd: d.pe.home });
    } finally {
      c.close();
    }
    await waitFor('all ended', async () => (await d.ps()).every((s) => s.state === 'exited'), 30_000);
    const names = (await d.ps()).map((s) => s.id);
    expect(names).toHaveLength(100);
    expect(names).not.toContain('run:t0');
    expect(names).toContain('run:t102');
    expect(fs.readdirSync(path.join(d.state, 'spmon', 'logs')).length).toBe(100);
  });
});
