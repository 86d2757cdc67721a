// `spmon mcp` end to end, as agents run it: a separate process speaking MCP over stdio, driven by the SDK's
// Client with its stdio transport (and, where the bytes themselves matter, by hand). A private world:
// HOME, TMUX_TMPDIR, XDG_RUNTIME_DIR, XDG_STATE_HOME; every daemon is ended by its pid.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { writeClaudeLog } from './helpers/agent_logs';
import { Child, Children, killAll, python3, stubborn } from './helpers/children';
import { aliveAs, DaemonEnv, sleepMs, startTicksOf, waitFor } from './helpers/daemon_env';
import { callTool, ToolAnswer } from './helpers/mcp';
import { BIN } from './helpers/paths';

jest.setTimeout(180_000);

type Row = Record<string, unknown>;

let d: DaemonEnv;
let kids: Children;
let clients: Client[];
let loose: Child[];

beforeEach(() => {
  d = new DaemonEnv({ SPMON_INTERVAL: '0.5', SPMON_GRACE: '1' });
  kids = new Children(d.env);
  clients = [];
  loose = [];
});

afterEach(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await kids.killAll();
  await killAll(loose);
  await d.dispose();
});

/** An SDK client of `command args` (spmon mcp, or an agent that runs it) over stdio. */
async function stdioClient(command: string, args: string[]): Promise<{ client: Client; transport: StdioClientTransport; call(name: string, a?: Row): Promise<ToolAnswer> }> {
  const transport = new StdioClientTransport({ command, args, env: d.env as Record<string, string>, stderr: 'pipe' });
  const client = new Client({ name: 'spmon-e2e', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  await client.listTools();
  return { client, transport, call: (name, a = {}) => callTool(client, name, a) };
}

/** JSON-RPC by hand: one line per message, the raw bytes of every answer kept. */
class RawSession {
  readonly child: ChildProcess;
  private buf = Buffer.alloc(0);
  readonly lines: Buffer[] = [];
  private nextId = 1;

  constructor(args: string[], opts: { detached?: boolean } = {}) {
    this.child = spawn(process.execPath, [BIN, 'mcp', ...args], { env: d.env, stdio: ['pipe', 'pipe', 'ignore'], detached: opts.detached === true });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      let nl: number;
      while ((nl = this.buf.indexOf(0x0a)) >= 0) {
        this.lines.push(this.buf.subarray(0, nl));
        this.buf = this.buf.subarray(nl + 1);
      }
    });
  }

  send(method: string, params: Row, notify = false): number {
    const id = this.nextId++;
    this.child.stdin!.write(JSON.stringify(notify ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id, method, params }) + '\n');
    return id;
  }

  async answer(id: number, timeoutMs = 60_000): Promise<{ raw: Buffer; msg: Row }> {
    return waitFor(`answer ${id}`, () => {
      for (const raw of this.lines) {
        const msg = JSON.parse(raw.toString('utf8')) as Row;
        if (msg.id === id) return { raw, msg };
      }
      return null;
    }, timeoutMs, 20);
  }

  async initialize(): Promise<void> {
    const id = this.send('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    await this.answer(id);
    this.send('notifications/initialized', {}, true);
  }

  exited(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once('exit', (code) => resolve(code));
    });
  }
}

test('spmon mcp over stdio: every reading tool answers; outputs validate against the declared schemas', async () => {
  const { client, call } = await stdioClient(process.execPath, [BIN, 'mcp']);
  const { tools } = await client.listTools();
  expect(tools).toHaveLength(12);
  const lp = await call('list_processes', { limit: 5 });
  expect(lp.data.matched as number).toBeGreaterThan(0);
  expect(lp.data.processes).toHaveLength(5);
  const ls = await call('list_sessions');
  expect((ls.data.sessions as Row[])[0]).toMatchObject({ id: 'pod', kind: 'pod' });
  expect((await call('get_session', { id: 'pod', limit: 3 })).data.memberCount as number).toBeGreaterThan(3);
  expect((await call('get_token_usage')).data).toMatchObject({ sessions: [], worst: null });
  expect((await call('get_pod_memory')).data.thresholdPercent).toBe(80);
  const st = await call('get_monitor_status');
  expect(st.data).toMatchObject({ backend: 'in-process', intervalSec: 0.5, server: { allowControl: false } });
  expect((await call('health_check')).data.backend).toBe('in-process');
  expect(await call('check_should_terminate')).toMatchObject({ isError: true });
  expect((await call('terminate_session', { id: 'pod' })).text).toMatch(/^spmon mcp is read-only/);
});

