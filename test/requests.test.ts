// Agent sessions that end and continue themselves: termination requests by policy, from the CLI (inside the
// agent's own tree, by pid, by session id), from request files; the continuation in the same supervised
// session, in the same tmux pane, or a new one. A real daemon, a fake `claude` that holds its log open.
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DaemonClient } from '../lib/daemon/client';
import { aliveAs, DaemonEnv, sleepMs, startTicksOf, stateOf, waitFor } from './helpers/daemon_env';
import { claudeUsageLine, installFakeClaude, markers, startClaudeLog, waitForMarker } from './helpers/fake_agent';
import { BIN } from './helpers/paths';

jest.setTimeout(180_000);

let d: DaemonEnv;
let bin: string;
let marks: string;
let proj: string;
const SID = '7d3c1a2b-0000-4000-8000-00000000abcd';

beforeEach(() => {
  d = new DaemonEnv();
  const base = path.dirname(d.pe.home);
  bin = path.join(base, 'bin');
  marks = path.join(base, 'markers');
  proj = path.join(base, 'project');
  fs.mkdirSync(proj);
  installFakeClaude(bin, marks);
  d.env.PATH = `${bin}:${process.env.PATH}`;
  d.env.FAKE_CLAUDE_MARKERS = marks;
});

afterEach(async () => {
  spawnSync('tmux', ['kill-server'], { env: d.env });
  await d.dispose();
});

/** Append one request's usage: `pct` % of the 200k window in the context. */
function context(log: string, pct: number, n: number): void {
  fs.appendFileSync(log, claudeUsageLine({ sessionId: SID, cwd: proj, requestId: `r${n}`, contextTokens: Math.round(2000 * pct) }));
}

const started = (args: string[]) => (m: { event: string; args: string[] }) => m.event === 'start' && JSON.stringify(m.args) === JSON.stringify(args);

async function agentBound(pid: number): Promise<void> {
  // The daemon binds the log to the process holding it open (its frames say so through --json of a client: the
  // snapshot's own engine binds the same way).
  await waitFor('the agent session bound to its process', async () => {
    const r = await d.cli(['--json', '--interval', '0']);
    const s = JSON.parse(r.stdout).sessions.find((x: { id: string }) => x.id === `agent:claude:${SID}`);
    return s && s.pids.includes(pid);
  });
}

/** How the daemon's own engine (which the policy reads) binds the agent session now; null: not bound or no answer. */
async function daemonEvidence(): Promise<string | null> {
  const c = await DaemonClient.connect(d.socket);
  try {
    const r = await c.request<{ session: { agent: { evidence: string | null } | null } }>('session', { id: `agent:claude:${SID}` });
    return r.session.agent?.evidence ?? null;
  } catch {
    return null;
  } finally {
    c.close();
  }
}

