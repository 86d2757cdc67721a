// `spmon tokens` end to end: bin/spmon with a private HOME holding Claude, Codex and Gemini logs written by
// the test; the table, the JSON against docs/tokens.schema.json, and the exit status scripts act on.
import * as fs from 'fs';
import * as path from 'path';
import { writeClaudeLog, writeCodexLog, writeGeminiLog, WrittenLog } from './helpers/agent_logs';
import { Children, python3, waitForLine } from './helpers/children';
import { CliResult, runCli } from './helpers/cli';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { tokensSchemaErrors } from './helpers/schema';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const CLAUDE_SID = 'aaaa1111-1111-4111-8111-111111111111';
const CODEX_SID = 'bbbb2222-2222-4222-8222-222222222222';
const GEMINI_SID = 'cccc3333-3333-4333-8333-333333333333';

interface TokensDoc {
  schema: string;
  time: string;
  worst: string | null;
  sessions: {
    id: string;
    tool: string;
    sessionId: string;
    model: string | null;
    cwd: string | null;
    logPath: string | null;
    pids: number[];
    running: boolean;
    tokens: Record<string, number | null>;
    contextPercent: number | null;
    level: string | null;
    lastActivity: string | null;
    evidence: string | null;
    confidence: number | null;
    complete: boolean;
  }[];
}

interface Home {
  claude: WrittenLog;
  codex: WrittenLog;
  gemini: WrittenLog;
}

/**
 * Logs of the three tools in `home`. Context: Claude `claudePct` % of 200k (claude-sonnet-4-5), Codex
 * `codexPct` % of its 272k window, Gemini 3000 of 1,048,576 (0.3 %).
 */
function writeHome(home: string, claudePct: number, codexPct: number, hostile: { model?: string; cwd?: string } = {}): Home {
  const claudeCtx = Math.round((claudePct * 200_000) / 100);
  const claude = writeClaudeLog(home, {
    sessionId: CLAUDE_SID,
    cwd: hostile.cwd ?? '/srv/spmon-tokens/claude-proj',
    model: hostile.model ?? 'claude-sonnet-4-5-20250929',
    // input + cache creation + cache read of the last request = claudeCtx
    last: { input: 400, cacheCreation: 1600, cacheRead: claudeCtx - 2000, output: 300 },
    agoMs: 3000,
  });
  const codex = writeCodexLog(home, {
    sessionId: CODEX_SID,
    cwd: '/srv/spmon-tokens/codex-proj',
    model: 'gpt-5-codex',
    total: { input: 300_000, cached: 250_000, output: 5_000 },
    // Codex's own definition: (last total_tokens - 12,000) / (window - 12,000); the last request writes 10 tokens.
    lastInput: 12_000 + Math.round((codexPct * 260_000) / 100) - 10,
    window: 272_000,
    agoMs: 6000,
  });
  const gemini = writeGeminiLog(home, {
    sessionId: GEMINI_SID,
    projectRoot: '/srv/spmon-tokens/gemini-proj',
    model: 'gemini-2.5-pro',
    last: { input: 3000, cached: 2500, output: 100, total: 3110 },
    agoMs: 9000,
  });
  return { claude, codex, gemini };
}

let pe: PrivateEnv;
const kids: Children[] = [];

beforeEach(() => {
  pe = privateEnv();
});

afterEach(async () => {
  for (const k of kids.splice(0)) await k.killAll();
  pe.dispose();
});

const tokens = (...args: string[]) => runCli(['tokens', ...args], { HOME: pe.home, TMUX_TMPDIR: pe.env.TMUX_TMPDIR });

function parse(r: CliResult): TokensDoc {
  expect(r.stderr).toBe('');
  expect(r.stdout).not.toMatch(RAW_CONTROL);
  const doc = JSON.parse(r.stdout) as TokensDoc;
  expect(tokensSchemaErrors(doc)).toBe('');
  return doc;
}

const byTool = (d: TokensDoc, tool: string) => d.sessions.find((s) => s.tool === tool)!;
const tableRow = (out: string, tool: string) => out.split('\n').find((l) => l.startsWith(`${tool} `))!;

