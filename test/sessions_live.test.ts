// Sessions on the live machine: real tmux servers on a private TMUX_TMPDIR whose panes run processes of
// known memory, fake agent processes (harmless programs named claude/codex/gemini) next to agent logs in a
// private HOME, `spmon --json` over all of it, and the dashboard's sessions view driving a whole session's end.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { writeClaudeLog, writeCodexLog, writeGeminiLog } from './helpers/agent_logs';
import { Children, python3, sleep, waitForLine } from './helpers/children';
import { runCli } from './helpers/cli';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';
import { gridPids, SPMON, TmuxSession } from './e2e/tmux';

jest.setTimeout(90_000);

const MiB = 1024 * 1024;

/**
 * One member of a test session: `member.py <label> <MiB> <outdir> [<child label> <child MiB> ...]`.
 * Allocates and touches <MiB>, starts the next one (a fresh python, so memory is not shared copy-on-write),
 * then writes <outdir>/<label>.pid. It ignores SIGHUP (a closing pane must not end it: only spmon's signals
 * count) and waits for SIGTERM (blocked, taken with sigwait). When it arrives it appends "<label> <monotonic
 * ns>" to <outdir>/order, the clock read first thing, then dies of it; a label starting with "stubborn" records
 * and waits again (only SIGKILL ends it).
 *
 * With MEMBER_RT_CPU=<n> in the environment it runs SCHED_FIFO on CPU n. Put the sender (spmon) on the same
 * CPU: each signal then wakes a member that preempts the sender at once, so the members record their
 * SIGTERMs in exactly the order spmon sent them.
 */
const MEMBER_PY = `
import os, signal, subprocess, sys, time
label, mib, outdir, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
buf = b'\\x01' * (mib << 20)
child = subprocess.Popen([sys.executable, sys.argv[0], rest[0], rest[1], outdir, *rest[2:]]) if rest else None
cpu = os.environ.get('MEMBER_RT_CPU')
if cpu:
    try:
        os.sched_setaffinity(0, {int(cpu)})
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except OSError as e:
        with open(os.path.join(outdir, label + '.error'), 'w') as f:
            f.write('SCHED_FIFO on CPU %s: %s (needs CAP_SYS_NICE or RLIMIT_RTPRIO)' % (cpu, e))
        raise
tmp = os.path.join(outdir, label + '.tmp')
with open(tmp, 'w') as f:
    f.write(str(os.getpid()))
os.rename(tmp, os.path.join(outdir, label + '.pid'))
stubborn = label.startswith('stubborn')
while True:
    signal.sigwait({signal.SIGTERM})
    now = time.monotonic_ns()
    with open(os.path.join(outdir, 'order'), 'a') as f:
        f.write('%s %d\\n' % (label, now))
    if not stubborn:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        os.kill(os.getpid(), signal.SIGTERM)
`;

/** Runs argv[2:] on CPU argv[1] only. */
const PIN_PY = 'import os, sys; os.sched_setaffinity(0, {int(sys.argv[1])}); os.execvp(sys.argv[2], sys.argv[2:])';

/** A tmux server of our own: `-L socket` in the TMUX_TMPDIR of env, no user config. */
class TmuxServer {
  private readonly conf: string;
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly socket: string,
    dir: string,
  ) {
    this.conf = path.join(dir, `tmux-${socket}.conf`);
    fs.writeFileSync(this.conf, 'set -g status off\n');
  }
  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', this.conf, ...args], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  newSession(name: string, command: string): void {
    this.run('new-session', '-d', '-s', name, '-x', '80', '-y', '20', command);
  }
  /** session name -> session id ($N) */
  sessionIds(): Map<string, string> {
    const out = this.run('list-sessions', '-F', '#{session_id}\t#{session_name}');
    return new Map(out.trim().split('\n').map((l) => l.split('\t')).map(([id, name]) => [name, id]));
  }
  panePid(session: string): number {
    return Number(this.run('list-panes', '-t', session, '-F', '#{pane_pid}').trim());
  }
  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { env: this.env });
  }
}

