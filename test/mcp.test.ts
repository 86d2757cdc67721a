// `spmon mcp` in this process (lib/mcp/server.ts) with the SDK's Client over InMemoryTransport, in a private
// world (HOME, TMUX_TMPDIR, XDG_RUNTIME_DIR, XDG_STATE_HOME): the tools and their schemas; every tool on
// real processes, a real tmux server, agent logs and a real daemon; read-only mode; the refusals; hostile
// names. Every answer that is not an error is checked against docs/mcp.schema.json (and by the SDK client
// against the schema the server declares).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { writeClaudeLog } from './helpers/agent_logs';
import { Child, Children, killAll, python3, spawnChild as spawnLoose, stubborn as stubbornLoose, waitForLine } from './helpers/children';
import { aliveAs, DaemonEnv, sleepMs, startTicksOf, waitFor } from './helpers/daemon_env';
import { InProcess, inProcessMcp, mcpSchemaDoc } from './helpers/mcp';
import { frameApi } from '../lib/daemon/frame_api';
import { ROOT } from './helpers/paths';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
type Row = Record<string, unknown>;

let d: DaemonEnv;
let kids: Children;
/** Children spawned outside `kids` (bash -c scripts), ended after each test. */
let loose: Child[];
const spawnChild = (script: string) => track(spawnLoose(script));
const stubborn = (name: string) => track(stubbornLoose(name));
function track(c: Child): Child {
  loose.push(c);
  return c;
}
let servers: InProcess[];
let tmuxConf: string;

beforeEach(() => {
  d = new DaemonEnv();
  kids = new Children(d.env);
  loose = [];
  servers = [];
  tmuxConf = path.join(d.runtime, 'tmux.conf');
  // bash in the panes (`exec -a`), whatever SHELL says.
  fs.writeFileSync(tmuxConf, 'set -g status off\nset -g default-shell /bin/bash\n');
});

afterEach(async () => {
  for (const s of servers) await s.close();
  spawnSync('tmux', ['-L', 'mcp', 'kill-server'], { env: d.env });
  await kids.killAll();
  await killAll(loose);
  await d.dispose();
});

async function server(settings: Parameters<typeof inProcessMcp>[2] = {}, idleMs?: number): Promise<InProcess> {
  const s = await inProcessMcp(d.env, d.socket, settings, idleMs);
  servers.push(s);
  return s;
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', 'mcp', '-f', tmuxConf, ...args], { env: d.env, encoding: 'utf8' });
}

/** A python that holds `mib` MiB of touched memory, named `name` (argv[0]), printing "ready". */
async function holder(name: string, mib: number): Promise<number> {
  const child = kids.spawn('bash', ['-c', `exec -a ${name} ${python3()} -c "import sys,time; b=b'x'*(${mib}<<20); print('ready', flush=True); time.sleep(600)"`]);
  await waitForLine(child, /^ready$/);
  return child.pid!;
}

/** The process row of `pid`, once the engine has seen it. */
async function rowOf(s: InProcess, pid: number, filter = ''): Promise<Row> {
  return waitFor(`process ${pid} in list_processes`, async () => {
    const r = await s.call('list_processes', { filter, limit: 100000, sort: 'pid' });
    return (r.data.processes as Row[]).find((p) => p.pid === pid) ?? null;
  });
}

