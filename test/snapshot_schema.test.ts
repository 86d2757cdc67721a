// docs/snapshot.schema.json itself: it accepts what snapshotJson builds (every kind of session) and
// rejects documents that break spmon.snapshot/v1 as docs/design.md defines it.
import { Sampler } from '../lib/model/sampler';
import { AgentInfo, podProvider, sessionOf } from '../lib/model/sessions';
import { buildTree } from '../lib/model/tree';
import { snapshotJson } from '../lib/view/snapshot_json';
import { toSafeJson } from '../lib/view/sanitize';
import { processStat, rawCgroup, rawHost, rawSample } from './helpers/raw';
import { schemaErrors } from './helpers/schema';

const agent: AgentInfo = {
  tool: 'claude',
  sessionId: '0b6f1a2e-5c1d-4f7e-9a39-4e2f3c1d0a11',
  model: 'claude-sonnet-4',
  cwd: '/home/u/project',
  logPath: '/home/u/.claude/projects/x/0b6f.jsonl',
  tokens: { input: 1200, output: 300, cacheCreation: null, cacheRead: 50_000, total: 51_500 },
  contextPercent: 25.7,
  contextTokens: 51_400,
  contextWindow: 200_000,
  evidence: 'open-fd',
  confidence: 0.9,
  complete: true,
  unreadBytes: 0,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function document(): Json {
  const sampler = new Sampler();
  const raw = (utime: number) =>
    rawSample(
      [
        { pid: 1, name: 'init', cmdline: '/sbin/init', utime, privateClean: 0, privateDirty: 4096, pss: 4096, rss: 8192, readBytes: 0, writeBytes: 0 },
        { pid: 2, name: 'kthreadd', cmdline: '', kernelThread: true },
        { pid: 3, name: 'zombie', cmdline: '', state: 'Z' },
      ],
      rawHost(),
      rawCgroup({ memCurrent: 100, memLimit: 1000, inactiveFile: 10, cpuUsageUsec: utime * 1000, cpuQuotaCores: 0.5, oomKills: 0 }),
    );
  sampler.ingest(raw(0), 0, 1_700_000_000_000);
  const snap = sampler.ingest(raw(50), 1000, 1_700_000_001_000);
  const ps = snap.processes;
  const sessions = [
    ...podProvider.sessions({ snap, tree: () => buildTree(snap.processes) }),
    sessionOf('tmux:default:$1', 'tmux', 'work', [ps[0]]),
    sessionOf(`agent:claude:${agent.sessionId}`, 'agent', 'project', [ps[0]], { agent }),
    sessionOf('tree:1:5', 'tree', 'init', ps),
  ];
  const doc = snapshotJson({
    ...snap,
    host: { ...snap.host, name: 'host', kernel: '6.1.0' },
    processes: ps,
    sessions,
    ctx: { userName: (uid) => (uid === null ? null : 'root'), sessionIdsOf: () => ['pod'], sessionLabelOf: () => null },
  });
  return JSON.parse(toSafeJson(doc));
}

describe('snapshot schema', () => {
  test('accepts a document built by snapshotJson, with pod, tmux, agent and tree sessions', () => {
    const doc = document();
    expect(schemaErrors(doc)).toBe('');
    expect(doc.sessions.map((s: Json) => s.kind)).toEqual(['pod', 'tmux', 'agent', 'tree']);
    expect(doc.processes[0].cpuPercent).toBe(50);
    expect(doc.cgroup.cpu.usagePercent).toBe(10);
  });

  test('accepts unknowns as null and extra fields anywhere', () => {
    const doc = document();
    doc.host.memTotalBytes = null;
    doc.intervalMs = null;
    doc.cgroup = {
      version: null, path: null, cpu: { quotaCores: null, usagePercent: null },
      memory: { currentBytes: null, limitBytes: null, highBytes: null, workingSetBytes: null, anonBytes: null, fileBytes: null, shmemBytes: null, thresholdPercent: 80, oomKills: null },
    };
    doc.extra = { anything: true };
    doc.processes[0].newField = 'welcome';
    doc.sessions[2].agent.extra = 1;
    expect(schemaErrors(doc)).toBe('');
  });

  // Each case breaks one rule of the design and must be rejected.
  const breakers: [string, (d: Json) => void][] = [
    ['wrong schema name', (d) => (d.schema = 'spmon.snapshot/v2')],
    ['time not ISO 8601', (d) => (d.time = 'yesterday')],
    ['missing top-level key', (d) => delete d.sessions],
    ['cgroup null instead of an object', (d) => (d.cgroup = null)],
    ['cgroup version 3', (d) => (d.cgroup.version = 3)],
    ['missing cgroup.memory.limitBytes (unknown must be null, not absent)', (d) => delete d.cgroup.memory.limitBytes],
    ['missing cgroup.cpu.quotaCores', (d) => delete d.cgroup.cpu.quotaCores],
    ['missing host.uptimeSec', (d) => delete d.host.uptimeSec],
    ['process without sessionIds', (d) => delete d.processes[0].sessionIds],
    ['process missing ussBytes', (d) => delete d.processes[0].ussBytes],
    ['bytes as a string', (d) => (d.processes[0].rssBytes = '8192')],
    ['negative bytes', (d) => (d.processes[0].pssBytes = -1)],
    ['system not a boolean', (d) => (d.processes[0].system = null)],
    ['session kind unknown', (d) => (d.sessions[1].kind = 'screen')],
    ['agent session with agent null', (d) => (d.sessions[2].agent = null)],
    ['tmux session with an agent object', (d) => (d.sessions[1].agent = d.sessions[2].agent)],
    ['agent tool not claude/codex/gemini', (d) => (d.sessions[2].agent.tool = 'copilot')],
    ['agent without tokens', (d) => delete d.sessions[2].agent.tokens],
    ['agent without complete', (d) => delete d.sessions[2].agent.complete],
    ['agent complete not a boolean', (d) => (d.sessions[2].agent.complete = 'yes')],
    ['agent without unreadBytes', (d) => delete d.sessions[2].agent.unreadBytes],
    ['session id of no known form', (d) => (d.sessions[3].id = 'tree-1')],
    ['session missing agent key', (d) => delete d.sessions[0].agent],
  ];
  test.each(breakers)('rejects: %s', (_what, mutate) => {
    const doc = document();
    mutate(doc);
    expect(schemaErrors(doc)).not.toBe('');
  });
});