describe('spmon tokens: all three tools, every context level below warn', () => {
  let h: Home;
  beforeEach(() => {
    h = writeHome(pe.home, 40, 50);
  });

  test('the table lists each session with its model, counts, context % and level; exit 0', async () => {
    const r = await tokens();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['Tool', 'Session', 'Model', 'PID', 'Input', 'Output', 'Cache+', 'Cache↺', 'Total', 'Ctx%', 'Level', 'Cwd']);
    expect(lines).toHaveLength(4);
    // Newest activity first: Claude (3 s ago), Codex (6 s), Gemini (9 s).
    expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['claude', 'codex', 'gemini']);
    // Claude: input 10+400, output 20+300 (req_1 streamed twice counts once), cache+ 100+1600,
    // cache read 1000+78000, total 81430; context (400+1600+78000)/200k = 40 %.
    expect(tableRow(r.stdout, 'claude')).toMatch(/^claude aaaa1111-… claude-sonnet-4-5-20250… +- +410 +320 +1\.7k +79\.0k +81\.4k +40 ok +\/srv\/spm…$/);
    // Codex: cumulative counts, the last one only: 50000 in (300000 - 250000 cached), 5000 out, total 305000.
    expect(tableRow(r.stdout, 'codex')).toMatch(/^codex +bbbb2222-… gpt-5-codex +- +50\.0k +5\.0k +- +250\.0k +305\.0k +50 ok +\/srv\/spm…$/);
    // Gemini: input 800+500, output 150, cached 2700, total 4190, 3000 of 1,048,576; no cwd known.
    expect(tableRow(r.stdout, 'gemini')).toMatch(/^gemini cccc3333-… gemini-2\.5-pro +- +1\.3k +150 +- +2\.7k +4\.2k +0 ok +-$/);
  });

  test('--json validates and carries the exact totals, unrounded counts, unbound sessions', async () => {
    const r = await tokens('--json');
    expect(r.code).toBe(0);
    const d = parse(r);
    expect(d.schema).toBe('spmon.tokens/v1');
    expect(Math.abs(Date.parse(d.time) - Date.now())).toBeLessThan(10 * 60_000);
    expect(d.worst).toBe('ok');
    expect(d.sessions.map((s) => s.id)).toEqual([`agent:claude:${CLAUDE_SID}`, `agent:codex:${CODEX_SID}`, `agent:gemini:${GEMINI_SID}`]);
    const keys = ['id', 'tool', 'sessionId', 'model', 'cwd', 'logPath', 'pids', 'running', 'tokens', 'contextPercent', 'level', 'lastActivity', 'evidence', 'confidence', 'complete'];
    for (const s of d.sessions) {
      expect(Object.keys(s)).toEqual(keys);
      // A one-shot command reads every log to its end.
      expect(s).toMatchObject({ pids: [], running: false, evidence: null, confidence: null, level: 'ok', complete: true });
    }
    expect(byTool(d, 'claude')).toMatchObject({
      sessionId: CLAUDE_SID, model: 'claude-sonnet-4-5-20250929', cwd: '/srv/spmon-tokens/claude-proj', logPath: h.claude.path,
      tokens: { input: 410, output: 320, cacheCreation: 1700, cacheRead: 79_000, total: 81_430 }, contextPercent: 40,
    });
    expect(byTool(d, 'claude').tokens).toEqual(h.claude.tokens);
    expect(byTool(d, 'codex')).toMatchObject({
      sessionId: CODEX_SID, model: 'gpt-5-codex', cwd: '/srv/spmon-tokens/codex-proj', logPath: h.codex.path,
      tokens: { input: 50_000, output: 5_000, cacheCreation: null, cacheRead: 250_000, total: 305_000 }, contextPercent: 50,
    });
    expect(byTool(d, 'gemini')).toMatchObject({
      sessionId: GEMINI_SID, model: 'gemini-2.5-pro', cwd: null, logPath: h.gemini.path,
      tokens: { input: 1300, output: 150, cacheCreation: null, cacheRead: 2700, total: 4190 },
      contextPercent: Math.round(h.gemini.contextPercent * 10) / 10,
    });
    // The last activity is the log's newest timestamp.
    const lastClaude = Date.parse(byTool(d, 'claude').lastActivity!);
    expect(lastClaude).toBeGreaterThan(Date.parse(byTool(d, 'codex').lastActivity!));
  });

  test('no logs at all: a sentence, an empty list, exit 0', async () => {
    fs.rmSync(path.join(pe.home, '.claude'), { recursive: true });
    fs.rmSync(path.join(pe.home, '.codex'), { recursive: true });
    fs.rmSync(path.join(pe.home, '.gemini'), { recursive: true });
    const r = await tokens();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No agent sessions found/);
    const j = await tokens('--json');
    expect(j.code).toBe(0);
    expect(parse(j)).toMatchObject({ worst: null, sessions: [] });
  });
});

