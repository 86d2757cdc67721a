// The pure parts under `spmon mcp` and the control API's frame methods, with plain objects: what a request
// may end (lib/model/acting_rule.ts), the queries over a frame (lib/view/queries.ts) checked against
// docs/mcp.schema.json, a job as JSON, and the UTF-8 cut of read_output.
import { callerChainOf, processRefusal, sessionRefusal } from '../lib/model/acting_rule';
import { sessionOf, Session } from '../lib/model/sessions';
import { Guard } from '../lib/model/protection';
import { getSession, listProcesses, listSessions, podMemoryReport, QueryError, resolveSession, shouldTerminate, tokenUsage, vetTarget } from '../lib/view/queries';
import { refusedJson } from '../lib/view/job_json';
import { incompleteTail } from '../lib/mcp/tools';
import { proc, snapshot } from './helpers/process_stat';
import { mcpOutputErrors } from './helpers/mcp';

const guard = (selfPid: number, ancestors: number[] = []): Guard => ({ selfPid, ancestors: new Set(ancestors) });
const ctx = (over: { guard?: Guard; chain?: number[]; force?: boolean } = {}) => ({ guard: over.guard ?? guard(999), callerChain: new Set(over.chain ?? []), force: over.force === true });

describe('acting rule', () => {
  // 10 agent -> 11 shell -> 12 spmon mcp; 20 a job with child 21; 30 envoy with child 31; 1 init.
  const ps = [
    proc(1, { ppid: 0, name: 'init' }),
    proc(10, { ppid: 1, name: 'claude' }),
    proc(11, { ppid: 10, name: 'bash' }),
    proc(12, { ppid: 11, name: 'node' }),
    proc(20, { ppid: 1, name: 'job' }),
    proc(21, { ppid: 20, name: 'sh', system: true }),
    proc(30, { ppid: 1, name: 'envoy', system: true }),
    proc(31, { ppid: 30, name: 'worker' }),
  ];
  const chain = [...callerChainOf(ps, 12)];

  test('the caller chain is the caller and its ancestors', () => {
    expect(chain.sort((a, b) => a - b)).toEqual([1, 10, 11, 12]);
    expect([...callerChainOf(ps, 4242)]).toEqual([4242]);
  });

  test('a process: protection first (pid 1, spmon, its ancestors), then the caller\'s chain, then system processes unless forced', () => {
    const c = ctx({ guard: guard(12, [11, 10, 1]), chain });
    expect(processRefusal(ps[0], c)?.code).toBe('pid1');
    expect(processRefusal(ps[3], c)?.code).toBe('self');
    expect(processRefusal(ps[1], c)?.code).toBe('ancestor');
    // A daemon's guard knows nothing of the caller: the chain refuses the agent.
    const d = ctx({ guard: guard(5000), chain });
    expect(processRefusal(ps[1], d)).toEqual({ code: 'caller', pid: 10, name: 'claude' });
    expect(processRefusal(ps[6], d)).toEqual({ code: 'system-process', pid: 30, name: 'envoy' });
    expect(processRefusal(ps[6], { ...d, force: true })).toBeNull();
    expect(processRefusal(ps[4], d)).toBeNull();
  });

  test('a session: the pod unless forced; any member of the chain; a system process at a root only, never in a run', () => {
    const d = ctx({ guard: guard(5000), chain });
    expect(sessionRefusal({ kind: 'pod', members: ps.slice(4) }, d)?.code).toBe('pod-session');
    expect(sessionRefusal({ kind: 'pod', members: ps.slice(4) }, { ...d, force: true })).toBeNull();
    expect(sessionRefusal({ kind: 'tmux', members: [ps[2], ps[3]] }, d)).toEqual({ code: 'caller', pid: 11, name: 'bash' });
    // `sh` under a job is not a root: the job may be ended; envoy at the root may not, unless forced.
    expect(sessionRefusal({ kind: 'tree', members: [ps[4], ps[5]] }, d)).toBeNull();
    expect(sessionRefusal({ kind: 'tree', members: [ps[6], ps[7]] }, d)?.code).toBe('system-process');
    expect(sessionRefusal({ kind: 'tree', members: [ps[6], ps[7]] }, { ...d, force: true })).toBeNull();
    expect(sessionRefusal({ kind: 'run', members: [ps[5]] }, d)).toBeNull();
    // Its own session, for a termination request: the chain and spmon's ancestors do not count; pid 1 does.
    const mine = { kind: 'agent' as const, members: [ps[1], ps[2], ps[3]] };
    expect(sessionRefusal(mine, d)?.code).toBe('caller');
    expect(sessionRefusal(mine, d, true)).toBeNull();
    expect(sessionRefusal(mine, ctx({ guard: guard(12, [11, 10, 1]), chain }), true)).toBeNull();
    expect(sessionRefusal({ kind: 'agent', members: [ps[0], ps[1]] }, d, true)?.code).toBe('pid1');
  });

  test('a refusal as JSON has its sentence, sanitised', () => {
    const r = refusedJson({ kind: 'process', id: null, name: 'e\u001b[31mvil', pid: 30, startTime: 1 }, { code: 'system-process', pid: 30, name: 'e\u001b[31mvil' });
    expect(r).toMatchObject({ state: 'refused', succeeded: false, reasonCode: 'system-process', members: [] });
    expect(r.message).toBe('Refused to end 30 e␛[31mvil: 30 e␛[31mvil: it is a system process (pod plumbing); pass force to end it anyway, if the server allows it');
  });
});