describe('tools', () => {
  test('twelve tools with their schemas (as docs/mcp.schema.json has them) and annotations; the doc is what the code declares', async () => {
    const s = await server();
    const { tools } = await s.client.listTools();
    const reading = ['list_sessions', 'get_session', 'list_processes', 'get_token_usage', 'check_should_terminate', 'get_pod_memory', 'read_output', 'get_monitor_status', 'health_check'];
    const acting = ['start_session', 'terminate_session', 'request_termination'];
    expect(tools.map((t) => t.name).sort()).toEqual([...reading, ...acting].sort());
    const doc = mcpSchemaDoc();
    for (const t of tools) {
      const strip = (x: unknown) => {
        const { $schema: _s, ...rest } = x as Record<string, unknown>;
        void _s;
        return rest;
      };
      expect(strip(t.inputSchema)).toEqual(doc.$defs[`${t.name}.input`]);
      expect(strip(t.outputSchema)).toEqual(doc.$defs[`${t.name}.output`]);
      expect(t.description!.length).toBeGreaterThan(40);
      if (reading.includes(t.name)) expect(t.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      else expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    }
    const check = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'mcp_schema.js'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  test('bad arguments and unknown sessions are tool errors with a clear message; the server goes on', async () => {
    const s = await server();
    const bad = await s.call('list_processes', { limit: -1 });
    expect(bad).toMatchObject({ isError: true });
    expect(bad.text).toMatch(/limit/);
    expect((await s.call('list_processes', { sort: 'bogus' })).text).toMatch(/sort/);
    const unknown = await s.call('get_session', { id: 'tmux:nope\u001b[2J' });
    expect(unknown).toMatchObject({ isError: true, text: 'no session "tmux:nope␛[2J" (list_sessions, or the API\'s sessions method, lists them)' });
    // Here (a test runner) no agent, supervised or tmux session is among the ancestors.
    expect((await s.call('check_should_terminate', {})).text).toMatch(/^no session of yours: process \d+ and its ancestors are in no agent, supervised or tmux session$/);
    expect((await s.call('read_output', { id: 'x' })).text).toMatch(/read_output needs the spmon daemon, and none answers on .*daemon\.sock/);
    expect((await s.call('list_sessions', {})).isError).toBe(false);
  });
});

describe('reading tools on real processes', () => {
  test('list_processes, get_pod_memory, list_sessions, get_session, get_monitor_status, health_check', async () => {
    const s = await server();
    const pid = await holder('spmon-mcp-holder', 64);
    const row = await rowOf(s, pid, 'spmon-mcp-holder');
    expect(row).toMatchObject({ pid, system: false, sessionIds: ['pod'] });
    expect(row.name).toMatch(/^python3/);
    expect(row.ussBytes as number).toBeGreaterThan(64 * MiB);
    expect(row.cmdline).toMatch(/^spmon-mcp-holder -c/);
    // Sorted, limited, reversed.
    const byPid = await s.call('list_processes', { sort: 'pid', limit: 5 });
    const pids = (byPid.data.processes as Row[]).map((p) => p.pid as number);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    expect(pids).toHaveLength(5);
    expect(byPid.data.matched).toBe(byPid.data.total);
    const rev = await s.call('list_processes', { sort: 'pid', reverse: true, limit: 1 });
    expect((rev.data.processes as Row[])[0].pid as number).toBeGreaterThanOrEqual(pid);
    expect(byPid.text.split('\n')[1]).toMatch(/^ +PID Name +CPU% +USS +PSS +RSS +Growth +Cmdline$/);

    const pm = await s.call('get_pod_memory', { top: 3 });
    const top = pm.data.topProcesses as Row[];
    expect(top).toHaveLength(3);
    expect(top.map((p) => p.ussBytes as number)).toEqual(top.map((p) => p.ussBytes as number).sort((a, b) => b - a));
    expect(pm.data.thresholdPercent).toBe(80);
    expect(pm.data.usedBytes as number).toBeGreaterThan(0);
    expect(pm.text).toMatch(/^Pod memory: .* threshold 80%, level (ok|warn|danger)/);

    const ls = await s.call('list_sessions', {});
    expect((ls.data.sessions as Row[])[0]).toMatchObject({ id: 'pod', kind: 'pod', mine: false });
    const pod = await s.call('get_session', { id: 'pod', limit: 2 });
    expect(pod.data.memberCount as number).toBeGreaterThan(2);
    expect((pod.data.members as Row[]).length).toBe(2);
    expect(pod.data.endRefusal).toMatchObject({ code: 'pod-session' });

    const st = await s.call('get_monitor_status', {});
    expect(st.data).toMatchObject({ backend: 'in-process', daemon: null, server: { pid: process.pid, allowControl: false, allowForce: false, socket: d.socket }, intervalSec: 0.5 });
    expect((st.data.frame as Row).seq as number).toBeGreaterThanOrEqual(2);
    const h = await s.call('health_check', {});
    expect(h.data.backend).toBe('in-process');
    expect((h.data.checks as Row[]).find((c) => c.name === 'frame')).toMatchObject({ ok: true });
    expect((h.data.checks as Row[]).find((c) => c.name === 'proc')).toMatchObject({ ok: true });
    expect(['ok', 'degraded']).toContain(h.data.status);
  });

  test('a real tmux session and agent logs: sessions, members, token usage, the context level', async () => {
    const s = await server();
    tmux('new-session', '-d', '-s', 'mcp work', '-x', '80', '-y', '20', `exec -a spmon-mcp-pane ${python3()} -c "import time; b=b'x'*(16<<20); time.sleep(600)"`);
    const panePid = Number(tmux('list-panes', '-t', 'mcp work', '-F', '#{pane_pid}').trim());
    // Claude at 85 % (warn) held open by a process named claude; a second session at 95 % (critical), not running.
    const warn = writeClaudeLog(d.pe.home, {
      sessionId: 'cccc1111-1111-4111-8111-111111111111', cwd: '/srv/mcp-proj', model: 'claude-sonnet-4-5-20250929',
      last: { input: 1000, cacheCreation: 1000, cacheRead: 168_000, output: 50 },
    });
    const crit = writeClaudeLog(d.pe.home, {
      sessionId: 'dddd2222-2222-4222-8222-222222222222', cwd: '/srv/other-proj', model: 'claude-\u001b[31mevil\u202emodel',
      last: { input: 1000, cacheCreation: 1000, cacheRead: 188_000, output: 50 },
    });
    const claudeExe = path.join(d.runtime, 'claude');
    fs.writeFileSync(claudeExe, `#!${python3()}\nimport sys, time\nf = open(sys.argv[1])\nprint('ready', flush=True)\ntime.sleep(600)\n`, { mode: 0o755 });
    const claude = kids.spawn(claudeExe, [warn.path]);
    await waitForLine(claude, /^ready$/);
    const warnId = `agent:claude:${warn.sessionId}`;
    const critId = `agent:claude:${crit.sessionId}`;
    const sessions = await waitFor('the tmux and the bound agent session', async () => {
      const r = await s.call('list_sessions', {});
      const list = r.data.sessions as Row[];
      const t = list.find((x) => x.kind === 'tmux' && x.name === 'mcp work');
      const a = list.find((x) => x.id === warnId);
      return t && a && (a.processCount as number) === 1 && list.some((x) => x.id === critId) ? { t, a, text: r.text } : null;
    });
    expect(sessions.t.processCount).toBe(1);
    expect(sessions.t.ussBytes as number).toBeGreaterThan(16 * MiB);
    const tmuxId = sessions.t.id as string;
    const gs = await s.call('get_session', { id: tmuxId });
    expect((gs.data.members as Row[]).map((m) => m.pid)).toEqual([panePid]);
    expect(gs.data.endRefusal).toBeNull();
    expect((await s.call('list_sessions', { kind: 'tmux' })).data.sessions).toHaveLength(1);

    const tu = await s.call('get_token_usage', {});
    const rows = tu.data.sessions as Row[];
    expect(tu.data.worst).toBe('critical');
    expect(rows.find((x) => x.id === warnId)).toMatchObject({ tokens: warn.tokens, contextPercent: 85, level: 'warn', running: true, pids: [claude.pid], mine: false });
    expect(rows.find((x) => x.id === critId)).toMatchObject({ tokens: crit.tokens, contextPercent: 95, level: 'critical', running: false, model: 'claude-\u001b[31mevil\u202emodel' });
    // The text shows the hostile model as placeholders, never as an escape sequence or a bidi override.
    expect(tu.text).toContain('claude-␛[31mevil\ufffdmodel');
    expect(tu.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const one = await s.call('get_token_usage', { session: 'dddd2222' });
    expect((one.data.sessions as Row[]).map((x) => x.id)).toEqual([critId]);
    expect((await s.call('get_token_usage', { session: tmuxId })).text).toMatch(/is a tmux session, not an agent session/);

    const w = await s.call('check_should_terminate', { session: warnId });
    expect(w.data).toMatchObject({ level: 'warn', shouldTerminate: false, contextPercent: 85, session: { id: warnId, kind: 'agent' } });
    const c = await s.call('check_should_terminate', { session: critId });
    expect(c.data).toMatchObject({ level: 'critical', shouldTerminate: true, contextPercent: 95 });
    expect(c.text).toMatch(/^Yes: terminate \(hand over\) now\. agent:claude:dddd2222-.*: level critical; the context is 95\.0 % full, at or above 90 %/);
    const t = await s.call('check_should_terminate', { session: tmuxId });
    expect(t.data).toMatchObject({ level: null, shouldTerminate: false, tokens: null });
  });

  test('an idle server stops ticking, and the next call ticks again and answers with fresh frames', async () => {
    const s = await server({}, 1000);
    const first = (await s.call('get_monitor_status', {})).data.frame as Row;
    const engine = s.mcp.backends.local().engine;
    await waitFor('the engine paused', async () => {
      const a = engine.ticks.count;
      await sleepMs(1200);
      return engine.ticks.count === a || null;
    });
    const paused = engine.frame!;
    const asked = Date.now();
    const again = (await s.call('get_monitor_status', {})).data.frame as Row;
    expect(again.seq as number).toBeGreaterThanOrEqual(paused.seq + 2);
    expect(again.seq as number).toBeGreaterThan(first.seq as number);
    // Sampled after the call came, not the frame from before the pause.
    expect(Date.parse(again.time as string)).toBeGreaterThanOrEqual(asked - 5);
  });

  test('hostile process names: exact in structured content, placeholders in the text', async () => {
    const s = await server();
    const evil = '\u001b[31mevil\u202edoc\u0007\u009bname';
    const child = kids.spawn(python3(), ['-c', `import os; os.execvp('sleep', [${JSON.stringify(evil)}, '600'])`], { stdio: 'ignore' });
    const row = await rowOf(s, child.pid!, 'evil');
    expect(row.cmdline).toBe(`${evil} 600`);
    const r = await s.call('list_processes', { filter: 'evil' });
    expect(r.text).toContain('␛[31mevil\ufffddoc␇\ufffdname 600');
    expect(r.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe('acting tools', () => {
  test('read-only by default: start_session, terminate_session and request_termination refuse, nothing is signalled or started', async () => {
    const s = await server();
    const victim = spawnChild('exec -a spmon-mcp-victim sleep 600');
    const row = await rowOf(s, victim.pid, 'spmon-mcp-victim');
    for (const [name, args] of [
      ['start_session', { command: 'sleep 100' }],
      ['terminate_session', { pid: victim.pid, startTime: row.startTime }],
      ['request_termination', { reason: 'manual' }],
    ] as const) {
      const r = await s.call(name, args);
      expect(r.isError).toBe(true);
      expect(r.text).toBe(`spmon mcp is read-only: ${name} needs control allowed (spmon mcp --allow-control, SPMON_MCP_ALLOW_CONTROL=1, or "allowControl": true in the config file)`);
    }
    expect(victim.alive()).toBe(true);
    expect(d.daemonPid()).toBeNull();
    expect(fs.existsSync(d.socket)).toBe(false);
    victim.proc.kill('SIGKILL');
    await victim.exited;
    // --read-only wins over control allowed.
    const ro = await server({ allowControl: true, readOnly: true });
    expect((await ro.call('terminate_session', { id: 'pod' })).text).toMatch(/--read-only/);
  });

  test('terminate_session: a process tree that ignores SIGTERM, by pid and start time; a tmux session of them; a stale identity', async () => {
    const s = await server({ allowControl: true });
    const tree = stubborn('spmon-mcp-stubborn');
    const row = await rowOf(s, tree.pid, 'spmon-mcp-stubborn');
    const r = await s.call('terminate_session', { pid: tree.pid, startTime: row.startTime, graceSeconds: 1 });
    expect(r.isError).toBe(false);
    expect(r.data).toMatchObject({ state: 'done', succeeded: true, target: { kind: 'process', pid: tree.pid, startTime: row.startTime } });
    const members = r.data.members as Row[];
    expect(members.find((m) => m.pid === tree.pid)).toMatchObject({ outcome: 'force-killed', signals: ['SIGTERM', 'SIGKILL'] });
    expect(r.text).toMatch(/^Ended tree of \d+: .*force-killed/);
    expect(await tree.exited).toMatchObject({ signal: 'SIGKILL' });
    // The same identity again: gone.
    const again = await s.call('terminate_session', { pid: tree.pid, startTime: row.startTime });
    expect(again.data).toMatchObject({ state: 'already-gone', succeeded: true });

    // A tmux session whose pane runs a SIGTERM-ignoring shell with a SIGTERM-ignoring child.
    tmux('new-session', '-d', '-s', 'stubborn', `trap '' TERM HUP; bash -c 'trap "" TERM HUP; exec -a spmon-mcp-tmuxchild sleep 600' & while :; do sleep 0.2; done`);
    const panePid = Number(tmux('list-panes', '-t', 'stubborn', '-F', '#{pane_pid}').trim());
    const session = await waitFor('the tmux session with its child', async () => {
      const list = (await s.call('list_sessions', { kind: 'tmux' })).data.sessions as Row[];
      const t = list.find((x) => x.name === 'stubborn');
      return t && (t.processCount as number) >= 2 ? t : null;
    });
    const gs = await s.call('get_session', { id: session.id as string });
    const identities = (gs.data.members as Row[]).map((m) => ({ pid: m.pid as number, start: startTicksOf(m.pid as number) }));
    expect(identities.map((i) => i.pid)).toContain(panePid);
    const end = await s.call('terminate_session', { id: session.id as string, graceSeconds: 1 });
    expect(end.data).toMatchObject({ state: 'done', succeeded: true, target: { kind: 'session', id: session.id } });
    expect((end.data.counts as Row).forceKilled as number).toBeGreaterThanOrEqual(2);
    for (const i of identities) expect(aliveAs(i.pid, i.start)).toBe(false);

    // A pid whose start time does not match: nothing is signalled.
    const other = spawnChild('exec -a spmon-mcp-other sleep 600');
    const orow = await rowOf(s, other.pid, 'spmon-mcp-other');
    const stale = await s.call('terminate_session', { pid: other.pid, startTime: (orow.startTime as number) - 10_000 });
    expect(stale.data).toMatchObject({ state: 'already-gone', succeeded: true });
    expect(stale.text).toMatch(new RegExp(`^no process ${other.pid} started at \\d+: pid ${other.pid} is now another process \\(sleep, started at ${orow.startTime}\\)$`));
    expect(other.alive()).toBe(true);
    other.proc.kill('SIGKILL');
    await other.exited;
  });

  test('refusals: spmon itself, its ancestors, pid 1, the pod session, a system process (force needs the server to allow it)', async () => {
    const s = await server({ allowControl: true });
    const all = (await s.call('list_processes', { limit: 100000 })).data.processes as Row[];
    const row = (pid: number) => all.find((p) => p.pid === pid)!;
    const refused = async (args: Row, code: string) => {
      const r = await s.call('terminate_session', args);
      expect(r.isError).toBe(false);
      expect(r.data).toMatchObject({ state: 'refused', succeeded: false, reasonCode: code, members: [] });
      return r;
    };
    const self = await refused({ pid: process.pid, startTime: row(process.pid).startTime }, 'self');
    expect(self.text).toBe(`Refused to end ${process.pid} ${row(process.pid).name}: ${process.pid} ${row(process.pid).name}: it is spmon itself`);
    await refused({ pid: process.ppid, startTime: row(process.ppid).startTime }, 'ancestor');
    if (row(1)) await refused({ pid: 1, startTime: row(1).startTime }, 'pid1');
    const pod = await refused({ id: 'pod' }, 'pod-session');
    expect(pod.text).toMatch(/it is the pod session/);
    const envoy = spawnChild('exec -a envoy sleep 600');
    const erow = await rowOf(s, envoy.pid, 'envoy');
    expect(erow.system).toBe(true);
    await refused({ pid: envoy.pid, startTime: erow.startTime }, 'system-process');
    const forced = await s.call('terminate_session', { pid: envoy.pid, startTime: erow.startTime, force: true });
    expect(forced).toMatchObject({ isError: true, text: 'force is not allowed by this server (spmon mcp --allow-force)' });
    expect(envoy.alive()).toBe(true);
    const f = await server({ allowControl: true, allowForce: true });
    const ok = await f.call('terminate_session', { pid: envoy.pid, startTime: erow.startTime, force: true, graceSeconds: 1 });
    expect(ok.data).toMatchObject({ succeeded: true });
    expect(await envoy.exited).toMatchObject({ signal: 'SIGTERM' });
    // Still refused with force: the pod holds spmon itself (and pid 1, when this pid namespace shows it).
    const everything = await f.call('terminate_session', { id: 'pod', force: true });
    expect(everything.data).toMatchObject({ state: 'refused' });
    expect(['pid1', 'self', 'ancestor']).toContain(everything.data.reasonCode);
    // A caller the engine cannot see (another pid namespace: SO_PEERCRED gives a pid that is not here): its
    // ancestry is unknown, so nothing is ended for it.
    const victim = spawnChild('exec -a spmon-mcp-unseen sleep 600');
    const vrow = await rowOf(s, victim.pid, 'spmon-mcp-unseen');
    const api = frameApi(s.mcp.backends.local().engine, { intervalSec: 0.5 });
    await expect(Promise.resolve(api.end({ pid: victim.pid, startTime: vrow.startTime }, { pid: 0x7ffffff0, uid: 0 }))).rejects.toThrow(
      /the calling process \(pid 2147483632\) is not visible here, so its own tree cannot be kept safe/,
    );
    expect(victim.alive()).toBe(true);
    expect((await s.call('terminate_session', {})).text).toBe('give either id (a session) or pid with startTime (a process, as list_processes gives them)');
    expect((await s.call('terminate_session', { pid: envoy.pid })).text).toMatch(/^give startTime with pid/);
  });

  test('start_session starts the daemon; read_output by offsets loses no line of 10,000 (multi-byte ones too); a run shows no env', async () => {
    const s = await server({ allowControl: true });
    const r = await s.call('start_session', {
      name: 'lines',
      command: 'i=1; while [ $i -le 10000 ]; do echo "línea ✓ $i 😀"; i=$((i+1)); done; echo "$SPMON_MCP_SECRET" | wc -c',
      env: { SPMON_MCP_SECRET: 'hunter2' },
    });
    expect(r.isError).toBe(false);
    expect(r.data).toMatchObject({ id: 'run:lines', name: 'lines', command: ['/bin/sh', '-c', expect.stringContaining('while')] });
    expect(d.daemonPid()).not.toBeNull();
    let offset = 0;
    let text = '';
    let reads = 0;
    for (;;) {
      const o = await s.call('read_output', { id: 'lines', offset, maxBytes: 4099 });
      expect(o.isError).toBe(false);
      expect(o.data.offset).toBe(offset);
      text += o.data.text as string;
      offset = o.data.nextOffset as number;
      reads++;
      if (o.data.ended) break;
      if (o.data.nextOffset === o.data.endOffset) await sleepMs(100);
    }
    const lines = text.split('\n');
    expect(lines.slice(0, 10000)).toEqual(Array.from({ length: 10000 }, (_, i) => `línea ✓ ${i + 1} 😀`));
    expect(lines.slice(10000)).toEqual(['8', '']);
    expect(reads).toBeGreaterThan(40);
    expect(text).not.toContain('\ufffd');
    // Now a daemon answers: list_sessions comes from it, and the run's facts hold no env.
    const ls = await s.call('list_sessions', { kind: 'run' });
    const run = (ls.data.sessions as Row[])[0];
    expect(run).toMatchObject({ id: 'run:lines', kind: 'run', run: { state: 'exited', lastExit: { code: 0, signal: null } } });
    expect(JSON.stringify(ls.data)).not.toContain('hunter2');
    const gs = await s.call('get_session', { id: 'lines' });
    expect(gs.data.supervised).toMatchObject({ id: 'run:lines', state: 'exited', restartPolicy: 'no' });
    expect((await s.call('get_monitor_status', {})).data).toMatchObject({ backend: 'daemon', daemon: { pid: d.daemonPid(), sessions: 1 } });
  });

  test('terminate_session of a supervised session whose tree ignores SIGTERM: the daemon stops it, nothing is left', async () => {
    const s = await server({ allowControl: true });
    const r = await s.call('start_session', { name: 'hard', argv: ['bash', '-c', 'trap "" TERM; bash -c \'trap "" TERM; while :; do sleep 0.2; done\' & while :; do sleep 0.2; done'], graceSeconds: 1 });
    const leader = r.data.pid as number;
    const gs = await waitFor('three members', async () => {
      const x = await s.call('get_session', { id: 'run:hard' });
      return (x.data.memberCount as number) >= 3 ? x : null;
    });
    expect(gs.data.endRefusal).toBeNull();
    const members = DaemonEnv.sessionMembers(leader).map((p) => ({ pid: p, start: startTicksOf(p) }));
    const end = await s.call('terminate_session', { id: 'run:hard', graceSeconds: 1 });
    expect(end.data).toMatchObject({ state: 'done', succeeded: true, run: { id: 'run:hard', state: 'exited', lastExit: { signal: 'SIGKILL' } } });
    expect(end.text).toBe('Stopped run:hard: exited (SIGKILL)');
    for (const m of members) expect(aliveAs(m.pid, m.start)).toBe(false);
    expect(DaemonEnv.sessionMembers(leader)).toEqual([]);
  });

  test('a daemon killed under a reading call: that call, and the next, answer from the own engine', async () => {
    const s = await server({ allowControl: true });
    await s.call('start_session', { name: 'held', argv: ['sleep', '600'] });
    expect((await s.call('get_monitor_status', {})).data).toMatchObject({ backend: 'daemon' });
    const pid = d.daemonPid()!;
    const start = startTicksOf(pid);
    // Stopped, the daemon takes the call and does not answer it; then it dies with the call pending.
    process.kill(pid, 'SIGSTOP');
    const pending = s.call('list_sessions', {});
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    const ls = await pending;
    expect({ isError: ls.isError, text: ls.text.slice(0, 300) }).toEqual({ isError: false, text: expect.any(String) });
    expect((ls.data.sessions as Row[]).map((x) => x.id)).toContain('pod');
    await waitFor('the daemon gone', () => !aliveAs(pid, start) || null);
    expect((await s.call('get_monitor_status', {})).data).toMatchObject({ backend: 'in-process', daemon: null });
  });

  test('the daemon killed: its supervised session is listed as lost from its records, and terminate_session ends it through a new daemon', async () => {
    const s = await server({ allowControl: true });
    const r = await s.call('start_session', { name: 'orphan', argv: ['sleep', '600'] });
    const leader = r.data.pid as number;
    const start = startTicksOf(leader);
    const pid = d.daemonPid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the daemon gone', () => d.daemonPid() === null || null);
    const ls = await waitFor('the lost run listed', async () => {
      const x = await s.call('list_sessions', { kind: 'run' });
      return (x.data.sessions as Row[]).some((y) => y.id === 'run:orphan') ? x : null;
    });
    expect((ls.data.sessions as Row[]).find((y) => y.id === 'run:orphan')).toMatchObject({ kind: 'run', run: { state: 'lost', pid: leader } });
    expect((await s.call('get_monitor_status', {})).data).toMatchObject({ backend: 'in-process' });
    const end = await s.call('terminate_session', { id: 'run:orphan', graceSeconds: 1 });
    expect(end.isError).toBe(false);
    expect(end.data).toMatchObject({ succeeded: true, run: { id: 'run:orphan', state: 'exited' } });
    expect(aliveAs(leader, start)).toBe(false);
    expect(d.daemonPid()).not.toBeNull();
    expect(d.daemonPid()).not.toBe(pid);
  });

  test('request_termination: refusals first, then the daemon takes it; the daemon gone: a clear error, and answers from the own engine', async () => {
    const s = await server({ allowControl: true });
    await s.call('start_session', { name: 'target', argv: ['sleep', '600'] });
    // Not "mine" here (a test runner has no session): the pod is refused, a run reaches the daemon.
    expect((await s.call('request_termination', { reason: 'manual' })).text).toMatch(/^no session of yours/);
    expect((await s.call('request_termination', { session: 'pod', reason: 'manual' })).text).toMatch(/^Refused to end session .*: it is the pod session/);
    const r = await s.call('request_termination', { session: 'run:target', reason: 'phase_complete', continuationCommand: 'echo next', priority: 'graceful' });
    expect(r.isError).toBe(false);
    expect(r.data).toMatchObject({ id: expect.any(String), source: expect.any(String), reason: 'phase_complete', priority: 'graceful', continuationCommand: 'echo next', target: { session: 'run:target' } });
    expect(r.text).toMatch(/^Termination request \S+ for run:target \(graceful\): (ending|continuing|done)/);
    // The daemon dies: what needs it says so; the rest answers from this process's engine.
    const pid = d.daemonPid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the daemon gone', () => !aliveAs(pid, startTicksOf(pid)) || null);
    const gone = await s.call('read_output', { id: 'target' });
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(/daemon/);
    const ls = await s.call('list_sessions', {});
    expect({ isError: ls.isError, text: ls.text.slice(0, 300) }).toEqual({ isError: false, text: expect.any(String) });
    expect((await s.call('get_monitor_status', {})).data).toMatchObject({ backend: 'in-process', daemon: null });
  });
});

describe('the same answers from the daemon and from the own engine', () => {
  test('a daemon started as users start it: the tools answer from it; a second client sees the same sessions', async () => {
    const started = await d.cli(['daemon', '--detach']);
    expect(started.code).toBe(0);
    const run = await d.cli(['run', '--name', 'web', '--', 'sleep', '600']);
    expect(run.stdout.trim()).toBe('run:web');
    const a = await server();
    const b = await server();
    const la = await a.call('list_sessions', { kind: 'run' });
    const lb = await b.call('list_sessions', { kind: 'run' });
    expect((la.data.sessions as Row[]).map((x) => x.id)).toEqual(['run:web']);
    const facts = (r: typeof la) => (r.data.sessions as Row[]).map((x) => [x.id, (x.run as Row).state, (x.run as Row).pid]);
    expect(facts(lb)).toEqual(facts(la));
    expect((await a.call('get_monitor_status', {})).data).toMatchObject({ backend: 'daemon', daemon: { pid: d.daemonPid() } });
    // Read-only: the daemon's sessions are readable, not stoppable.
    expect((await a.call('read_output', { id: 'web' })).data).toMatchObject({ id: 'run:web', text: '', ended: false });
    expect((await a.call('terminate_session', { id: 'run:web' })).isError).toBe(true);
    const ps = await d.ps();
    expect(ps[0]).toMatchObject({ id: 'run:web', state: 'running' });
  });
});
