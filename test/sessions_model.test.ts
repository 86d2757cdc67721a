// Sessions and agent binding with plain objects.
import { ACT_CONFIDENCE, agentToolOf, bindAgents, Binding, AgentLogFacts } from '../lib/model/agent_binding';
import { geminiProjectHash } from '../lib/sources/agents/gemini';
import { buildSessions, AgentSessionFacts, runMembers, Session } from '../lib/model/sessions';
import { sessionTotals } from '../lib/fields/session_fields';
import { buildTree, subtree, TreeCache } from '../lib/model/tree';
import type { RawProcessFiles } from '../lib/native';
import { proc, snapshot } from './helpers/process_stat';

describe('agentToolOf', () => {
  test.each([
    [{ name: 'claude', cmdline: 'claude' }, 'claude'],
    [{ name: 'node', cmdline: 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js --resume' }, 'claude'],
    [{ name: 'node', cmdline: 'node /usr/local/bin/codex exec hi' }, 'codex'],
    [{ name: 'codex', cmdline: '/usr/bin/codex' }, 'codex'],
    [{ name: 'node', cmdline: 'node /opt/node_modules/@google/gemini-cli/dist/index.js' }, 'gemini'],
    [{ name: 'gemini', cmdline: 'gemini -p hello' }, 'gemini'],
    [{ name: 'bash', cmdline: 'bash -c echo claude' }, null],
    [{ name: 'node', cmdline: 'node server.js --name codex' }, null],
    [{ name: 'vim', cmdline: 'vim claude.md' }, null],
  ])('%j -> %s', (p, tool) => {
    expect(agentToolOf({ ...p, kernelThread: false })).toBe(tool);
  });
});

const log = (over: Partial<AgentLogFacts>): AgentLogFacts => ({
  tool: 'claude', sessionId: 's1', logPath: '/h/.claude/projects/-w/s1.jsonl', cwd: '/w',
  firstActivityMs: 1_700_000_000_000, lastActivityMs: 1_700_000_050_000, ...over,
});

function bind(logs: AgentLogFacts[], procs: ReturnType<typeof proc>[], files: RawProcessFiles[], previous = new Map<string, Binding>()) {
  const tree = buildTree(procs);
  return bindAgents({
    logs,
    agents: procs.flatMap((p) => { const t = agentToolOf(p); return t ? [{ p, tool: t }] : []; }),
    files: new Map(files.map((f) => [f.pid, f])),
    descendants: (p) => subtree(tree, p.pid).slice(1),
    previous,
  });
}

describe('bindAgents', () => {
  const claudeA = proc(100, { name: 'claude', cmdline: 'claude', startTime: 1_700_000_000_000 - 10_000 });
  const claudeB = proc(200, { name: 'claude', cmdline: 'claude', startTime: 1_700_000_000_000 - 5_000 });

  test('an open log binds with 0.9, even against a same-cwd rival', () => {
    const b = bind([log({})], [claudeA, claudeB], [
      { pid: 100, cwd: '/w', files: ['/h/.claude/projects/-w/s1.jsonl'] },
      { pid: 200, cwd: '/w', files: [] },
    ]);
    expect(b.get('claude:s1')).toMatchObject({ pid: 100, evidence: 'open-log', confidence: 0.9 });
  });

  test('a descendant holding the log open counts for its agent', () => {
    const child = proc(101, { ppid: 100, name: 'bash', cmdline: 'bash' });
    const b = bind([log({})], [claudeA, child], [{ pid: 101, cwd: '/x', files: ['/h/.claude/projects/-w/s1.jsonl'] }]);
    expect(b.get('claude:s1')?.pid).toBe(100);
  });

  test('same cwd and overlapping activity binds with 0.55; another cwd does not', () => {
    expect(bind([log({})], [claudeA], [{ pid: 100, cwd: '/w', files: [] }]).get('claude:s1')).toMatchObject({ evidence: 'cwd', confidence: 0.55 });
    expect(bind([log({})], [claudeA], [{ pid: 100, cwd: '/elsewhere', files: [] }]).size).toBe(0);
  });

  test('a log whose activity ended before the process started is not bound by cwd', () => {
    const late = proc(300, { name: 'claude', cmdline: 'claude', startTime: 1_700_000_050_000 + 3_600_000 });
    expect(bind([log({})], [late], [{ pid: 300, cwd: '/w', files: [] }]).size).toBe(0);
  });

  test('Gemini binds by the SHA-256 of the cwd', () => {
    const g = proc(400, { name: 'node', cmdline: 'node /x/@google/gemini-cli/dist/index.js', startTime: 1_700_000_000_000 });
    const l = log({ tool: 'gemini', sessionId: 'g1', cwd: null, projectHash: geminiProjectHash('/proj') });
    expect(bind([l], [g], [{ pid: 400, cwd: '/proj', files: [] }]).get('gemini:g1')?.pid).toBe(400);
    expect(bind([l], [g], [{ pid: 400, cwd: '/other', files: [] }]).size).toBe(0);
  });

  test('an earlier binding sticks to the same (pid, start) with 0.7, not to a reused pid', () => {
    const prev = new Map([['claude:s1', { sessionKey: 'claude:s1', processKey: claudeA.key, pid: 100, evidence: 'open-log' as const, confidence: 0.9 }]]);
    expect(bind([log({})], [claudeA], [{ pid: 100, cwd: '/nowhere', files: [] }], prev).get('claude:s1')).toMatchObject({ evidence: 'sticky', confidence: 0.7 });
    const reused = proc(100, { name: 'claude', cmdline: 'claude', startTicks: 424242 });
    expect(bind([log({})], [reused], [{ pid: 100, cwd: '/nowhere', files: [] }], prev).size).toBe(0);
  });

  test('one process, one session: two logs in one cwd bind the newest to the newest process', () => {
    const older = log({ sessionId: 'old', logPath: '/o.jsonl', lastActivityMs: 1_700_000_010_000 });
    const newer = log({ sessionId: 'new', logPath: '/n.jsonl', lastActivityMs: 1_700_000_090_000 });
    const b = bind([older, newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }, { pid: 200, cwd: '/w', files: [] }]);
    expect(b.get('claude:new')?.pid).toBe(200);
    expect(b.get('claude:old')?.pid).toBe(100);
    // Two agents in one directory: both bindings are guesses (0.3), and a policy will not act on them.
    expect(b.get('claude:new')).toMatchObject({ evidence: 'cwd-guess', confidence: 0.3 });
    expect(b.get('claude:old')).toMatchObject({ evidence: 'cwd-guess', confidence: 0.3 });
    expect(b.get('claude:old')!.confidence).toBeLessThan(ACT_CONFIDENCE);
    // A guess is not promoted to sticky (0.7), and it does not flip when the other log becomes the newest.
    const olderNow = { ...older, lastActivityMs: 1_700_000_095_000 };
    const again = bind([olderNow, newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }, { pid: 200, cwd: '/w', files: [] }], b);
    expect(again.get('claude:old')).toMatchObject({ pid: 100, evidence: 'cwd-guess' });
    expect(again.get('claude:new')).toMatchObject({ pid: 200, evidence: 'cwd-guess' });
    // Once the other agent is gone, the one left in the directory is no guess.
    const alone = bind([olderNow, newer], [claudeA], [{ pid: 100, cwd: '/w', files: [] }], again);
    expect(alone.get('claude:old')).toMatchObject({ pid: 100, evidence: 'cwd', confidence: 0.55 });
    // A binding by directory made while one agent ran becomes a guess when a second comes to the directory
    // (it is not made sticky), and keeps its process.
    const first = bind([newer], [claudeA], [{ pid: 100, cwd: '/w', files: [] }]);
    expect(first.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd' });
    const second = bind([newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }, { pid: 200, cwd: '/w', files: [] }], first);
    expect(second.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd-guess', confidence: 0.3 });
    // A second agent not yet looked at (no cwd read: it came since the last tick) may be in the directory:
    // the binding is a guess until its cwd is known, and is bound to the process known to be there.
    const unseen = bind([newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }], first);
    expect(unseen.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd-guess', confidence: 0.3 });
    const elsewhere = bind([newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }, { pid: 200, cwd: '/other', files: [] }], unseen);
    expect(elsewhere.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd', confidence: 0.55 });
    // One looked at whose cwd cannot be read (another user's) is no rival.
    const theirs = bind([newer], [claudeA, claudeB], [{ pid: 100, cwd: '/w', files: [] }, { pid: 200, cwd: null, files: null }], first);
    expect(theirs.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd' });
    // And one whose process left the directory stays bound as it was.
    const moved = bind([newer], [claudeA], [{ pid: 100, cwd: '/elsewhere', files: [] }], first);
    expect(moved.get('claude:new')).toMatchObject({ pid: 100, evidence: 'cwd' });
  });
});

/** A session with its sums, as the field table gives them. */
const withTotals = (s: Session) => ({ ...s, ...sessionTotals(s) });

describe('buildSessions', () => {
  const agentFacts = (over: Partial<AgentSessionFacts> = {}): AgentSessionFacts => ({
    tool: 'claude', sessionId: 's1', logPath: '/l.jsonl', cwd: '/home/u/proj', model: 'claude-sonnet-4',
    tokens: { input: 10, output: 20, cacheCreation: 30, cacheRead: 40, total: 100 }, contextPercent: 42, contextTokens: 84_000, contextWindow: 200_000, lastActivityMs: 5, complete: true, unreadBytes: 0, ...over,
  });

  test('tmux sessions hold their panes and all descendants; totals are sums; ids follow the schema', () => {
    const procs = [
      proc(10, { ussBytes: 100, pssBytes: 150, rssBytes: 300, cpuPercent: 1 }),
      proc(11, { ppid: 10, ussBytes: 50, pssBytes: 60, rssBytes: 200, cpuPercent: 2 }),
      proc(12, { ppid: 11, ussBytes: null, pssBytes: null, rssBytes: 100, cpuPercent: null }),
      proc(20, { ussBytes: 7, pssBytes: null, rssBytes: null, cpuPercent: null }),
      proc(30, { ussBytes: 9 }),
    ];
    const snap = snapshot(procs);
    const r = buildSessions(snap, {
      tmux: [
        { socket: 'default', sessionId: '$0', sessionName: 'my work', panePid: 10 },
        { socket: 'default', sessionId: '$0', sessionName: 'my work', panePid: 20 },
        { socket: 'other', sessionId: '$3', sessionName: 'x', panePid: 999 },
      ],
      agents: [],
      bindings: new Map(),
      trees: [{ pid: 30, startTicks: procs[4].startTicks }, { pid: 31, startTicks: 1 }],
    });
    const work = withTotals(r.sessions.find((s) => s.id === 'tmux:default:$0')!);
    expect(work).toMatchObject({ kind: 'tmux', name: 'my work', pids: [10, 11, 12, 20], ussBytes: 157, pssBytes: 210, rssBytes: 600, cpuPercent: 3 });
    expect(r.sessions.find((s) => s.id === 'tmux:other:$3')!.pids).toEqual([]);
    expect(r.sessions.find((s) => s.id === `tree:30:${procs[4].startTicks}`)!.pids).toEqual([30]);
    expect(r.sessions.some((s) => s.id.startsWith('tree:31:'))).toBe(false); // exited pick
    expect(r.sessions[0]).toMatchObject({ id: 'pod', kind: 'pod', agent: null });
    expect(r.membership.idsOf(procs[2])).toEqual(['pod', 'tmux:default:$0']);
    expect(r.membership.labelOf(procs[2])).toBe('my work');
    expect(r.membership.idsOf(procs[3])).toEqual(['pod', 'tmux:default:$0']);
  });

  test('an agent session takes its bound process tree; unbound it has no processes but keeps its tokens', () => {
    const agent = proc(50, { name: 'claude', cmdline: 'claude', ussBytes: 1000 });
    const tool = proc(51, { ppid: 50, name: 'rg', ussBytes: 10 });
    const snap = snapshot([agent, tool]);
    const bindings = new Map([['claude:s1', { sessionKey: 'claude:s1', processKey: agent.key, pid: 50, evidence: 'open-log' as const, confidence: 0.9 }]]);
    const r = buildSessions(snap, { tmux: [], agents: [agentFacts(), agentFacts({ sessionId: 's2' })], bindings, trees: [] });
    const s1 = withTotals(r.sessions.find((s) => s.id === 'agent:claude:s1')!);
    expect(s1).toMatchObject({ kind: 'agent', name: 'claude proj', pids: [50, 51], ussBytes: 1010 });
    expect(s1.agent).toMatchObject({ tool: 'claude', model: 'claude-sonnet-4', evidence: 'open-log', confidence: 0.9, contextPercent: 42, contextTokens: 84_000, contextWindow: 200_000, complete: true, unreadBytes: 0 });
    const s2 = withTotals(r.sessions.find((s) => s.id === 'agent:claude:s2')!);
    expect(s2).toMatchObject({ pids: [], ussBytes: null });
    expect(s2.agent).toMatchObject({ evidence: null, confidence: null, tokens: { total: 100 } });
    // What the logs say of their completeness reaches the session.
    const partial = buildSessions(snap, { tmux: [], agents: [agentFacts({ complete: false, unreadBytes: 4096 })], bindings, trees: [] });
    expect(partial.sessions.find((s) => s.id === 'agent:claude:s1')!.agent).toMatchObject({ complete: false, unreadBytes: 4096 });
    expect(r.membership.labelOf(tool)).toBe('claude proj');
  });
});

describe('TreeCache', () => {
  test('the same tree while the list holds the same processes with the same parents; a new one when it changes', () => {
    const a = proc(10);
    const b = proc(11, { ppid: 10 });
    const c = proc(12, { ppid: 11 });
    const cache = new TreeCache();
    const t1 = cache.of([a, b, c]);
    expect(subtree(t1, 10).map((p) => p.pid)).toEqual([10, 11, 12]);
    // A new array of the same objects (the next sample): the same tree.
    expect(cache.of([a, b, c])).toBe(t1);
    // Reparented in place (the Sampler updates a ProcessStat): rebuilt.
    c.ppid = 10;
    const t2 = cache.of([a, b, c]);
    expect(t2).not.toBe(t1);
    expect(t2.children.get(10)!.map((p) => p.pid)).toEqual([11, 12]);
    expect(t2).toEqual(buildTree([a, b, c]));
    // One left, one came, another order: rebuilt each time.
    expect(cache.of([a, b])).not.toBe(t2);
    const d = proc(13, { ppid: 12 });
    expect(subtree(cache.of([a, b, c, d]), 12).map((p) => p.pid)).toEqual([12, 13]);
    expect(cache.of([d, c, b, a])).toEqual(buildTree([d, c, b, a]));
  });
});

describe('runMembers', () => {
  // Leader 50 (setsid: sid 50) started at tick 5000; 51 its child, 52 a process of its session that left
  // the tree (re-parented), 60 another session's.
  const leader = proc(50, { startTicks: 5000 });
  const child = proc(51, { ppid: 50, sid: 50, startTicks: 5001 });
  const away = proc(52, { ppid: 1, sid: 50, startTicks: 5002 });
  const other = proc(60, { sid: 60, startTicks: 5003 });

  test('a live leader: its tree and its kernel session\'s later processes', () => {
    const ps = [leader, child, away, other];
    expect(runMembers({ pid: 50, startTicks: 5000 }, ps, buildTree(ps)).map((p) => p.pid).sort()).toEqual([50, 51, 52]);
  });

  test('a lost run whose leader died: what its session left, and never a newcomer that reused the pid for a session', () => {
    const orphan = proc(51, { ppid: 1, sid: 50, startTicks: 5001 });
    const zombie = proc(50, { startTicks: 5000, state: 'Z' });
    // pid 50 reused at tick 9000 by a new session leader, with a child of its own.
    const reused = proc(50, { startTicks: 9000 });
    const reusedKid = proc(53, { ppid: 50, sid: 50, startTicks: 9001 });
    const ps = [zombie, orphan, away, other];
    const gone = { pid: 50, startTicks: 5000, leaderGoneTicks: 8000 };
    expect(runMembers(gone, ps, buildTree(ps)).map((p) => p.pid).sort()).toEqual([51, 52]);
    const later = [reused, orphan, away, other, reusedKid];
    expect(runMembers(gone, later, buildTree(later)).map((p) => p.key).sort()).toEqual(['51:5001', '52:5002']);
    // Without the bound (the leader taken as alive), the newcomer's session would have been taken in.
    expect(runMembers({ pid: 50, startTicks: 5000 }, later, buildTree(later)).map((p) => p.key)).toContain('53:9001');
  });
});