/** Members started through tmux panes, found by their pid files; ended with SIGKILL by the test. */
class Members {
  readonly dir: string;
  readonly script: string;
  private readonly started = new Set<string>();
  constructor(base: string) {
    this.dir = fs.mkdtempSync(path.join(base, 'members-'));
    this.script = path.join(this.dir, 'member.py');
    fs.writeFileSync(this.script, MEMBER_PY);
  }
  /** The pane command for a chain [label, MiB, label, MiB, ...]: the first is the pane process itself. */
  command(...chain: (string | number)[]): string {
    for (let i = 0; i < chain.length; i += 2) this.started.add(String(chain[i]));
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    return `exec ${q(python3())} ${q(this.script)} ${chain[0]} ${chain[1]} ${q(this.dir)} ${chain.slice(2).join(' ')}`;
  }
  async pid(label: string): Promise<number> {
    const file = path.join(this.dir, `${label}.pid`);
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      if (fs.existsSync(file)) return Number(fs.readFileSync(file, 'utf8'));
      const error = path.join(this.dir, `${label}.error`);
      if (fs.existsSync(error)) throw new Error(`member ${label}: ${fs.readFileSync(error, 'utf8')}`);
      await sleep(50);
    }
    throw new Error(`member ${label} did not start`);
  }
  /** Labels in the order the members recorded their SIGTERM (by the clock each read on waking). */
  order(): string[] {
    const file = path.join(this.dir, 'order');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : BigInt(a[1]) > BigInt(b[1]) ? 1 : 0))
      .map((l) => l[0]);
  }

  /** SIGKILL every member still running (all are our own descendants). */
  killAll(): void {
    for (const label of this.started) {
      const file = path.join(this.dir, `${label}.pid`);
      if (!fs.existsSync(file)) continue;
      try {
        process.kill(Number(fs.readFileSync(file, 'utf8')), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.started.clear();
  }
}

interface Doc {
  processes: { pid: number; ppid: number; name: string; ussBytes: number | null; sessionIds: string[] }[];
  sessions: {
    id: string;
    kind: string;
    name: string;
    pids: number[];
    ussBytes: number | null;
    pssBytes: number | null;
    agent: null | { tool: string; sessionId: string; logPath: string | null; cwd: string | null; evidence: string | null; confidence: number | null; tokens: Record<string, number | null> };
  }[];
}

async function snapshot(pe: PrivateEnv): Promise<Doc> {
  const r = await runCli(['--json', '--interval', '0.3'], { HOME: pe.home, TMUX_TMPDIR: pe.env.TMUX_TMPDIR });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as Doc;
  expect(schemaErrors(doc)).toBe('');
  return doc;
}

describe('spmon --json on live sessions', () => {
  let pe: PrivateEnv;
  let kids: Children;
  let members: Members;
  let servers: TmuxServer[];

  beforeEach(() => {
    pe = privateEnv();
    kids = new Children(pe.env);
    members = new Members(path.dirname(pe.home));
    servers = [];
  });

  afterEach(async () => {
    for (const s of servers) s.kill();
    members.killAll();
    await kids.killAll();
    pe.dispose();
  });

  test('two tmux sessions: names, pane pids and all descendants, USS sums near the known allocations', async () => {
    const tmux = new TmuxServer(pe.env, 'default', path.dirname(pe.home));
    servers.push(tmux);
    tmux.newSession('alpha one', members.command('a-pane', 64));
    tmux.newSession('beta', members.command('b-pane', 32, 'b-child', 16, 'b-grandchild', 8));
    // The same program allocating nothing, outside tmux: what a member costs beyond its allocation.
    const control = kids.spawn(python3(), [members.script, 'control', '0', members.dir], { stdio: 'ignore' });
    const pid = {
      a: await members.pid('a-pane'),
      b: await members.pid('b-pane'),
      bc: await members.pid('b-child'),
      bg: await members.pid('b-grandchild'),
      control: await members.pid('control'),
    };
    expect(pid.control).toBe(control.pid);
    expect(tmux.panePid('alpha one')).toBe(pid.a);
    expect(tmux.panePid('beta')).toBe(pid.b);
    const ids = tmux.sessionIds();

    const d = await snapshot(pe);
    const tmuxSessions = d.sessions.filter((s) => s.kind === 'tmux');
    expect(tmuxSessions.map((s) => s.id).sort()).toEqual([`tmux:default:${ids.get('alpha one')}`, `tmux:default:${ids.get('beta')}`].sort());
    const alpha = tmuxSessions.find((s) => s.name === 'alpha one')!;
    const beta = tmuxSessions.find((s) => s.name === 'beta')!;
    expect(alpha.id).toBe(`tmux:default:${ids.get('alpha one')}`);
    expect(alpha.pids).toEqual([pid.a]);
    expect(beta.pids).toEqual([pid.b, pid.bc, pid.bg].sort((x, y) => x - y));
    expect(alpha.agent).toBeNull();

    const proc = (p: number) => d.processes.find((x) => x.pid === p)!;
    expect(proc(pid.bc).ppid).toBe(pid.b);
    expect(proc(pid.bg).ppid).toBe(pid.bc);
    // Session totals are the members' sums...
    const ussOf = (p: number) => proc(p).ussBytes!;
    expect(alpha.ussBytes).toBe(ussOf(pid.a));
    expect(beta.ussBytes).toBe(ussOf(pid.b) + ussOf(pid.bc) + ussOf(pid.bg));
    // ...and near what the members allocated, plus what an idle member costs.
    const base = ussOf(pid.control);
    expect(base).toBeGreaterThan(0);
    expect(base).toBeLessThan(32 * MiB);
    const near = (actual: number, expected: number) => {
      expect(actual).toBeGreaterThan(expected * 0.97);
      expect(actual).toBeLessThan(expected * 1.03);
    };
    near(alpha.ussBytes!, 64 * MiB + base);
    near(beta.ussBytes!, 56 * MiB + 3 * base);
    expect(alpha.pssBytes!).toBeGreaterThanOrEqual(alpha.ussBytes!);

    // Every member carries its tmux session's id (and the pod's); the control process none of them.
    for (const p of [pid.a]) expect(proc(p).sessionIds).toEqual(expect.arrayContaining(['pod', alpha.id]));
    for (const p of [pid.b, pid.bc, pid.bg]) {
      expect(proc(p).sessionIds).toEqual(expect.arrayContaining(['pod', beta.id]));
      expect(proc(p).sessionIds).not.toContain(alpha.id);
    }
    expect(proc(pid.control).sessionIds).toEqual(['pod']);
  });

  test('fake agents: an open log binds (0.9), a Gemini project hash and a Codex cwd bind (0.55), a stray log stays unbound', async () => {
    const bin = path.join(path.dirname(pe.home), 'bin');
    fs.mkdirSync(bin);
    const projects = path.join(path.dirname(pe.home), 'projects');
    const projectDir = (name: string) => {
      const dir = path.join(projects, name);
      fs.mkdirSync(dir, { recursive: true });
      return fs.realpathSync(dir); // what /proc/<pid>/cwd says
    };
    const geminiDir = projectDir('gemini-proj');
    const codexDir = projectDir('codex-proj');

    const claude = writeClaudeLog(pe.home, {
      sessionId: '1c1c1c1c-1111-4111-8111-111111111111', cwd: '/srv/spmon-live/claude-proj', model: 'claude-sonnet-4-5-20250929',
      last: { input: 100, cacheCreation: 200, cacheRead: 700, output: 50 },
    });
    const gemini = writeGeminiLog(pe.home, {
      sessionId: '9e9e9e9e-3333-4333-8333-333333333333', projectRoot: geminiDir, model: 'gemini-2.5-pro',
      last: { input: 3000, cached: 2500, output: 100, total: 3110 },
    });
    const codex = writeCodexLog(pe.home, {
      sessionId: 'c0dec0de-2222-4222-8222-222222222222', cwd: codexDir, model: 'gpt-5-codex',
      total: { input: 3000, cached: 2000, output: 500 }, lastInput: 2000, window: 272_000,
    });
    // A Codex session of another project: no process sits there.
    const stray = writeCodexLog(pe.home, {
      sessionId: '5e5e5e5e-2222-4222-8222-222222222222', cwd: path.join(projects, 'elsewhere'), model: 'gpt-5-codex',
      total: { input: 10, cached: 0, output: 1 }, lastInput: 10, window: 272_000, agoMs: 8000,
    });

    // claude: a python script whose file is named claude (so its comm is "claude") holding the log open.
    const claudeExe = path.join(bin, 'claude');
    fs.writeFileSync(claudeExe, `#!${python3()}\nimport sys, time\nf = open(sys.argv[1])\nprint('ready', flush=True)\ntime.sleep(600)\n`, { mode: 0o755 });
    const claudeProc = kids.spawn(claudeExe, [claude.path]);
    await waitForLine(claudeProc, /^ready$/);
    // gemini: sleep copied under that name, sitting in the project directory whose hash names the log's.
    fs.copyFileSync('/bin/sleep', path.join(bin, 'gemini'));
    fs.chmodSync(path.join(bin, 'gemini'), 0o755);
    const geminiProc = kids.spawn(path.join(bin, 'gemini'), ['600'], { cwd: geminiDir, stdio: 'ignore' });
    // codex: a shell script named codex (its comm is "codex") in the rollout's cwd, with a child of its own.
    const codexExe = path.join(bin, 'codex');
    fs.writeFileSync(codexExe, '#!/bin/bash\nsleep 600 &\necho "child $!"\nwait\n', { mode: 0o755 });
    const codexProc = kids.spawn(codexExe, [], { cwd: codexDir });
    const codexChild = Number((await waitForLine(codexProc, /^child (\d+)$/))[1]);
    kids.adopt(codexChild);
    // Not an agent, in the same directory: not claimed.
    const bystander = kids.spawn('sleep', ['600'], { cwd: codexDir, stdio: 'ignore' });

    const d = await snapshot(pe);
    const proc = (p: number) => d.processes.find((x) => x.pid === p)!;
    expect(proc(claudeProc.pid!).name).toBe('claude');
    expect(proc(geminiProc.pid!).name).toBe('gemini');
    expect(proc(codexProc.pid!).name).toBe('codex');
    const agent = (id: string) => {
      const s = d.sessions.find((x) => x.id === id);
      if (!s) throw new Error(`no session ${id} in ${d.sessions.map((x) => x.id).join(', ')}`);
      return s;
    };

    const c = agent(`agent:claude:${claude.sessionId}`);
    expect(c.kind).toBe('agent');
    expect(c.pids).toEqual([claudeProc.pid]);
    expect(c.agent).toMatchObject({ tool: 'claude', sessionId: claude.sessionId, logPath: claude.path, evidence: 'open-log', confidence: 0.9, tokens: claude.tokens });

    const g = agent(`agent:gemini:${gemini.sessionId}`);
    expect(g.pids).toEqual([geminiProc.pid]);
    expect(g.agent).toMatchObject({ tool: 'gemini', logPath: gemini.path, evidence: 'cwd', confidence: 0.55, tokens: gemini.tokens });

    const x = agent(`agent:codex:${codex.sessionId}`);
    expect(x.pids).toEqual([codexProc.pid!, codexChild].sort((a, b) => a - b));
    expect(x.agent).toMatchObject({ tool: 'codex', cwd: codexDir, logPath: codex.path, evidence: 'cwd', confidence: 0.55, tokens: codex.tokens });

    const s = agent(`agent:codex:${stray.sessionId}`);
    expect(s.pids).toEqual([]);
    expect(s.agent).toMatchObject({ evidence: null, confidence: null });

    for (const [p, id] of [[claudeProc.pid!, c.id], [geminiProc.pid!, g.id], [codexProc.pid!, x.id]] as const) {
      expect(proc(p).sessionIds).toEqual(expect.arrayContaining(['pod', id]));
    }
    expect(proc(codexChild).sessionIds).toEqual(expect.arrayContaining(['pod', x.id]));
    expect(proc(bystander.pid!).sessionIds).toEqual(['pod']);
  });
});

describe('the dashboard\'s sessions view', () => {
  let session: TmuxSession;
  let under: TmuxServer;
  let members: Members;
  let kids: Children;

  // The CPU spmon and the members of the "under" server share (see MEMBER_PY).
  let cpu: number;

  beforeEach(() => {
    session = new TmuxSession();
    cpu = Number(execFileSync(python3(), ['-c', 'import os; print(min(os.sched_getaffinity(0)))'], { encoding: 'utf8' }).trim());
    under = new TmuxServer({ ...session.env, MEMBER_RT_CPU: String(cpu) }, 'under', session.tmpdir);
    members = new Members(session.tmpdir);
    kids = new Children(session.env);
  });

  afterEach(async () => {
    under.kill();
    members.killAll();
    await kids.killAll();
    session.kill();
  });

  /** The selected session row (drawn in reverse video; so are the gauges' bars), as plain text. */
  function selectedRow(): string {
    const lines = session.captureEscaped().split('\n');
    // eslint-disable-next-line no-control-regex
    const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
    // eslint-disable-next-line no-control-regex
    return lines.filter((l) => /\x1b\[[0-9;]*7m/.test(l)).map(plain).find((l) => /^(pod|tmux|agent|tree) /.test(l)) ?? '';
  }

  /** The selected session row, once it satisfies `pred`. */
  async function waitRow(pred: (row: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    let row = '';
    await session.waitFor(() => pred((row = selectedRow())), what, timeoutMs);
    return row;
  }

  /**
   * Move the selection in the sessions view to the row that matches `re`: Home (the pod is always first), then
   * Down one row at a time, each time waiting for the selection to reach another session. Rows may change
   * places between ticks (they are sorted by USS), so the selection is checked again once the keys are done.
   */
  async function selectSession(re: RegExp): Promise<string> {
    const nameOf = (row: string) => row.slice(0, 68).trim(); // Kind and Session columns
    for (let attempt = 0; attempt < 4; attempt++) {
      session.keys('Home');
      let row = await waitRow((r) => /^pod /.test(r), 'the pod row selected');
      for (let i = 0; i < 12 && !re.test(row); i++) {
        const before = nameOf(row);
        session.keys('Down');
        try {
          row = await waitRow((r) => r !== '' && nameOf(r) !== before, 'the selection to move', 3000);
        } catch {
          break; // the last row
        }
      }
      if (!re.test(row)) continue;
      await sleep(500);
      row = selectedRow();
      if (re.test(row)) return row;
    }
    throw new Error(`no session row matches ${re}\n${session.capture()}`);
  }

  test('Tab, Enter, Esc, and k on the pod, on spmon\'s own session and on a tmux session (y ends it leaves first)', async () => {
    // A tmux server of its own (socket "under", same TMUX_TMPDIR as the one that hosts spmon): two sessions.
    under.newSession('alpha one', members.command('a-pane', 24, 'a-child', 4));
    under.newSession('beta', members.command('b-pane', 32, 'b-child', 16, 'stubborn-grandchild', 8));
    const pid = {
      a: await members.pid('a-pane'),
      ac: await members.pid('a-child'),
      b: await members.pid('b-pane'),
      bc: await members.pid('b-child'),
      bg: await members.pid('stubborn-grandchild'),
    };
    // An agent: a Claude log in spmon's HOME, held open by a process named claude.
    const log = writeClaudeLog(session.home, {
      sessionId: 'dddd4444-4444-4444-8444-444444444444', cwd: '/srv/spmon-live/dash-proj', model: 'claude-sonnet-4-5-20250929',
      last: { input: 400, cacheCreation: 1600, cacheRead: 78_000, output: 300 },
    });
    const claudeExe = path.join(session.tmpdir, 'claude');
    fs.writeFileSync(claudeExe, `#!${python3()}\nimport sys, time\nf = open(sys.argv[1])\nprint('ready', flush=True)\ntime.sleep(600)\n`, { mode: 0o755 });
    const claude = kids.spawn(claudeExe, [log.path]);
    await waitForLine(claude, /^ready$/);

    session.start(`${python3()} -c '${PIN_PY}' ${cpu} node ${SPMON} --interval 0.3 --grace 1; echo SPMON-EXIT-$?`, 160, 45);
    await session.waitForText('Cmdline');
    session.keys('Tab');
    let screen = await session.waitFor(
      (s) => s.includes('ΣUSS') && s.includes('alpha one') && s.includes('beta') && s.includes('spmon-e2e') && s.includes('claude dash-proj'),
      'the sessions view with the tmux and agent sessions',
    );
    const rowOf = (text: string, name: string) => text.split('\n').find((l) => l.includes(name)) ?? '';
    expect(rowOf(screen, 'alpha one')).toMatch(/^tmux +alpha one +2 /);
    expect(rowOf(screen, 'beta')).toMatch(/^tmux +beta +3 /);
    // The agent row: tool and model, tokens (410+320+1700+79000 = 81.4k), context 40 %.
    expect(rowOf(screen, 'claude dash-proj')).toMatch(/^agent +claude dash-proj +1 .* claude claude-sonnet-… +81\.4k +40$/);
    expect(screen).toMatch(/^Kind +Session +Procs +CPU% +ΣUSS +ΣPSS +ΣRSS\* +Growth +Tool\/model +Tokens +Ctx%$/m);

    // Enter on "alpha one": the process grid holds its processes only; Esc goes back.
    await selectSession(/^tmux +alpha one /);
    session.keys('Enter');
    screen = await session.waitFor((s) => s.includes('[alpha one: Esc back]') && s.includes('1-2 of 2'), 'alpha one\'s processes');
    expect(gridPids(screen).sort((x, y) => x - y)).toEqual([pid.a, pid.ac].sort((x, y) => x - y));
    session.keys('Escape');
    await session.waitFor((s) => s.includes('ΣUSS') && !s.includes('Esc back'), 'back in the sessions view');

    // The pod cannot be ended.
    await selectSession(/^pod /);
    session.keys('k');
    await session.waitForText('The pod session cannot be ended from here');

    // Nor can the session spmon runs in.
    await selectSession(/^tmux +spmon-e2e /);
    session.keys('k');
    screen = await session.waitForText('Refused: session spmon-e2e contains spmon or its parent');
    expect(screen).not.toContain('(y/n)');

    // "beta": confirm, end it.
    await selectSession(/^tmux +beta /);
    session.keys('k');
    screen = await session.waitForText('(y/n)');
    expect(screen).toMatch(/End session beta \(tmux\): 3 processes, frees USS \d+(\.\d+)? MiB\? \(y\/n\)/);
    const freed = Number(screen.match(/frees USS (\d+(?:\.\d+)?) MiB/)![1]);
    expect(freed).toBeGreaterThan(56);
    expect(members.order()).toEqual([]);
    session.keys('y');
    // The grandchild ignores SIGTERM: SIGKILL after the 1 s grace.
    screen = await session.waitForText('Ended session beta: 2 terminated, 1 force-killed (USS', 20_000);
    // Leaves first: the grandchild, its parent, then the pane's process.
    expect(members.order()).toEqual(['stubborn-grandchild', 'b-child', 'b-pane']);

    // All of beta is gone (a zombie waiting for its reaper counts as gone); alpha one is untouched.
    const gone = (p: number) => {
      try {
        return /^State:\s+[ZX]/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      } catch {
        return true;
      }
    };
    for (const p of [pid.b, pid.bc, pid.bg]) expect(gone(p)).toBe(true);
    for (const p of [pid.a, pid.ac]) expect(gone(p)).toBe(false);
    await session.waitFor((s) => !/^tmux +beta /m.test(s), 'beta gone from the sessions view');
  });

  test('T makes a process and its descendants a session, which k then ends', async () => {
    const root = kids.spawn(python3(), [members.script, 'tree-root', '8', members.dir, 'tree-child', '4'], { stdio: 'ignore' });
    const child = await members.pid('tree-child');
    kids.adopt(child);
    expect(await members.pid('tree-root')).toBe(root.pid);

    session.start(`node ${SPMON} --interval 0.3 --grace 1; echo SPMON-EXIT-$?`, 160, 45);
    await session.waitForText('Cmdline');
    session.keys('/');
    session.type('tree-root');
    session.keys('Enter');
    await session.waitFor((s) => s.includes('1-1 of 1') && gridPids(s)[0] === root.pid, 'the root alone in the grid');
    session.keys('T');
    await session.waitFor((s) => new RegExp(`Tree of ${root.pid} python3\\S* is now a session`).test(s), 'the tree picked');
    session.keys('Tab');
    const treeRow = new RegExp(`^tree +python3\\S* \\(${root.pid}\\) +2 `);
    await session.waitFor((s) => s.split('\n').some((l) => treeRow.test(l)), 'the tree session row');
    await selectSession(treeRow);
    session.keys('k');
    const screen = await session.waitForText('(y/n)');
    expect(screen).toMatch(new RegExp(`End session python3\\S* \\(${root.pid}\\) \\(tree\\): 2 processes, frees USS \\d+(\\.\\d+)? MiB\\? \\(y/n\\)`));
    session.keys('y');
    await session.waitFor((s) => new RegExp(`Ended session python3\\S* \\(${root.pid}\\): 2 terminated`).test(s), 'the tree ended');
    expect(members.order().sort()).toEqual(['tree-child', 'tree-root']);
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      if (root.exitCode !== null || root.signalCode !== null) resolve(root.signalCode);
      else root.once('exit', (_code, sig) => resolve(sig));
    });
    expect(signal).toBe('SIGTERM');
  });
});