describe('exit status by context level', () => {
  test('one session at 85 %: warn, exit 1', async () => {
    writeHome(pe.home, 85, 50);
    const r = await tokens();
    expect(r.code).toBe(1);
    expect(tableRow(r.stdout, 'claude')).toMatch(/ 85 warn /);
    const j = await tokens('--json');
    expect(j.code).toBe(1);
    const d = parse(j);
    expect(d.worst).toBe('warn');
    expect(byTool(d, 'claude')).toMatchObject({ contextPercent: 85, level: 'warn' });
    expect(byTool(d, 'codex')).toMatchObject({ contextPercent: 50, level: 'ok' });
  });

  test('one session at 95 %: critical, exit 2 (the worst wins over a warn)', async () => {
    writeHome(pe.home, 85, 95);
    const r = await tokens();
    expect(r.code).toBe(2);
    expect(tableRow(r.stdout, 'codex')).toMatch(/ 95 critical /);
    const j = await tokens('--json');
    expect(j.code).toBe(2);
    const d = parse(j);
    expect(d.worst).toBe('critical');
    expect(byTool(d, 'codex')).toMatchObject({ contextPercent: 95, level: 'critical' });
    expect(byTool(d, 'claude')).toMatchObject({ level: 'warn' });
    expect(byTool(d, 'gemini')).toMatchObject({ level: 'ok' });
  });

  test('the boundaries: exactly 80 % is warn, exactly 90 % is critical', async () => {
    writeHome(pe.home, 80, 90);
    const d = parse(await tokens('--json'));
    expect(byTool(d, 'claude')).toMatchObject({ contextPercent: 80, level: 'warn' });
    expect(byTool(d, 'codex')).toMatchObject({ contextPercent: 90, level: 'critical' });
  });
});

describe('--session picks one session, and the exit status is its own', () => {
  beforeEach(() => {
    writeHome(pe.home, 85, 95);
  });

  test.each([
    ['the full id', `agent:claude:${CLAUDE_SID}`, 'claude', 1],
    ['the bare session id', CLAUDE_SID, 'claude', 1],
    ['a unique prefix of the session id', 'aaaa11', 'claude', 1],
    ['a unique prefix of the full id', 'agent:gem', 'gemini', 0],
    ['the bare id of the critical one', CODEX_SID, 'codex', 2],
    ['a prefix of the critical one', 'bbbb', 'codex', 2],
  ])('%s', async (_what, id, tool, code) => {
    const j = await tokens('--session', id, '--json');
    expect(j.code).toBe(code);
    const d = parse(j);
    expect(d.sessions.map((s) => s.tool)).toEqual([tool]);
    expect(d.worst).toBe(d.sessions[0].level);
    const t = await tokens('--session', id);
    expect(t.code).toBe(code);
    expect(t.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual([tool]);
  });

  test('an unknown session: exit 3, a message on stderr naming it, nothing on stdout', async () => {
    const r = await tokens('--session', 'no-such-session');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^spmon: no agent session "no-such-session" \(known: agent:/);
    const j = await tokens('--session', 'no-such-session', '--json');
    expect(j.code).toBe(3);
    expect(j.stdout).toBe('');
  });

  test('a prefix that matches several sessions is a usage error too (exit 3)', async () => {
    const r = await tokens('--session', 'agent:');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"agent:" matches 3 sessions; give more of the id');
  });

  test('a hostile --session value is not echoed raw', async () => {
    const r = await tokens('--session', 'x\u001b]0;pwned\u0007');
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('x␛]0;pwned␇');
  });

  test('an empty --session is a usage error (exit 3), not every session', async () => {
    for (const args of [['--session', ''], ['--session', '', '--json'], ['--session=']]) {
      const r = await tokens(...args);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('spmon: --session needs a session id (agent:<tool>:<id>, the bare id, or a unique prefix); it was empty\n');
    }
    const blank = await tokens('--session', '  ');
    expect(blank.code).toBe(3);
    expect(blank.stdout).toBe('');
  });

  test('usage errors of the subcommand exit 3', async () => {
    const r = await tokens('--no-such-flag');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
    const m = await tokens('--session');
    expect(m.code).toBe(3);
  });
});

describe('hostile model names and cwds', () => {
  // ESC sequences (colour, clear screen, OSC title), BEL, a C1 CSI and a bidi override.
  const model = 'claude-x\u001b[2J\u0007';
  const cwd = '/\u001b]0;p\u0007\u009b\u202e';

  beforeEach(() => {
    writeHome(pe.home, 40, 50, { model, cwd });
  });

  test('--json: escaped on the wire, exactly the original after parsing', async () => {
    const r = await tokens('--json');
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.some((b) => b < 0x20 && b !== 0x0a)).toBe(false);
    expect(r.stdout).toContain('claude-x\\u001b[2J\\u0007');
    expect(r.stdout).toContain('/\\u001b]0;p\\u0007\\u009b\\u202e');
    const c = byTool(parse(r), 'claude');
    expect(c.model).toBe(model);
    expect(c.cwd).toBe(cwd);
    // Still a Claude model: the 200k window applies.
    expect(c.contextPercent).toBe(40);
  });

  test('table: control characters become visible placeholders, nothing raw reaches the terminal', async () => {
    const r = await tokens();
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).not.toContain('\u202e');
    const row = tableRow(r.stdout, 'claude');
    expect(row).toContain('claude-x␛[2J␇');
    expect(row.endsWith(' /␛]0;p␇\ufffd\ufffd')).toBe(true);
  });
});