describe('by policy, at the critical level', () => {
  test('under spmon run: SIGINT ends the agent and its child, the continuation runs in the same supervised session and cwd; a second crossing does not loop', async () => {
    d.writeConfig({ agents: { policy: { critical: 'request' }, gracefulWaitSec: 5, cooldownSec: 600 } });
    const log = startClaudeLog(d.pe.home, proj, SID);
    const r = await d.cli(['run', '--name', 'agent', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--', 'claude']);
    expect(r.code).toBe(0);
    const first = await waitForMarker(marks, started([]), 'the agent');
    const child = (await d.ps()).find((x) => x.id === 'run:agent')!;
    expect(child.pid).toBe(first.pid);
    const firstStart = startTicksOf(first.pid);
    await agentBound(first.pid);
    const kids = DaemonEnv.sessionMembers(first.pid).filter((p) => p !== first.pid);
    expect(kids.length).toBeGreaterThanOrEqual(1);
    context(log, 95, 1);
    // SIGINT first (the agent records it and exits), then the continuation in its place.
    await waitForMarker(marks, (m) => m.event === 'sigint' && m.pid === first.pid, 'SIGINT to the agent');
    const cont = await waitForMarker(marks, started(['--resume', SID]), 'the continuation');
    expect(cont.cwd).toBe(proj);
    expect(aliveAs(first.pid, firstStart)).toBe(false);
    for (const k of kids) expect(stateOf(k) === null || stateOf(k) === 'Z').toBe(true);
    const run = (await d.ps()).find((x) => x.id === 'run:agent')!;
    expect(run).toMatchObject({ state: 'running', restarts: 1 });
    const row = JSON.parse((await d.cli(['ps', '--json'])).stdout).sessions.find((x: { id: string }) => x.id === 'run:agent');
    expect(row.command).toEqual(['/bin/sh', '-c', `claude --resume ${SID}`]);
    expect(row.cwd).toBe(proj);
    const done = await waitFor('the request done', async () => (await d.events()).find((e) => e.kind === 'request-done'));
    expect(done.target).toBe(`agent:claude:${SID}`);
    // The continued agent holds the same log: below warning, then critical again within the cool-down.
    await agentBound(cont.pid);
    context(log, 10, 2);
    await sleepMs(3000);
    context(log, 96, 3);
    const second = await waitFor('the second crossing', async () => (await d.events()).filter((e) => e.kind === 'context-critical').slice(1)[0]);
    expect(second.outcome).toMatch(/^not requested: .*cool-down 600 s/);
    await sleepMs(2000);
    expect(aliveAs(cont.pid, startTicksOf(cont.pid))).toBe(true);
    expect(markers(marks).filter((m) => m.event === 'start')).toHaveLength(2);
    expect((await d.ps()).find((x) => x.id === 'run:agent')!.restarts).toBe(1);
  });

  test('a policy changed while the daemon runs applies at once, without a restart; a malformed config file on SIGHUP keeps the one it had', async () => {
    d.writeConfig({ agents: { gracefulWaitSec: 5 } });
    // No daemon yet: written, and the next daemon reads it.
    const early = await d.cli(['policy', '--warning', 'notify']);
    expect(early).toMatchObject({ code: 0, stderr: '' });
    expect(early.stdout).toMatch(/; no daemon runs; one started later reads it\n$/);
    const log = startClaudeLog(d.pe.home, proj, SID);
    expect((await d.cli(['run', '--name', 'agent', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--', 'claude'])).code).toBe(0);
    const first = await waitForMarker(marks, started([]), 'the agent');
    await agentBound(first.pid);
    const daemon = d.daemonPid()!;
    const daemonTicks = startTicksOf(daemon);
    // A config file broken meanwhile: SIGHUP says so in the daemon's log, and the daemon goes on.
    const file = path.join(d.config, 'spmon', 'config.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '{"agents": ');
    process.kill(daemon, 'SIGHUP');
    const daemonLog = path.join(d.state, 'spmon', 'daemon.log');
    await waitFor('the SIGHUP logged', () => /SIGHUP: the config file was not applied \(the policy stays as it was\)/.test(fs.readFileSync(daemonLog, 'utf8')));
    expect(aliveAs(daemon, daemonTicks)).toBe(true);
    // One that cannot be reached (a symlink loop) is not "no file": the policy stays as it was as well.
    fs.rmSync(file);
    fs.symlinkSync(file, file);
    process.kill(daemon, 'SIGHUP');
    await waitFor('the unreachable file logged', () => /SIGHUP: the config file was not applied \(the policy stays as it was\): config file .* cannot be reached \(ELOOP\)/.test(fs.readFileSync(daemonLog, 'utf8')));
    fs.rmSync(file);
    fs.writeFileSync(file, good);
    // A policy written to another config file than the daemon's: said, not taken for --agents.
    const other = await d.cli(['policy', '--warning', 'none'], { XDG_CONFIG_HOME: path.join(proj, 'other-config') });
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(new RegExp(`; the daemon \\(pid ${daemon}\\) reads another config file \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), not this one\n$`));
    // The default (notify) would not end the agent: the change, applied by the running daemon, does.
    const change = await d.cli(['policy', '--critical', 'request']);
    expect(change).toMatchObject({ code: 0, stderr: '' });
    expect(change.stdout).toMatch(new RegExp(`; the daemon \\(pid ${daemon}\\) applies it now\n$`));
    context(log, 95, 1);
    await waitForMarker(marks, (m) => m.event === 'sigint' && m.pid === first.pid, 'SIGINT to the agent');
    await waitForMarker(marks, started(['--resume', SID]), 'the continuation');
    expect(aliveAs(daemon, daemonTicks)).toBe(true);
    expect(d.daemonPid()).toBe(daemon);
  });

  test('two agents in one directory, the log held open by neither: the binding is a guess, and the policy does not act on it', async () => {
    d.writeConfig({ agents: { policy: { critical: 'request' }, gracefulWaitSec: 2 } });
    const log = startClaudeLog(d.pe.home, proj, SID);
    expect((await d.cli(['run', '--name', 'one', '--cwd', proj, '--', 'claude'])).code).toBe(0);
    expect((await d.cli(['run', '--name', 'two', '--cwd', proj, '--', 'claude'])).code).toBe(0);
    const agents = await waitFor('two agents', () => {
      const m = markers(marks).filter((x) => x.event === 'start');
      return m.length === 2 ? m : null;
    });
    const guess = await waitFor('the session bound, as a guess', async () => {
      const r = await d.cli(['--json', '--interval', '0']);
      const x = JSON.parse(r.stdout).sessions.find((y: { id: string }) => y.id === `agent:claude:${SID}`);
      return x && x.pids.length > 0 ? x : null;
    });
    expect(guess.agent).toMatchObject({ evidence: 'cwd-guess', confidence: 0.3 });
    // And the daemon's own engine, which the policy reads, has come to the same (it reads the agents' cwd on its own ticks).
    await waitFor("the daemon's binding a guess too", async () => (await daemonEvidence()) === 'cwd-guess' || null);
    context(log, 95, 1);
    const ev = await waitFor('the critical level seen', async () => (await d.events()).find((e) => e.kind === 'context-critical'));
    expect(ev.outcome).toMatch(/^not requested: which process runs it is a guess/);
    await sleepMs(2500);
    expect((await d.events()).some((e) => e.kind === 'request')).toBe(false);
    for (const a of agents) expect(aliveAs(a.pid, startTicksOf(a.pid))).toBe(true);
    expect(markers(marks).some((m) => m.event === 'sigint')).toBe(false);
    // One of the two goes: the one left is alone in the directory, but nothing proves it wrote the log
    // (it was a guess when the level was reached), so the policy still does not act.
    const [one] = agents;
    const oneTicks = startTicksOf(one.pid);
    expect((await d.cli(['stop', 'two'])).code).toBe(0);
    await waitFor("the daemon's binding no guess now", async () => (await daemonEvidence()) === 'cwd' || null);
    await sleepMs(2500);
    expect((await d.events()).some((e) => e.kind === 'request')).toBe(false);
    expect(aliveAs(one.pid, oneTicks)).toBe(true);
  });

  test('an agent already at the critical level when the daemon starts: requested once the daemon has bound it, not taken as handled before', async () => {
    d.writeConfig({ agents: { policy: { critical: 'request' }, gracefulWaitSec: 5 } });
    const log = startClaudeLog(d.pe.home, proj, SID);
    context(log, 95, 1);
    // The agent runs outside any spmon session (a child of this test), holding its log open.
    const agent = spawn(path.join(bin, 'claude'), [], { cwd: proj, env: { ...d.env, FAKE_CLAUDE_LOG: log }, stdio: 'ignore' });
    try {
      const first = await waitForMarker(marks, started([]), 'the agent');
      expect(first.pid).toBe(agent.pid);
      expect((await d.cli(['daemon', '--detach'])).code).toBe(0);
      await waitForMarker(marks, (m) => m.event === 'sigint' && m.pid === first.pid, 'SIGINT to the agent').catch(async (err: Error) => {
        throw new Error(`${err.message}\nevents: ${JSON.stringify(await d.events())}`);
      });
      const cont = await waitForMarker(marks, started(['--resume', SID]), 'the continuation');
      expect(cont.cwd).toBe(proj);
      const critical = (await d.events()).filter((e) => e.kind === 'context-critical');
      expect(critical[critical.length - 1].outcome).toMatch(/^requested req-/);
    } finally {
      agent.kill('SIGKILL');
    }
  });

  test('an agent that ignores SIGINT is ended by SIGTERM after the graceful wait', async () => {
    d.writeConfig({ agents: { policy: { critical: 'request' }, gracefulWaitSec: 2 } });
    const log = startClaudeLog(d.pe.home, proj, SID);
    await d.cli(['run', '--name', 'stubborn', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--env', 'FAKE_CLAUDE_SIGINT=ignore', '--', 'claude']);
    const first = await waitForMarker(marks, started([]), 'the agent');
    const t0 = startTicksOf(first.pid);
    await agentBound(first.pid);
    context(log, 93, 1);
    await waitForMarker(marks, started(['--resume', SID]), 'the continuation');
    expect(aliveAs(first.pid, t0)).toBe(false);
    expect(markers(marks).some((m) => m.event === 'sigint')).toBe(false);
    const req = (await d.events()).find((e) => e.kind === 'request');
    expect(req?.details).toMatchObject({ priority: 'graceful' });
  });

  test('in a tmux pane: the agent is ended and its shell, at the prompt again, runs the continuation in the agent\'s cwd', async () => {
    d.writeConfig({ agents: { policy: { critical: 'request' }, gracefulWaitSec: 5 } });
    const log = startClaudeLog(d.pe.home, proj, SID);
    await d.cli(['daemon', '--detach']);
    const env = { ...d.env, FAKE_CLAUDE_LOG: log };
    execFileSync('tmux', ['-f', '/dev/null', 'new-session', '-d', '-s', 'work', '-x', '120', '-y', '30', '-c', proj, 'bash --norc --noprofile'], { env });
    const shellPid = Number(execFileSync('tmux', ['display-message', '-p', '-t', 'work', '#{pane_pid}'], { env, encoding: 'utf8' }).trim());
    execFileSync('tmux', ['send-keys', '-t', 'work', 'claude', 'Enter'], { env });
    const first = await waitForMarker(marks, started([]), 'the agent');
    await agentBound(first.pid);
    context(log, 94, 1);
    await waitForMarker(marks, (m) => m.event === 'sigint' && m.pid === first.pid, 'SIGINT to the agent').catch(async (err: Error) => {
      // What the daemon did instead, for whoever reads a failure.
      throw new Error(`${err.message}\nevents: ${JSON.stringify(await d.events())}`);
    });
    const cont = await waitForMarker(marks, started(['--resume', SID]), 'the continuation in the pane');
    expect(cont.cwd).toBe(proj);
    // The pane's shell is the same, and the continuation is its child.
    expect(stateOf(shellPid)).not.toBeNull();
    const ppid = Number(fs.readFileSync(`/proc/${cont.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    expect(ppid).toBe(shellPid);
    const done = await waitFor('the request done', async () => (await d.events()).find((e) => e.kind === 'request-done'));
    expect(done.outcome).toMatch(/continued in tmux pane %\d+ \(typed\)/);
  });
});

describe('spmon request-termination', () => {
  test("from inside the agent's own tree, with no --session or --pid: its own session, continued", async () => {
    const log = startClaudeLog(d.pe.home, proj, SID);
    const trigger = path.join(proj, 'ask-now');
    const ask = `${process.execPath} ${BIN} request-termination --reason phase_complete --continuation-command 'claude --resume ${SID}'`;
    await d.cli(['run', '--name', 'self', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--env', `FAKE_CLAUDE_ASK=${ask}`, '--env', `FAKE_CLAUDE_TRIGGER=${trigger}`, '--', 'claude']);
    const first = await waitForMarker(marks, started([]), 'the agent');
    await agentBound(first.pid);
    // The agent runs spmon as one of its tools would: a child of the agent, with neither --session nor --pid.
    fs.writeFileSync(trigger, '');
    await waitForMarker(marks, (m) => m.event === 'asking' && m.pid === first.pid, 'the agent to ask');
    await waitForMarker(marks, (m) => m.event === 'sigint' && m.pid === first.pid, 'SIGINT to the agent');
    const cont = await waitForMarker(marks, started(['--resume', SID]), 'the continuation');
    expect(cont.cwd).toBe(proj);
    const req = (await d.events()).find((e) => e.kind === 'request');
    expect(req).toMatchObject({ target: `agent:claude:${SID}`, reason: 'phase_complete' });
    // Someone outside any agent, tmux or supervised session asking for "its own" session: nothing to end.
    const outside = await d.cli(['request-termination', '--reason', 'manual']);
    expect(outside.code).toBe(3);
    expect(outside.stderr).toMatch(/is in no agent, supervised or tmux session/);
  });

  test('by pid (a descendant of the agent) and by session id; a pid pinned to another start time is refused', async () => {
    const log = startClaudeLog(d.pe.home, proj, SID);
    await d.cli(['run', '--name', 'bypid', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--', 'claude']);
    const first = await waitForMarker(marks, started([]), 'the agent');
    await agentBound(first.pid);
    const kid = DaemonEnv.sessionMembers(first.pid).find((p) => p !== first.pid)!;
    const r = await d.cli(['request-termination', '--pid', String(kid), '--reason', 'error', '--priority', 'immediate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^req-\d+-/);
    await waitFor('the agent ended', () => !aliveAs(first.pid, startTicksOf(first.pid)) || stateOf(first.pid) === null);
    const ev = (await d.events()).find((e) => e.kind === 'request');
    expect(ev).toMatchObject({ target: `agent:claude:${SID}`, reason: 'error' });
    // By session id, again (the run was only ended: no continuation): not found now.
    const again = await d.cli(['request-termination', '--session', `agent:claude:${SID}`, '--reason', 'manual']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/no running process|no session/);
    // A request file naming a live pid with another start time: refused, the process untouched.
    const victim = await d.cli(['run', '--name', 'victim', '--', 'sleep', '300']);
    expect(victim.code).toBe(0);
    const v = await waitFor('victim', async () => (await d.ps()).find((x) => x.id === 'run:victim' && x.pid !== null));
    const stale = { reason: 'manual', pid: v.pid, pidStartTime: v.startTime! - 1 };
    // Each written elsewhere and renamed in, as the README tells a writer to do.
    const drop = (name: string, doc: object) => {
      const tmp = path.join(d.state, 'spmon', 'requests', `.${name}`);
      fs.writeFileSync(tmp, JSON.stringify(doc));
      fs.renameSync(tmp, path.join(d.state, 'spmon', 'requests', name));
    };
    drop('stale.json', stale);
    // A request made before the process started (its timestamp): refused too.
    drop('old.json', { reason: 'manual', pid: v.pid, timestamp: '2020-01-01T00:00:00Z' });
    await waitFor('both rejected', () => fs.existsSync(path.join(d.state, 'spmon', 'requests', 'rejected', 'old.json.reason')) && fs.existsSync(path.join(d.state, 'spmon', 'requests', 'rejected', 'stale.json.reason')));
    expect(fs.readFileSync(path.join(d.state, 'spmon', 'requests', 'rejected', 'stale.json.reason'), 'utf8')).toMatch(/its pid was reused/);
    expect(fs.readFileSync(path.join(d.state, 'spmon', 'requests', 'rejected', 'old.json.reason'), 'utf8')).toMatch(/started after the request was made/);
    expect(aliveAs(v.pid!, v.startTime)).toBe(true);
    // Two requests for one place: the first is filed (its id on stdout), the second refused (exit 1, its id
    // on stderr only, so that `id=$(spmon request-termination ...)` never holds a refused request's id).
    await d.cli(['run', '--name', 'stubborn', '--', 'python3', '-c', 'import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(300)']);
    const st = await waitFor('stubborn', async () => (await d.ps()).find((x) => x.id === 'run:stubborn' && x.pid !== null));
    const filed = await d.cli(['request-termination', '--pid', String(st.pid), '--reason', 'manual']);
    expect(filed.code).toBe(0);
    expect(filed.stdout).toMatch(/^req-\d+-\S+\n$/);
    const refused = await d.cli(['request-termination', '--pid', String(st.pid), '--reason', 'manual']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^spmon: refused \(req-\d+-\S+\): /);
  });
});

describe('request-termination of an ancestor of the one asking', () => {
  test('a process above the asker\'s own session is refused (it would end the asker and all around it); nothing is signalled', async () => {
    await d.cli(['daemon', '--detach']);
    // sh (in no session) -> bash -> spmon request-termination --pid <the sh>: every process here is the test's own.
    const cli = `${process.execPath} ${BIN}`;
    const out = path.join(proj, 'out');
    const child = spawn('sh', ['-c', `bash -c '${cli} request-termination --pid $PPID --reason manual > ${out} 2>&1; echo "rc=$?" >> ${out}'; exec sleep 30`], { env: d.env, stdio: 'ignore' });
    const shStart = await waitFor('the sh', () => startTicksOf(child.pid!));
    try {
      const text = await waitFor('the answer', () => {
        const t = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
        return /rc=\d+/.test(t) ? t : null;
      });
      expect(text).toMatch(new RegExp(`spmon: process ${child.pid} is an ancestor of the one asking: ending it would end the asker and all around it`));
      expect(text).toMatch(/rc=1\n$/);
      expect(aliveAs(child.pid!, shStart)).toBe(true);
      expect((await d.events()).filter((e) => e.kind === 'request')).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('a daemon started by request-termination', () => {
  test('lists tmux, and daemon --stop ends it: its reaper leaves Node\'s own children (tmux listings) to Node', async () => {
    execFileSync('tmux', ['-f', '/dev/null', 'new-session', '-d', '-s', 'seen', '-x', '80', '-y', '20', 'sleep 300'], { env: d.env });
    const victim = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const r = await d.cli(['request-termination', '--pid', String(victim.pid), '--reason', 'manual', '--priority', 'immediate']);
      expect(r.code).toBe(0);
      const daemon = d.daemonPid()!;
      const ticks = startTicksOf(daemon);
      // The daemon's own engine lists the tmux session (its listing answered, not lost to the reaper)...
      await waitFor("the daemon's tmux session", async () => {
        const c = await DaemonClient.connect(d.socket);
        try {
          const x = await c.request<{ sessions: { name: string }[] }>('sessions', { kind: 'tmux' });
          return x.sessions.some((y) => y.name === 'seen') || null;
        } finally {
          c.close();
        }
      }, 15_000);
      // ...and it stops when asked, several ticks (and listings) later.
      await sleepMs(3000);
      const stop = await d.cli(['daemon', '--stop'], {}, 30_000);
      expect(stop).toMatchObject({ code: 0, stderr: '' });
      await waitFor('the daemon gone', () => !aliveAs(daemon, ticks));
    } finally {
      victim.kill('SIGKILL');
    }
  });
});

describe('a request under way when the daemon is stopped', () => {
  test('daemon --stop ends the session by its policy and starts no continuation under a daemon going away', async () => {
    const stubborn = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(300)';
    expect((await d.cli(['run', '--name', 'ag', '--', 'python3', '-c', stubborn])).code).toBe(0);
    const ag = await waitFor('ag', async () => (await d.ps()).find((x) => x.id === 'run:ag' && x.pid !== null));
    const mark = path.join(proj, 'continued');
    const filed = await d.cli(['request-termination', '--session', 'run:ag', '--reason', 'manual', '--continuation-command', `touch ${mark}; exec sleep 300`]);
    expect(filed.code).toBe(0);
    const daemon = d.daemonPid()!;
    const stop = await d.cli(['daemon', '--stop'], {}, 60_000);
    expect(stop.code).toBe(0);
    await waitFor('the daemon gone', () => !aliveAs(daemon, startTicksOf(daemon)));
    expect(aliveAs(ag.pid!, ag.startTime)).toBe(false);
    // Past the moment the request would have acted (a second after it was filed), and then some.
    await sleepMs(3000);
    expect(fs.existsSync(mark)).toBe(false);
    const records = fs.readFileSync(path.join(d.state, 'spmon', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = records.filter((r) => r.id === filed.stdout.trim()).pop();
    expect(last).toMatchObject({ state: 'failed' });
    expect(last.outcome).toMatch(/the daemon (stopped before the request was acted on|is stopping: the continuation was not started)/);
    const rec = d.records().find((r) => r.name === 'ag')!;
    expect(rec.state).toBe('exited');
  });
});

describe('request files', () => {
  test('valid, malformed, a symlink, another user\'s, and 1,000 at once: each taken once, bad ones moved aside with the reason', async () => {
    await d.cli(['daemon', '--detach']);
    const dir = path.join(d.state, 'spmon', 'requests');
    await waitFor('the requests folder', () => fs.existsSync(dir));
    const victim = await d.cli(['run', '--name', 'target', '--', 'sleep', '300']);
    expect(victim.code).toBe(0);
    const t = await waitFor('target', async () => (await d.ps()).find((x) => x.id === 'run:target' && x.pid !== null));
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, `.${name}`), text);
      fs.renameSync(path.join(dir, `.${name}`), path.join(dir, name));
    };
    write('bad-json.json', '{"reason": ');
    write('bad-schema.json', JSON.stringify({ reason: 'because', session: 'run:target' }));
    write('no-target.json', JSON.stringify({ reason: 'manual' }));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'link.json'));
    write('theirs.json', JSON.stringify({ reason: 'manual', session: 'run:target' }));
    fs.chownSync(path.join(dir, 'theirs.json'), 65534, 65534);
    write('good.json', JSON.stringify({ timestamp: new Date().toISOString(), reason: 'phase_complete', session: 'run:target', priority: 'immediate', continuation_command: null }));
    const rejected = path.join(dir, 'rejected');
    await waitFor('all taken', () => fs.readdirSync(dir).filter((n) => !n.startsWith('.') && n !== 'processing' && n !== 'rejected').length === 0);
    // A file leaves the folder when it is claimed, a moment before its reason is written: wait for each.
    for (const n of ['bad-json.json', 'bad-schema.json', 'no-target.json', 'link.json', 'theirs.json']) {
      await waitFor(`the reason for ${n}`, () => fs.existsSync(path.join(rejected, `${n}.reason`)));
    }
    const why = (n: string) => fs.readFileSync(path.join(rejected, `${n}.reason`), 'utf8');
    expect(why('bad-json.json')).toMatch(/^not JSON/);
    expect(why('bad-schema.json')).toMatch(/^invalid: .*reason/);
    expect(why('no-target.json')).toMatch(/^invalid:/);
    expect(why('link.json')).toMatch(/symbolic link/);
    expect(why('theirs.json')).toMatch(/belongs to uid 65534/);
    expect(fs.lstatSync(path.join(rejected, 'link.json')).isSymbolicLink()).toBe(true);
    await waitFor('the target ended', () => !aliveAs(t.pid!, t.startTime));
    const done = await waitFor('done', async () => (await d.events()).find((e) => e.kind === 'request-done'));
    expect(done.target).toBe('run:target');
    // A thousand at once (all naming a session that is not there): every one taken and answered, none lost.
    for (let i = 0; i < 1000; i++) write(`many-${String(i).padStart(4, '0')}.json`, JSON.stringify({ reason: 'manual', session: 'run:nothing-here' }));
    await waitFor('a thousand taken', () => fs.readdirSync(dir).filter((n) => n.startsWith('many-')).length === 0, 60_000);
    // The rejected folder keeps the last 100. A file leaves the requests folder when it is claimed, before
    // its scan ends and prunes, so the count is read once the daemon has answered the last one.
    const manyReasons = () => fs.readdirSync(rejected).filter((n) => n.startsWith('many-') && n.endsWith('.reason'));
    await waitFor('the last one answered', () => fs.existsSync(path.join(rejected, 'many-0999.json.reason')));
    await waitFor('pruned to the last 100', () => manyReasons().length === 100, 10_000);
    const reasons = manyReasons();
    expect(reasons).toContain('many-0999.json.reason');
    expect(fs.readFileSync(path.join(rejected, reasons[0]), 'utf8')).toMatch(/no session "run:nothing-here"/);
    // Every reason was renamed in whole: no half-written one is left behind under its hidden name.
    expect(fs.readdirSync(rejected).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await d.cli(['status'])).code).toBe(0);
  });
});