test('hostile strings on the wire: escaped as --json escapes them (no raw ESC, C1 or bidi byte), exact once parsed', async () => {
  const evil = '\u001b]0;owned\u0007\u001b[31mevil\u202e\u2066name\u009b2J';
  const victim = kids.spawn(python3(), ['-c', `import os; os.execvp('sleep', [${JSON.stringify(evil)}, '600'])`], { stdio: 'ignore' });
  const raw = new RawSession([]);
  try {
    await raw.initialize();
    const found = await waitFor('the hostile process', async () => {
      const id = raw.send('tools/call', { name: 'list_processes', arguments: { filter: 'evil' } });
      const a = await raw.answer(id);
      const sc = (a.msg.result as Row).structuredContent as Row;
      return (sc.processes as Row[]).some((p) => p.pid === victim.pid) ? a : null;
    });
    const bytes = found.raw;
    expect(bytes.includes(0x1b)).toBe(false);
    expect(bytes.includes(0x07)).toBe(false);
    for (const seq of [[0xc2, 0x9b], [0xe2, 0x80, 0xae], [0xe2, 0x81, 0xa6]]) expect(bytes.includes(Buffer.from(seq))).toBe(false);
    const result = found.msg.result as { content: { text: string }[]; structuredContent: { processes: Row[] } };
    expect(result.structuredContent.processes.find((p) => p.pid === victim.pid)!.cmdline).toBe(`${evil} 600`);
    expect(result.content[0].text).toContain('␛]0;owned␇␛[31mevil\ufffd\ufffdname\ufffd2J 600');
  } finally {
    raw.child.stdin!.end();
    await raw.exited();
  }
});

