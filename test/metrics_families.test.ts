// lib/metrics with plain frames: which series a frame gives (sessions, cgroup, agents, runs, top-N), the
// caps, labels made safe, counters that never fall, both formats over several renderings (client_js #829),
// and the text format checked by promtool.
import { spawnSync } from 'child_process';
import { negotiateFormat } from '../lib/metrics/accept';
import { collectFamilies, COUNTER_FIELDS, Family, FAMILIES, MAX_TOP_N } from '../lib/metrics/families';
import { labelValue, sessionLabel, uniqueSessionLabels } from '../lib/metrics/labels';
import { renderFamilies } from '../lib/metrics/render';
import { MetricsRenderer } from '../lib/metrics/renderer';
import { SessionCounters } from '../lib/metrics/session_counters';
import { AgentInfo, Session, sessionOf } from '../lib/model/sessions';
import { cgroup, proc, snapshot, TestFrame } from './helpers/process_stat';

const MiB = 1024 * 1024;
const OPTS = { topN: 0, sessionLimit: 200, version: '9.9.9' };

/** The samples of one family as `labels → value`, labels written k=v,k=v in label order. */
function series(fams: Family[], name: string): Record<string, number> {
  const f = fams.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name}`);
  const out: Record<string, number> = {};
  for (const s of f.samples) out[Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')] = s.value;
  return out;
}

const agentInfo = (over: Partial<AgentInfo> = {}): AgentInfo => ({
  tool: 'claude', sessionId: '0b6f1a2e-5c1d', model: 'claude-sonnet-4', cwd: '/home/u/secret-project', logPath: '/home/u/.claude/projects/x/0b6f.jsonl',
  tokens: { input: 1200, output: 300, cacheCreation: null, cacheRead: 50_000, total: 51_500 },
  contextPercent: 25.7, contextTokens: 51_400, contextWindow: 200_000, evidence: 'open-fd', confidence: 0.9, complete: true, unreadBytes: 0, ...over,
});

/** Three processes: 10 and 11 in tmux session "work" and an agent session, 12 alone in the pod. */
function frame(over: { procs?: ReturnType<typeof proc>[]; sessions?: (ps: ReturnType<typeof proc>[]) => Session[] } = {}): TestFrame {
  const ps = over.procs ?? [proc(10, { cmdline: 'python3 train.py --token=hunter2' }), proc(11), proc(12, { pssBytes: 500 * MiB })];
  const sessions = over.sessions
    ? over.sessions(ps)
    : [sessionOf('tmux:default:$1', 'tmux', 'work', [ps[0], ps[1]]), sessionOf('agent:claude:0b6f1a2e-5c1d', 'agent', 'claude secret-project', [ps[1]], { agent: agentInfo() })];
  return snapshot(ps, {}, sessions);
}

describe('collectFamilies', () => {
  test('session series by kind and session label; the overlap of kinds is in HELP; gauges and counters', () => {
    const fams = collectFamilies(frame(), OPTS);
    expect(series(fams, 'spmon_session_memory_pss_bytes')).toEqual({
      'kind=pod,session=pod': (10 + 11 + 500) * MiB,
      'kind=tmux,session=work': 21 * MiB,
      'kind=agent,session=0b6f1a2e-5c1d': 11 * MiB,
    });
    expect(series(fams, 'spmon_session_processes')).toEqual({ 'kind=pod,session=pod': 3, 'kind=tmux,session=work': 2, 'kind=agent,session=0b6f1a2e-5c1d': 1 });
    // proc(): cpuUserSeconds pid/100, cpuSystemSeconds pid/1000; one rendering: the members' sums.
    expect(series(fams, 'spmon_session_cpu_seconds_total')['kind=tmux,session=work,mode=user']).toBeCloseTo(0.21, 9);
    expect(series(fams, 'spmon_session_cpu_seconds_total')['kind=tmux,session=work,mode=system']).toBeCloseTo(0.021, 9);
    expect(series(fams, 'spmon_session_read_bytes_total')['kind=tmux,session=work']).toBe(21 * 4096);
    const pss = fams.find((f) => f.name === 'spmon_session_memory_pss_bytes')!;
    expect(pss.type).toBe('gauge');
    expect(pss.help).toMatch(/never sum across kind/);
    expect(fams.find((f) => f.name === 'spmon_session_cpu_seconds_total')!.type).toBe('counter');
    // Every family name is in base units with the spmon_ prefix; counters end in _total; no percentages.
    for (const f of FAMILIES) {
      expect(f.name).toMatch(/^spmon_[a-z_]+$/);
      expect(f.name.endsWith('_total')).toBe(f.type === 'counter');
      expect(f.name).not.toMatch(/percent/);
    }
  });

  test('a session whose members\' USS is not all known says how many are not, beside a USS summed over the rest', () => {
    const ps = [proc(10, { ussBytes: 5 * MiB }), proc(11, { ussBytes: null, pssBytes: null, memoryDenied: true }), proc(12, { ussBytes: null, state: 'Z' }), proc(13, { ussBytes: null, kernelThread: true })];
    const fams = collectFamilies(frame({ procs: ps, sessions: (q) => [sessionOf('tmux:default:$1', 'tmux', 'work', [q[0], q[1], q[2], q[3]]), sessionOf('tmux:default:$2', 'tmux', 'known', [q[0]])] }), OPTS);
    // The zombie and the kernel thread have no memory of their own: only the unreadable one is unknown.
    expect(series(fams, 'spmon_session_memory_unknown_processes')).toMatchObject({ 'kind=tmux,session=work': 1, 'kind=tmux,session=known': 0 });
    expect(series(fams, 'spmon_session_memory_uss_bytes')['kind=tmux,session=work']).toBe(5 * MiB);
    expect(fams.find((f) => f.name === 'spmon_session_memory_unknown_processes')!.help).toMatch(/sums of the rest/);
  });

  test('cgroup series; no limit series when there is no limit; no cgroup series at all without a cgroup; unknown is no series, not 0', () => {
    const f = frame();
    let fams = collectFamilies(f, OPTS);
    expect(series(fams, 'spmon_cgroup_memory_usage_bytes')).toEqual({ '': 512 * MiB });
    expect(series(fams, 'spmon_cgroup_memory_working_set_bytes')).toEqual({ '': 400 * MiB });
    expect(series(fams, 'spmon_cgroup_memory_limit_bytes')).toEqual({ '': 1024 * MiB });
    expect(series(fams, 'spmon_cgroup_memory_threshold_ratio')).toEqual({ '': 0.8 });
    expect(series(fams, 'spmon_cgroup_oom_kills_total')).toEqual({ '': 0 });
    expect(series(fams, 'spmon_cgroup_cpu_usage_seconds_total')).toEqual({ '': 100 });
    expect(series(fams, 'spmon_cgroup_cpu_quota_cores')).toEqual({ '': 2 });

    fams = collectFamilies({ ...f, cgroup: cgroup({ limitBytes: null, workingSetBytes: null }, { quotaCores: null }) }, OPTS);
    expect(series(fams, 'spmon_cgroup_memory_limit_bytes')).toEqual({});
    expect(series(fams, 'spmon_cgroup_memory_working_set_bytes')).toEqual({});
    expect(series(fams, 'spmon_cgroup_cpu_quota_cores')).toEqual({});
    expect(series(fams, 'spmon_cgroup_memory_usage_bytes')).toEqual({ '': 512 * MiB });

    fams = collectFamilies({ ...f, cgroup: { ...cgroup(), version: null } }, OPTS);
    for (const name of ['usage', 'working_set', 'limit']) expect(series(fams, `spmon_cgroup_memory_${name}_bytes`)).toEqual({});
    expect(series(fams, 'spmon_cgroup_oom_kills_total')).toEqual({});
  });

  test('agents: tokens by type (a type the tool does not report has no series), context used and limit; the model label, never the cwd', async () => {
    const fams = collectFamilies(frame(), OPTS);
    const base = 'tool=claude,session=0b6f1a2e-5c1d,model=claude-sonnet-4';
    expect(series(fams, 'spmon_agent_tokens_total')).toEqual({ [`${base},type=input`]: 1200, [`${base},type=output`]: 300, [`${base},type=cache_read`]: 50_000 });
    expect(series(fams, 'spmon_agent_context_used_tokens')).toEqual({ [base]: 51_400 });
    expect(series(fams, 'spmon_agent_context_limit_tokens')).toEqual({ [base]: 200_000 });
    // The fill as the tool shows it (the frame's contextPercent), not recomputed from the two parts.
    const pct = frame().sessions.find((x) => x.kind === 'agent')!.agent!.contextPercent!;
    expect(series(fams, 'spmon_agent_context_ratio')).toEqual({ [base]: pct / 100 });
    const text = await renderFamilies(fams, 'prometheus');
    expect(text).not.toContain('secret-project');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('.jsonl');
  });

  test('an agent session with no live process (ended) has no series; neither has an ended tmux session', () => {
    const fams = collectFamilies(
      frame({
        sessions: (ps) => [
          sessionOf('tmux:default:$1', 'tmux', 'gone', []),
          sessionOf('agent:claude:old', 'agent', 'claude old', [], { agent: agentInfo({ sessionId: 'old' }) }),
          sessionOf('tmux:default:$2', 'tmux', 'live', [ps[0]]),
        ],
      }),
      OPTS,
    );
    expect(Object.keys(series(fams, 'spmon_session_processes'))).toEqual(['kind=pod,session=pod', 'kind=tmux,session=live']);
    expect(series(fams, 'spmon_agent_tokens_total')).toEqual({});
  });

  test('the session cap keeps the pod and the sessions with the most PSS; the rest are counted by kind', () => {
    const ps = Array.from({ length: 6 }, (_, i) => proc(20 + i, { pssBytes: (i + 1) * MiB }));
    const f = frame({ procs: ps, sessions: (p) => p.map((x, i) => sessionOf(`tmux:default:$${i}`, 'tmux', `s${i}`, [x])) });
    const fams = collectFamilies(f, { ...OPTS, sessionLimit: 2 });
    expect(Object.keys(series(fams, 'spmon_session_memory_pss_bytes'))).toEqual(['kind=pod,session=pod', 'kind=tmux,session=s5', 'kind=tmux,session=s4']);
    expect(series(fams, 'spmon_sessions_omitted')).toEqual({ 'kind=tmux': 4, 'kind=agent': 0, 'kind=tree': 0, 'kind=run': 0 });
    const none = collectFamilies(f, { ...OPTS, sessionLimit: 0 });
    expect(Object.keys(series(none, 'spmon_session_memory_pss_bytes'))).toEqual(['kind=pod,session=pod']);
  });

  test('top-N processes by PSS with pid and comm labels, never more than 100; the rest counted as omitted', () => {
    const ps = Array.from({ length: 150 }, (_, i) => proc(100 + i, { pssBytes: (i + 1) * 1000, name: i === 149 ? 'evil\x1b[2J\u202ename-that-is-far-too-long-for-a-label-value-really' : `p${i}` }));
    ps.push(proc(999, { pssBytes: null }));
    const f = frame({ procs: ps, sessions: () => [] });
    const top = collectFamilies(f, { ...OPTS, topN: 3 });
    const pss = series(top, 'spmon_process_memory_pss_bytes');
    expect(Object.values(pss)).toEqual([150_000, 149_000, 148_000]);
    const first = top.find((x) => x.name === 'spmon_process_memory_pss_bytes')!.samples[0].labels;
    expect(first.pid).toBe('249');
    expect(first.comm).not.toMatch(/[\x00-\x1f\u202e]/);
    expect(Array.from(first.comm).length).toBeLessThanOrEqual(32);
    expect(series(top, 'spmon_process_cpu_seconds_total')['pid=249,comm=' + first.comm + ',mode=user']).toBeCloseTo(2.49, 9);
    expect(series(top, 'spmon_processes_omitted')).toEqual({ '': 148 });
    const capped = collectFamilies(f, { ...OPTS, topN: 1000 });
    expect(Object.keys(series(capped, 'spmon_process_memory_pss_bytes'))).toHaveLength(MAX_TOP_N);
    expect(series(collectFamilies(f, OPTS), 'spmon_process_memory_pss_bytes')).toEqual({});
  });

  test('supervised sessions: state and restarts, labelled as their sessions', () => {
    const f = frame({ sessions: (ps) => [sessionOf('run:web', 'run', 'web', [ps[0]])] });
    const fams = collectFamilies(f, { ...OPTS, runs: [{ id: 'run:web', name: 'web', state: 'running', restarts: 2 }, { id: 'run:job', name: 'job', state: 'exited', restarts: 0 }] });
    expect(series(fams, 'spmon_run_state')).toEqual({ 'session=web,state=running': 1, 'session=job,state=exited': 1 });
    expect(series(fams, 'spmon_run_restarts_total')).toEqual({ 'session=web': 2, 'session=job': 0 });
    expect(series(fams, 'spmon_session_processes')['kind=run,session=web']).toBe(1);
  });

  test('self: build info, frame time, sample and scrape durations', () => {
    const fams = collectFamilies(frame(), OPTS);
    expect(series(fams, 'spmon_build_info')).toEqual({ [`version=9.9.9,nodejs=${process.versions.node}`]: 1 });
    expect(series(fams, 'spmon_frame_timestamp_seconds')).toEqual({ '': 1_700_000_100 });
    expect(series(fams, 'spmon_sample_duration_seconds')).toEqual({ '': 0.001 });
    expect(Object.values(series(fams, 'spmon_scrape_duration_seconds'))[0]).toBeGreaterThan(0);
  });
});

describe('labels', () => {
  test('control characters and bidi overrides are made visible; long values are cut by code points', () => {
    expect(labelValue('a\x1b[31mb\u202e')).toBe('a\u241b[31mb\ufffd');
    const long = '😀'.repeat(100);
    const cut = labelValue(long);
    expect(Array.from(cut)).toHaveLength(64);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(labelValue(null)).toBe('');
  });

  test('session labels by kind: tmux names (socket/name off the default server), agent ids, tree names; duplicates told apart', () => {
    const p = proc(5);
    const a = sessionOf('tmux:default:$1', 'tmux', 'main', [p]);
    const b = sessionOf('tmux:work:sock:$4', 'tmux', 'main', [p]);
    const c = sessionOf('tmux:other:$2', 'tmux', 'work:sock/main', [p]);
    expect([a, b].map(sessionLabel)).toEqual(['main', 'work:sock/main']);
    expect(uniqueSessionLabels([a, b, c])).toEqual(['main', 'work:sock/main', 'other/work:sock/main']);
    const d = sessionOf('tmux:default:$9', 'tmux', 'main', [p]);
    expect(uniqueSessionLabels([a, d])).toEqual(['main', 'main~2']);
    const ag = sessionOf('agent:codex:abc', 'agent', 'codex my-secret-dir', [p], { agent: agentInfo({ tool: 'codex', sessionId: 'abc' }) });
    expect(sessionLabel(ag)).toBe('abc');
    expect(sessionLabel(sessionOf('pod', 'pod', '/kubepods/x', [p]))).toBe('pod');
  });
});

describe('session counters', () => {
  const counters = () => new SessionCounters(COUNTER_FIELDS);
  const user = (c: SessionCounters, s: Session) => c.update([s]).get(s.id)![COUNTER_FIELDS.findIndex((f) => f.key === 'cpuUser')];

  test('never fall: a member that exits keeps what it added; a new member adds its whole CPU time; growth is added', () => {
    const c = counters();
    const a = proc(1, { cpuUserSeconds: 10 });
    const b = proc(2, { cpuUserSeconds: 5 });
    expect(user(c, sessionOf('s', 'tmux', 's', [a, b]))).toBe(15);
    a.cpuUserSeconds = 12;
    expect(user(c, sessionOf('s', 'tmux', 's', [a]))).toBe(17); // b exited: its 5 stay; a grew by 2
    const n = proc(3, { cpuUserSeconds: 1 });
    expect(user(c, sessionOf('s', 'tmux', 's', [a, n]))).toBe(18);
  });

  test('a reused pid is a new member; an unknown value adds nothing and is not 0; a session that ends is forgotten', () => {
    const c = counters();
    const idx = COUNTER_FIELDS.findIndex((f) => f.key === 'readTotal');
    const old = proc(7, { startTicks: 100, readBytesTotal: 1000 });
    c.update([sessionOf('s', 'tmux', 's', [old])]);
    const reused = proc(7, { startTicks: 200, readBytesTotal: 10 });
    expect(c.update([sessionOf('s', 'tmux', 's', [reused])]).get('s')![idx]).toBe(1010);
    const unknown = counters().update([sessionOf('u', 'tmux', 'u', [proc(8, { readBytesTotal: null })])]).get('u')![idx];
    expect(Number.isNaN(unknown)).toBe(true);
    c.update([]);
    expect(c.update([sessionOf('s', 'tmux', 's', [reused])]).get('s')![idx]).toBe(10);
  });
});

describe('rendering', () => {
  const promtool = (text: string) => spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });

  test('both formats, alternating over several renderings of new frames, keep every counter name (client_js #829)', async () => {
    const r = new MetricsRenderer({ topN: 2, sessionLimit: 10, version: '1.0.0' });
    const texts: { format: string; text: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const f = frame();
      for (const format of ['openmetrics', 'prometheus', 'openmetrics', 'prometheus'] as const) texts.push({ format, text: (await r.render(f, format)).toString() });
    }
    for (const { format, text } of texts) {
      if (format === 'prometheus') {
        expect(text).toMatch(/^# TYPE spmon_session_cpu_seconds_total counter$/m);
        expect(text).toMatch(/^spmon_cgroup_oom_kills_total 0$/m);
        expect(text).not.toContain('# EOF');
        const check = promtool(text);
        expect(check.stdout + check.stderr).toBe('');
        expect(check.status).toBe(0);
      } else {
        // OpenMetrics: the family is named without _total, its samples with it; the exposition ends in # EOF.
        expect(text).toMatch(/^# TYPE spmon_session_cpu_seconds counter$/m);
        expect(text).toMatch(/^spmon_session_cpu_seconds_total\{kind="tmux",session="work",mode="user"\} /m);
        expect(text).toMatch(/^spmon_cgroup_oom_kills_total 0$/m);
        expect(text.endsWith('# EOF\n')).toBe(true);
      }
    }
  });

  test('one rendering per frame: every render of the same frame shares it; a new frame renders again', async () => {
    const r = new MetricsRenderer({ version: '1.0.0' });
    const f = frame();
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => r.render(f, i % 2 ? 'openmetrics' : 'prometheus', i % 4 === 0)));
    expect(r.renderings).toBe(1);
    expect(all[0]).toBe(all[4]); // the same gzip of the same text
    await r.render(frame(), 'prometheus');
    expect(r.renderings).toBe(2);
  });

  test('a label value with quotes, backslashes and newlines is escaped, and promtool accepts it', async () => {
    const f = frame({ sessions: (ps) => [sessionOf('tmux:default:$1', 'tmux', 'a"b\\c\nd', [ps[0]])] });
    const text = await renderFamilies(collectFamilies(f, OPTS), 'prometheus');
    expect(text).toContain('session="a\\"b\\\\c\u240ad"');
    expect(promtool(text).status).toBe(0);
  });
});

describe('negotiateFormat', () => {
  test.each([
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5', 'prometheus'],
    ['application/openmetrics-text; version=0.0.1', 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['*/*', 'prometheus'],
    ['', 'prometheus'],
    [undefined, 'prometheus'],
  ])('%s -> %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});