describe('queries over a frame', () => {
  const agentFacts = (pct: number | null) => ({
    tool: 'claude' as const,
    sessionId: 'abcd1234-0000-4000-8000-000000000000',
    model: 'claude-x',
    cwd: '/p',
    logPath: '/l.jsonl',
    tokens: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4, total: 10 },
    contextPercent: pct,
    contextTokens: pct === null ? null : pct * 2000,
    contextWindow: pct === null ? null : 200_000,
    complete: true,
    unreadBytes: 0,
    evidence: 'open-log',
    confidence: 0.9,
  });
  const ps = [proc(1, { ppid: 0 }), proc(10, { ppid: 1, name: 'claude' }), proc(11, { ppid: 10, name: 'bash' }), proc(12, { ppid: 11, name: 'node' }), proc(40, { ppid: 1, name: 'big', ussBytes: 900 * 1024 * 1024 })];
  const run = {
    name: 'web', state: 'running' as const, command: ['sleep', '9'], cwd: '/', pid: 40, startTicks: 1040, startedAt: '2026-01-01T00:00:00.000Z', restarts: 0, lastExit: null, reason: null,
    // What the daemon's record holds beyond RunInfo: never shown.
    env: { SECRET: 'x' }, logPath: '/secret',
  };
  const sessions: Session[] = [
    sessionOf('agent:claude:abcd1234-0000-4000-8000-000000000000', 'agent', 'claude p', [ps[1], ps[2], ps[3]], { agent: agentFacts(91.25), lastActivityMs: 1_700_000_000_000 }),
    sessionOf('run:web', 'run', 'web', [ps[4]], { run }),
  ];
  const frame = snapshot(ps, {}, sessions);
  const q = { callerPid: 12, guard: guard(5000) };

  test('"mine", ids, bare names and agent id prefixes; unknown ids and ambiguity are errors', () => {
    expect(resolveSession(frame, 'mine', 12).id).toBe(sessions[0].id);
    expect(resolveSession(frame, 'web', 12).id).toBe('run:web');
    expect(resolveSession(frame, 'abcd', 12).id).toBe(sessions[0].id);
    // pid 40 is in the supervised run; pid 1 in no session of its own.
    expect(resolveSession(frame, 'mine', 40).id).toBe('run:web');
    expect(() => resolveSession(frame, 'mine', 1)).toThrow(/no session of yours/);
    expect(() => resolveSession(frame, 'nope\u001b', 12)).toThrow(new QueryError('not-found', 'no session "nope␛" (list_sessions, or the API\'s sessions method, lists them)'));
  });

  test('each answer validates against its declared output schema; a run shows no env', () => {
    const ls = listSessions(frame, {}, q);
    expect(mcpOutputErrors('list_sessions', ls)).toBe('');
    expect(ls.sessions.map((s) => [s.id, s.mine])).toEqual([['pod', false], ['run:web', false], [sessions[0].id, true]]);
    expect(Object.keys(ls.sessions[1].run as object).sort()).toEqual(['command', 'cwd', 'lastExit', 'name', 'pid', 'reason', 'restarts', 'startTicks', 'startedAt', 'state']);
    const gs = getSession(frame, { id: 'mine', limit: 2 }, q);
    expect(mcpOutputErrors('get_session', gs)).toBe('');
    expect(gs.memberCount).toBe(3);
    expect(gs.members.map((m) => m.pid)).toEqual([12, 11]);
    expect(gs.endRefusal).toMatchObject({ code: 'caller', pid: 10 });
    const lp = listProcesses(frame, { sort: 'pid', limit: 2 }, q);
    expect(mcpOutputErrors('list_processes', lp)).toBe('');
    expect([lp.total, lp.matched, lp.processes.map((p) => p.pid)]).toEqual([5, 5, [1, 10]]);
    expect(listProcesses(frame, { session: 'mine', filter: 'BASH' }, q).processes.map((p) => p.pid)).toEqual([11]);
    const pm = podMemoryReport(frame, { top: 2 }, q);
    expect(mcpOutputErrors('get_pod_memory', pm)).toBe('');
    expect(pm.topProcesses.map((p) => p.pid)).toEqual([40, 12]);
    expect(pm.topSessions.map((s) => s.id)).toEqual(['run:web', sessions[0].id]);
    expect([pm.limitBytes, pm.percent, pm.level]).toEqual([1024 ** 3, 50, 'ok']);
  });

  test('tokens and the context level: 91.25 % is critical, should terminate; a run has no context', () => {
    const t = tokenUsage(frame, { session: 'mine' }, q);
    expect(mcpOutputErrors('get_token_usage', t)).toBe('');
    expect(t.sessions).toHaveLength(1);
    expect(t.sessions[0]).toMatchObject({ contextPercent: 91.3, level: 'critical', mine: true, pids: [10, 11, 12] });
    expect(() => tokenUsage(frame, { session: 'web' }, q)).toThrow(/run session, not an agent session/);
    const st = shouldTerminate(frame, {}, q);
    expect(mcpOutputErrors('check_should_terminate', st)).toBe('');
    expect(st).toMatchObject({ level: 'critical', shouldTerminate: true, contextPercent: 91.3, thresholds: { warnPercent: 80, criticalPercent: 90 } });
    expect(shouldTerminate(frame, { session: 'web' }, q)).toMatchObject({ level: null, shouldTerminate: false });
    for (const [pct, level, should] of [[79.9, 'ok', false], [80, 'warn', false], [89.99, 'warn', false], [90, 'critical', true], [null, null, false]] as const) {
      const f = snapshot(ps, {}, [sessionOf(sessions[0].id, 'agent', 'a', [ps[1], ps[2], ps[3]], { agent: agentFacts(pct) })]);
      expect(shouldTerminate(f, {}, q)).toMatchObject({ level, shouldTerminate: should });
    }
  });

  test('vet: a termination request for its own session is allowed, the same session for another caller is not', () => {
    expect(vetTarget(frame, { session: 'mine', purpose: 'request' }, q)).toMatchObject({ mine: true, refusal: null });
    expect(vetTarget(frame, { session: 'mine', purpose: 'end' }, q).refusal).toMatchObject({ code: 'caller' });
    expect(vetTarget(frame, { pid: 40, startTime: ps[4].startTime!, purpose: 'request' }, q)).toMatchObject({ mine: false, refusal: null, target: { kind: 'process', pid: 40 } });
    expect(() => vetTarget(frame, { pid: 40, startTime: 5 }, q)).toThrow(/pid 40 is now another process/);
  });
});