describe('"mine": the session of the agent that started spmon mcp', () => {
  test('an agent (a process named claude holding its log open) asks about itself; it may not end itself, but may ask for its own termination', async () => {
    const log = writeClaudeLog(d.pe.home, {
      sessionId: 'eeee5555-5555-4555-8555-555555555555', cwd: '/srv/mcp-agent', model: 'claude-sonnet-4-5-20250929',
      last: { input: 1000, cacheCreation: 1000, cacheRead: 168_000, output: 50 },
    });
    // The agent: holds its log open and runs spmon mcp on its own stdin/stdout, as Claude Code runs MCP servers.
    const claudeExe = path.join(d.runtime, 'claude');
    fs.writeFileSync(claudeExe, `#!${python3()}\nimport subprocess, sys\nf = open(sys.argv[1])\nsys.exit(subprocess.call(sys.argv[2:]))\n`, { mode: 0o755 });
    const agent = await stdioClient(claudeExe, [log.path, process.execPath, BIN, 'mcp', '--allow-control']);
    const agentPid = agent.transport.pid!;
    const id = `agent:claude:${log.sessionId}`;
    const usage = await waitFor('the agent session bound to the agent', async () => {
      const r = await agent.call('get_token_usage', { session: 'mine' });
      return r.isError ? null : r;
    });
    expect(usage.data.sessions).toEqual([expect.objectContaining({ id, mine: true, tokens: log.tokens, contextPercent: 85, level: 'warn', running: true })]);
    expect((usage.data.sessions as Row[])[0].pids).toContain(agentPid);
    const should = await agent.call('check_should_terminate');
    expect(should.data).toMatchObject({ session: { id, kind: 'agent' }, level: 'warn', shouldTerminate: false, contextPercent: 85 });
    const ls = await agent.call('list_sessions', { kind: 'agent' });
    expect(ls.data.sessions).toEqual([expect.objectContaining({ id, mine: true })]);
    const mine = await agent.call('get_session');
    expect((mine.data.session as Row).id).toBe(id);
    expect(mine.data.endRefusal).toMatchObject({ pid: agentPid });
    const mcpPid = ((mine.data.members as Row[]).find((m) => m.ppid === agentPid) as Row).pid as number;
    expect((await agent.call('get_monitor_status')).data).toMatchObject({ server: { pid: mcpPid } });

    // Ending itself is refused: the agent is an ancestor of the server.
    const end = await agent.call('terminate_session', { id: 'mine' });
    expect(end.data).toMatchObject({ state: 'refused', succeeded: false });
    expect(['ancestor', 'caller', 'self']).toContain(end.data.reasonCode);
    expect(aliveAs(agentPid, startTicksOf(agentPid))).toBe(true);

    // Starting a session needs the daemon: it is started, and not as a child of the server (ending the
    // agent's session must not end it).
    const started = await agent.call('start_session', { name: 'mine-keep', argv: ['sleep', '600'] });
    expect(started.isError).toBe(false);
    const daemonPid = d.daemonPid()!;
    expect(daemonPid).not.toBeNull();
    const ppid = Number(fs.readFileSync(`/proc/${daemonPid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    expect([mcpPid, agentPid]).not.toContain(ppid);
    // From the daemon now, "mine" is still the agent's session (the daemon knows the caller by its socket).
    const again = await agent.call('get_session');
    expect((again.data.session as Row).id).toBe(id);
    expect((await agent.call('get_monitor_status')).data).toMatchObject({ backend: 'daemon' });
  });

  test('request_termination of its own session with a continuation: answered first, then the agent is ended and its continuation runs as a supervised session', async () => {
    const log = writeClaudeLog(d.pe.home, {
      sessionId: 'ffff6666-6666-4666-8666-666666666666', cwd: d.runtime, model: 'claude-sonnet-4-5-20250929',
      last: { input: 1000, cacheCreation: 1000, cacheRead: 180_000, output: 50 },
    });
    const claudeExe = path.join(d.runtime, 'claude');
    fs.writeFileSync(claudeExe, `#!${python3()}\nimport subprocess, sys\nf = open(sys.argv[1])\nsys.exit(subprocess.call(sys.argv[2:]))\n`, { mode: 0o755 });
    const agent = await stdioClient(claudeExe, [log.path, process.execPath, BIN, 'mcp', '--allow-control']);
    const agentPid = agent.transport.pid!;
    const agentStart = startTicksOf(agentPid);
    const id = `agent:claude:${log.sessionId}`;
    await waitFor('bound', async () => ((await agent.call('get_token_usage', { session: 'mine' })).isError ? null : true));
    const should = await agent.call('check_should_terminate');
    expect(should.data).toMatchObject({ level: 'critical', shouldTerminate: true });
    // Another session is not "mine": it holds the caller's ancestors (or does not exist here), so it is refused.
    expect((await agent.call('request_termination', { session: 'pod', reason: 'manual' })).isError).toBe(true);
    const marker = 'spmon-mcp-continuation-7d1';
    const req = await agent.call('request_termination', {
      reason: 'token_limit_approaching', continuationCommand: `exec sleep 600 # ${marker}`, priority: 'graceful', note: 'context at 91 %',
    });
    expect(req.isError).toBe(false);
    expect(req.data).toMatchObject({ id: expect.any(String), state: expect.any(String), reason: 'token_limit_approaching' });
    expect(JSON.stringify(req.data)).toContain(id);
    const daemonPid = d.daemonPid()!;
    expect(daemonPid).not.toBeNull();
    const ppid = Number(fs.readFileSync(`/proc/${daemonPid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    expect([agentPid]).not.toContain(ppid);
    // The agent is ended (SIGINT, as a user stops it), and the continuation runs under the daemon.
    await waitFor('the agent ended', () => !aliveAs(agentPid, agentStart) || null, 60_000);
    const ps = await waitFor('the continuation running', async () => {
      const r = await d.cli(['ps', '--json']);
      const rows = (JSON.parse(r.stdout).sessions as Row[]).filter((s) => String(s.command ?? '').includes(marker) || JSON.stringify(s).includes(marker));
      return rows.find((s) => s.state === 'running') ?? null;
    }, 60_000);
    expect(ps.pid).toEqual(expect.any(Number));
    expect(ps.cwd).toBe(d.runtime);
    const stop = await d.cli(['stop', String(ps.id)]);
    expect(stop.code).toBe(0);
  });
});

test('a client that disconnects mid-call: the termination under way is finished, the supervised session it asked for runs on, nothing else is left', async () => {
  const raw = new RawSession(['--allow-control'], { detached: true });
  const mcpPid = raw.child.pid!;
  await raw.initialize();
  const tree = stubborn('spmon-mcp-disconnect');
  loose.push(tree);
  const row = await waitFor('the stubborn tree in a frame', async () => {
    const a = await raw.answer(raw.send('tools/call', { name: 'list_processes', arguments: { filter: 'spmon-mcp-disconnect' } }));
    return (((a.msg.result as Row).structuredContent as Row).processes as Row[]).find((p) => p.pid === tree.pid) ?? null;
  });
  // Both in flight when the client goes: an in-process termination (no daemon yet), and a session that
  // needs the daemon started first.
  raw.send('tools/call', { name: 'terminate_session', arguments: { pid: tree.pid, startTime: row.startTime, graceSeconds: 2 } });
  raw.send('tools/call', { name: 'start_session', arguments: { name: 'keep', argv: ['sleep', '600'] } });
  await sleepMs(200);
  // The client goes: it stops reading (the next answer meets EPIPE), then closes stdin.
  raw.child.stdout!.destroy();
  raw.send('tools/call', { name: 'list_sessions', arguments: {} });
  await sleepMs(300);
  raw.child.stdin!.end();
  expect(await raw.exited()).toBe(0);
  // The tree ignored SIGTERM: it is gone only because the server sent SIGKILL after the grace, before it exited.
  await waitFor('the tree ended', () => !tree.alive() || null, 10_000);
  expect(await tree.exited).toMatchObject({ signal: 'SIGKILL' });
  // Nothing left in the server's process group; the supervised session is the daemon's, and runs.
  await waitFor('an empty process group', () => {
    for (const p of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const st = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
        if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[2]) === mcpPid) return null;
      } catch {
        // Gone meanwhile.
      }
    }
    return true;
  });
  expect(await d.ps()).toEqual([expect.objectContaining({ id: 'run:keep', state: 'running' })]);
});