describe('a running agent', () => {
  test('a claude process holding its log open: pid listed, running, bound by open-log (0.9)', async () => {
    const h = writeHome(pe.home, 40, 50);
    const k = new Children(pe.env);
    kids.push(k);
    const agent = k.spawn('bash', ['-c', 'exec -a claude "$0" -c "$1" "$2"', python3(), 'import sys, time\nf = open(sys.argv[1])\nprint("ready", flush=True)\ntime.sleep(600)', h.claude.path]);
    await waitForLine(agent, /^ready$/);
    const r = await tokens('--json');
    expect(r.code).toBe(0);
    const c = byTool(parse(r), 'claude');
    expect(c).toMatchObject({ pids: [agent.pid], running: true, evidence: 'open-log', confidence: 0.9 });
    const t = await tokens('--session', CLAUDE_SID);
    expect(tableRow(t.stdout, 'claude')).toMatch(new RegExp(`claude-sonnet-4-5-20250… +${agent.pid} `));
  });
});

describe('the read worker in the bundle (readAll() on two threads)', () => {
  test('totals are the same with the worker forced (SPMON_TEST_READ_WORKER=always) as on one thread, and are what was written', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeAgentLogs } = require('../bench/lib/agent_logs') as {
      writeAgentLogs: (home: string, o: { mb: number; seed: number }) => Record<string, { tokens: Record<string, number>; sessions?: number }>;
    };
    const written = writeAgentLogs(pe.home, { mb: 4, seed: 5 });
    const run = (mode: string) => runCli(['tokens', '--json'], { HOME: pe.home, TMUX_TMPDIR: pe.env.TMUX_TMPDIR, SPMON_TEST_READ_WORKER: mode });
    // `always` makes readAll() throw when the worker read no log: a worker that cannot start from the bundle fails here.
    const [two, one] = await Promise.all([run('always'), run('never')]);
    const a = parse(two);
    const b = parse(one);
    expect(a.sessions.map((s) => [s.tool, s.sessionId, s.tokens, s.complete])).toEqual(b.sessions.map((s) => [s.tool, s.sessionId, s.tokens, s.complete]));
    for (const tool of ['claude', 'codex', 'gemini']) {
      const got = a.sessions.filter((s) => s.tool === tool);
      expect(got.every((s) => s.complete)).toBe(true);
      for (const k of ['input', 'output', 'cacheRead']) expect(got.reduce((n, s) => n + (s.tokens[k] ?? 0), 0)).toBe(written[tool].tokens[k]);
    }
  });
});