describe('read_output: a character cut by the chunk end waits for the next read', () => {
  test.each([
    ['ascii', Buffer.from('abc'), 0],
    ['whole é', Buffer.from('aé'), 0],
    ['half é', Buffer.from('aé').subarray(0, 2), 1],
    ['1 of 3 (✓)', Buffer.from('a✓').subarray(0, 2), 1],
    ['2 of 3 (✓)', Buffer.from('a✓').subarray(0, 3), 2],
    ['3 of 4 (😀)', Buffer.from('a😀').subarray(0, 4), 3],
    ['whole 😀', Buffer.from('a😀'), 0],
    ['a stray continuation byte', Buffer.from([0x61, 0x80]), 0],
  ])('%s', (_what, buf, cut) => {
    expect(incompleteTail(buf)).toBe(cut);
  });
});

describe('MCP rows are the --json rows', () => {
  // A field added to the process table or to an agent's facts must reach the MCP schemas too: the SDK
  // refuses a structured answer with a key its output schema does not declare.
  const snapshotSchema = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, '..', 'docs', 'snapshot.schema.json'), 'utf8'));
  const tokensSchema = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, '..', 'docs', 'tokens.schema.json'), 'utf8'));
  const { processRow, agentInfo, tokenRow } = require('../lib/mcp/schemas');
  test.each([
    ['process', processRow],
    ['agent', agentInfo],
  ])('%s: the same keys as docs/snapshot.schema.json', (def, zodObject) => {
    const inSnapshot = Object.keys(snapshotSchema.$defs[def].properties).sort();
    expect(Object.keys(zodObject.shape).sort()).toEqual(inSnapshot);
  });
  test('token rows: the keys of docs/tokens.schema.json, plus "mine"', () => {
    expect(Object.keys(tokenRow.shape).sort()).toEqual([...Object.keys(tokensSchema.$defs.session.properties), 'mine'].sort());
  });
});
