import { contextLevel } from '../lib/model/context_level';
// lib/sources/agents: discovery and incremental parsing of Claude Code, Codex and Gemini CLI logs, in a
// private HOME (the real ~/.claude, ~/.codex, ~/.gemini are never read: env is built here, not inherited).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  AgentLogs,
  AgentLogSession,
  contextWindowFor,
  geminiProjectHash,
} from '../lib/sources/agents';
import { claudeConfigDirs } from '../lib/sources/agents/claude_discovery';
import { agentSessionId } from '../lib/model/sessions';
import { codexHome } from '../lib/sources/agents/codex';
import { LineParser, LogReader } from '../lib/sources/agents/log_reader';
import { openRegular } from '../lib/sources/agents/safe_open';
import { FIXTURES } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';

const MiB = 1024 * 1024;
const AGENT_FIXTURES = path.join(FIXTURES, 'agents');
const CLAUDE_SID = '11111111-1111-4111-8111-111111111111';
const CODEX_SID = '22222222-2222-4222-8222-222222222222';
const CLAUDE_LOG_REL = path.join('.claude', 'projects', '-home-user-proj', `${CLAUDE_SID}.jsonl`);

let priv: PrivateEnv;
let home: string;

beforeEach(() => {
  priv = privateEnv();
  home = priv.home;
});
afterEach(() => priv.dispose());

/** Copies the fixture trees into the private HOME (fresh mtimes, so they are within the 24 h window). */
function installFixtures(which: ('claude' | 'codex' | 'gemini')[] = ['claude', 'codex', 'gemini']): void {
  for (const w of which) fs.cpSync(path.join(AGENT_FIXTURES, w), path.join(home, `.${w}`), { recursive: true });
}

/** AgentLogs over the private HOME with an explicit environment (nothing inherited from process.env). */
function logs(extra: Partial<ConstructorParameters<typeof AgentLogs>[0]> = {}, env: Record<string, string> = {}): AgentLogs {
  return new AgentLogs({ home, env: { HOME: home, ...env }, rediscoverMs: 0, ...extra });
}

function find(sessions: AgentLogSession[], tool: string, sessionId?: string): AgentLogSession {
  const s = sessions.find((x) => x.tool === tool && (sessionId === undefined || x.sessionId === sessionId));
  if (!s) throw new Error(`no ${tool} session ${sessionId ?? ''} in ${JSON.stringify(sessions.map((x) => [x.tool, x.sessionId]))}`);
  return s;
}

const line = (o: unknown): string => JSON.stringify(o) + '\n';

function claudeAssistant(sessionId: string, requestId: string, usage: { in: number; out: number; cc: number; cr: number }, extra: Record<string, unknown> = {}) {
  return {
    type: 'assistant',
    sessionId,
    cwd: '/work/x',
    timestamp: '2025-02-01T00:00:00.000Z',
    requestId,
    message: {
      id: `msg_${requestId}`,
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'x' }],
      usage: { input_tokens: usage.in, output_tokens: usage.out, cache_creation_input_tokens: usage.cc, cache_read_input_tokens: usage.cr },
    },
    ...extra,
  };
}

function claudeLogPath(sessionId: string, project = '-work-x'): string {
  const dir = path.join(home, '.claude', 'projects', project);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${sessionId}.jsonl`);
}

describe('Claude Code logs', () => {
  test('streamed duplicates of one request count once; bad lines and a truncated last line are skipped and counted', () => {
    installFixtures(['claude']);
    const a = logs();
    const s = find(a.poll(), 'claude', CLAUDE_SID);
    expect(s.logPath).toBe(path.join(home, CLAUDE_LOG_REL));
    expect(s.cwd).toBe('/home/user/proj');
    // req_1 appears on two lines (output 5, then final 20): counted once with its last usage.
    expect(s.tokens).toEqual({ input: 30, output: 50, cacheCreation: 150, cacheRead: 2100, total: 2330 });
    expect(s.requests).toBe(2);
    expect(s.toolUses).toBe(1);
    // The <synthetic> error message does not replace the model.
    expect(s.model).toBe('claude-sonnet-4-5-20250929');
    expect(s.contextTokens).toBe(20 + 50 + 1100);
    expect(s.contextWindow).toBe(200_000);
    expect(s.contextPercent).toBeCloseTo((1170 / 200_000) * 100, 9);
    expect(s.firstActivityMs).toBe(Date.parse('2025-01-15T10:00:00.000Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-01-15T10:00:05.000Z'));
    // A cut-off JSON line, binary garbage, and the pending partial last line.
    expect(s.malformedLines).toBe(3);
    expect(s.partialLine).toBe(true);
    // All of it is read: the pending last line is the writer's, not ours to wait for.
    expect(s.complete).toBe(true);
    expect(s.unreadBytes).toBe(0);

    // The writer finishes the last line: it is parsed now, and only the new bytes (plus the re-read
    // partial line) are read.
    const log = path.join(home, CLAUDE_LOG_REL);
    const sizeBefore = fs.statSync(log).size;
    const rest = fs.readFileSync(path.join(AGENT_FIXTURES, 'claude-truncated-rest.txt'));
    fs.appendFileSync(log, rest);
    const t = find(a.poll(), 'claude', CLAUDE_SID);
    expect(t.tokens).toEqual({ input: 37, output: 59, cacheCreation: 150, cacheRead: 3300, total: 3546 });
    expect(t.model).toBe('claude-opus-4-1-20250805');
    expect(t.contextTokens).toBe(7 + 0 + 1200);
    expect(t.malformedLines).toBe(2);
    expect(t.partialLine).toBe(false);
    expect(t.lastActivityMs).toBe(Date.parse('2025-01-15T10:00:09.000Z'));
    const partialStart = s.parsedBytes;
    expect(a.stats.lastPollBytesRead).toBe(sizeBefore - partialStart + rest.length);
  });

  test('a request without requestId is keyed by message.id; the last usage of a request wins even when lines are apart', () => {
    const log = claudeLogPath('s-msgid');
    const noReq = (out: number) => {
      const o = claudeAssistant('s-msgid', 'x', { in: 1, out, cc: 0, cr: 0 });
      delete (o as Record<string, unknown>).requestId;
      o.message.id = 'msg_only';
      return o;
    };
    fs.writeFileSync(
      log,
      line(noReq(3)) +
        line(claudeAssistant('s-msgid', 'r2', { in: 2, out: 4, cc: 0, cr: 0 })) +
        line(noReq(11)) +
        line({ type: 'user', sessionId: 's-msgid', message: { role: 'user', content: 'x' } }),
    );
    const s = find(logs().poll(), 'claude', 's-msgid');
    expect(s.tokens).toEqual({ input: 3, output: 15, cacheCreation: 0, cacheRead: 0, total: 18 });
    expect(s.requests).toBe(2);
  });

  test('a log with no usage yet: tokens unknown (null), not zero; sessionId falls back to the file name', () => {
    const log = claudeLogPath('a6c1-no-usage');
    fs.writeFileSync(log, line({ type: 'summary', summary: 'x' }));
    const s = find(logs().poll(), 'claude', 'a6c1-no-usage');
    expect(s.tokens).toEqual({ input: null, output: null, cacheCreation: null, cacheRead: null, total: null });
    expect(s.contextPercent).toBeNull();
    expect(s.model).toBeNull();
  });

  test('CLAUDE_CONFIG_DIR: every comma-separated entry is searched, and the defaults are not', () => {
    const d1 = path.join(home, 'cfg1');
    const d2 = path.join(home, 'cfg2');
    for (const [d, sid] of [[d1, 'sid-one'], [d2, 'sid-two'], [path.join(home, '.claude'), 'sid-default']] as const) {
      const dir = path.join(d, 'projects', '-p');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${sid}.jsonl`), line(claudeAssistant(sid, 'r', { in: 1, out: 1, cc: 0, cr: 0 })));
    }
    expect(claudeConfigDirs({ CLAUDE_CONFIG_DIR: ` ${d1},~/cfg2 ,relative/ignored` }, home)).toEqual([d1, d2]);
    const ids = logs({}, { CLAUDE_CONFIG_DIR: `${d1},${d2}` })
      .poll()
      .map((s) => s.sessionId)
      .sort();
    expect(ids).toEqual(['sid-one', 'sid-two']);
    // Without it: both ~/.config/claude and ~/.claude.
    const cfg = path.join(home, '.config', 'claude', 'projects', '-q');
    fs.mkdirSync(cfg, { recursive: true });
    fs.writeFileSync(path.join(cfg, 'sid-config.jsonl'), line(claudeAssistant('sid-config', 'r', { in: 1, out: 1, cc: 0, cr: 0 })));
    const ids2 = logs()
      .poll()
      .map((s) => s.sessionId)
      .sort();
    expect(ids2).toEqual(['sid-config', 'sid-default']);
  });

  test('sub-agent logs (<sid>/subagents/*.jsonl) add their tokens to the parent; context stays the main log’s', () => {
    const main = claudeLogPath('parent-sid');
    fs.writeFileSync(main, line(claudeAssistant('parent-sid', 'r1', { in: 10, out: 20, cc: 30, cr: 40 })));
    const sub = path.join(path.dirname(main), 'parent-sid', 'subagents');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(
      path.join(sub, 'agent-abc.jsonl'),
      line(claudeAssistant('parent-sid', 'r9', { in: 1000, out: 1, cc: 0, cr: 50_000 }, { isSidechain: true, agentId: 'abc' })),
    );
    const all = logs().poll();
    expect(all.filter((s) => s.tool === 'claude')).toHaveLength(1);
    const s = find(all, 'claude', 'parent-sid');
    expect(s.logPath).toBe(main);
    expect(s.logPaths).toEqual([main, path.join(sub, 'agent-abc.jsonl')]);
    expect(s.tokens).toEqual({ input: 1010, output: 21, cacheCreation: 30, cacheRead: 50_040, total: 51_101 });
    expect(s.contextTokens).toBe(10 + 30 + 40);
  });
});

describe('Codex logs', () => {
  test('cumulative token_count: the last one wins (not a sum); a null info is skipped; the window comes from the log', () => {
    installFixtures(['codex']);
    const s = find(logs().poll(), 'codex', CODEX_SID);
    expect(s.cwd).toBe('/home/user/proj2');
    expect(s.model).toBe('gpt-5-codex');
    // Input 3000 includes 2000 cached: input without cache reads = 1000.
    expect(s.tokens).toEqual({ input: 1000, output: 500, cacheCreation: null, cacheRead: 2000, total: 3500 });
    // The last request's total_tokens (2300) is under Codex's 12,000-token baseline: 0 % used ("100% context left").
    expect(s.contextTokens).toBe(2300);
    expect(s.contextWindow).toBe(272_000);
    expect(s.contextPercent).toBe(0);
    expect(s.toolUses).toBe(2);
    expect(s.malformedLines).toBe(0);
    expect(s.firstActivityMs).toBe(Date.parse('2025-01-15T10:00:00.000Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-01-15T10:00:05.000Z'));
  });

  test('CODEX_HOME is honoured; a context window override beats the log', () => {
    const ch = path.join(home, 'codex-elsewhere');
    fs.cpSync(path.join(AGENT_FIXTURES, 'codex'), ch, { recursive: true });
    expect(codexHome({ CODEX_HOME: ch }, home)).toBe(ch);
    expect(logs().poll().filter((s) => s.tool === 'codex')).toHaveLength(0);
    const s = find(logs({ contextWindows: { 'gpt-5*': 400_000 } }, { CODEX_HOME: ch }).poll(), 'codex', CODEX_SID);
    expect(s.contextWindow).toBe(400_000);
    expect(s.contextPercent).toBe(0);
  });
});

describe('Gemini CLI chats', () => {
  test('.json document: Σ(input − cached), Σoutput, Σcached, Σtotal; context from the last message', () => {
    installFixtures(['gemini']);
    const s = find(logs().poll(), 'gemini', '33333333-3333-4333-8333-333333333333');
    expect(s.projectHash).toBe(geminiProjectHash('/home/user/proj3'));
    expect(s.model).toBe('gemini-2.5-pro');
    expect(s.tokens).toEqual({ input: 1300, output: 150, cacheCreation: null, cacheRead: 2700, total: 4190 });
    expect(s.contextTokens).toBe(3000);
    expect(s.contextWindow).toBe(1_048_576);
    expect(s.toolUses).toBe(1);
    // The old layout (hash directory) names no project root.
    expect(s.cwd).toBeNull();
    expect(s.firstActivityMs).toBe(Date.parse('2025-01-15T10:00:00.000Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-01-15T10:05:00.000Z'));
  });

  test('.jsonl: a message written again replaces its earlier version; cwd from .project_root when it hashes to projectHash', () => {
    installFixtures(['gemini']);
    const s = find(logs().poll(), 'gemini', '44444444-4444-4444-8444-444444444444');
    expect(s.tokens).toEqual({ input: 900, output: 100, cacheCreation: null, cacheRead: 500, total: 1505 });
    expect(s.toolUses).toBe(1);
    expect(s.requests).toBe(2);
    expect(s.model).toBe('gemini-2.5-flash');
    expect(s.contextTokens).toBe(900);
    expect(s.cwd).toBe('/home/user/proj4');
    expect(s.projectHash).toBe(geminiProjectHash('/home/user/proj4'));
  });

  test('a .project_root that does not hash to projectHash is not trusted as the cwd', () => {
    installFixtures(['gemini']);
    fs.writeFileSync(path.join(home, '.gemini', 'tmp', 'proj4', '.project_root'), '/somewhere/else');
    expect(find(logs().poll(), 'gemini', '44444444-4444-4444-8444-444444444444').cwd).toBeNull();
  });

  test('.json re-parsed when rewritten; half-written or over-size documents are counted, never fatal', () => {
    installFixtures(['gemini']);
    const chats = path.join(home, '.gemini', 'tmp', geminiProjectHash('/home/user/proj3'), 'chats');
    const file = path.join(chats, 'session-2025-01-15T10-00-33333333.json');
    const a = logs({ maxDocumentBytes: 4096 });
    const sid = '33333333-3333-4333-8333-333333333333';
    expect(find(a.poll(), 'gemini', sid).tokens.total).toBe(4190);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    doc.messages.push({ id: 'g5', type: 'gemini', model: 'gemini-2.5-pro', tokens: { input: 10, output: 1, cached: 0, total: 11 } });
    fs.writeFileSync(file, JSON.stringify(doc));
    let s = find(a.poll(), 'gemini', sid);
    expect(s.tokens.total).toBe(4201);
    expect(s.malformedLines).toBe(0);
    // Half written: the last good state stays, and the document counts as malformed.
    fs.writeFileSync(file, JSON.stringify(doc).slice(0, 200));
    s = find(a.poll(), 'gemini', sid);
    expect(s.tokens.total).toBe(4201);
    expect(s.malformedLines).toBe(1);
    // Over the bound (4 KiB here): refused, not read.
    doc.messages.push({ id: 'pad', type: 'user', content: 'x'.repeat(8000) });
    fs.writeFileSync(file, JSON.stringify(doc));
    const before = a.stats.bytesRead;
    s = find(a.poll(), 'gemini', sid);
    expect(s.malformedLines).toBe(1);
    expect(a.stats.bytesRead).toBe(before);
    // What is shown is the last document that could be read: not the whole session any more.
    expect(s.complete).toBe(false);
    expect(s.unreadBytes).toBe(fs.statSync(file).size);
    // A brand-new over-size document gives no session at all.
    fs.writeFileSync(path.join(chats, 'session-2025-01-16T00-00-55555555.json'), JSON.stringify({ ...doc, sessionId: 'big' }));
    expect(a.poll().some((x) => x.sessionId === 'big')).toBe(false);
  });

  test('a resumed .json chat migrated to .jsonl (same session) is counted once, from the .jsonl', () => {
    installFixtures(['gemini']);
    const chats = path.join(home, '.gemini', 'tmp', geminiProjectHash('/home/user/proj3'), 'chats');
    const json = path.join(chats, 'session-2025-01-15T10-00-33333333.json');
    const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
    const { messages, ...meta } = doc;
    const extra = { id: 'g9', type: 'gemini', model: 'gemini-2.5-pro', tokens: { input: 5, output: 5, cached: 0, total: 10 } };
    fs.writeFileSync(json + 'l', [meta, ...messages, extra].map((m) => JSON.stringify(m)).join('\n') + '\n');
    const all = logs().poll().filter((s) => s.sessionId === doc.sessionId);
    expect(all).toHaveLength(1);
    expect(all[0].logPath).toBe(json + 'l');
    expect(all[0].tokens.total).toBe(4200);
  });
});

describe('incremental reading', () => {
  test('the read buffer is held only while there are logs to follow', () => {
    const a = logs({ chunkBytes: 64 * 1024 });
    a.poll();
    a.poll();
    expect(a.stats.trackedLogs).toBe(0);
    expect(a.stats.scratchBytes).toBe(0); // no agent logs: no buffer
    const log = claudeLogPath('buf');
    fs.writeFileSync(log, line(claudeAssistant('buf', 'r1', { in: 1, out: 2, cc: 3, cr: 4 })));
    expect(find(a.poll(), 'claude', 'buf').tokens.total).toBe(10);
    expect(a.stats.scratchBytes).toBe(64 * 1024);
    a.poll();
    expect(a.stats.scratchBytes).toBe(64 * 1024); // kept while the log is followed
    fs.rmSync(log);
    expect(a.poll().filter((s) => s.sessionId === 'buf')).toEqual([]);
    expect(a.stats.trackedLogs).toBe(0);
    expect(a.stats.scratchBytes).toBe(0); // the last log went: so did the buffer
  });

  test('readAll (a snapshot, the daemon\'s settle) holds no buffer where there is no log', () => {
    const a = logs({ chunkBytes: 64 * 1024 });
    a.readAll();
    expect(a.stats.scratchBytes).toBe(0);
    const log = claudeLogPath('all');
    fs.writeFileSync(log, line(claudeAssistant('all', 'r1', { in: 1, out: 2, cc: 3, cr: 4 })));
    expect(find(a.readAll(), 'claude', 'all').tokens.total).toBe(10);
    expect(a.stats.scratchBytes).toBe(64 * 1024);
    fs.rmSync(log);
    a.readAll();
    expect(a.stats.scratchBytes).toBe(0);
  });


  test('an append is read alone: bytes read = bytes appended, and the totals move', () => {
    const log = claudeLogPath('inc');
    fs.writeFileSync(log, line(claudeAssistant('inc', 'r1', { in: 1, out: 2, cc: 3, cr: 4 })));
    const a = logs();
    expect(find(a.poll(), 'claude', 'inc').tokens.total).toBe(10);
    expect(a.stats.lastPollBytesRead).toBe(fs.statSync(log).size);
    // Nothing new: nothing read.
    a.poll();
    expect(a.stats.lastPollBytesRead).toBe(0);
    const more = line(claudeAssistant('inc', 'r1', { in: 1, out: 7, cc: 3, cr: 4 })) + line(claudeAssistant('inc', 'r2', { in: 100, out: 0, cc: 0, cr: 0 }));
    fs.appendFileSync(log, more);
    const s = find(a.poll(), 'claude', 'inc');
    expect(a.stats.lastPollBytesRead).toBe(Buffer.byteLength(more));
    expect(s.tokens).toEqual({ input: 101, output: 7, cacheCreation: 3, cacheRead: 4, total: 115 });
    expect(s.parsedBytes).toBe(fs.statSync(log).size);
  });

  test('a log truncated while tracked is re-parsed from 0', () => {
    const log = claudeLogPath('trunc');
    const first = line(claudeAssistant('trunc', 'r1', { in: 1000, out: 0, cc: 0, cr: 0 })) + line(claudeAssistant('trunc', 'r2', { in: 1000, out: 0, cc: 0, cr: 0 }));
    fs.writeFileSync(log, first);
    const a = logs();
    expect(find(a.poll(), 'claude', 'trunc').tokens.input).toBe(2000);
    const replacement = line(claudeAssistant('trunc', 'r3', { in: 5, out: 0, cc: 0, cr: 0 }));
    fs.truncateSync(log, 0);
    fs.appendFileSync(log, replacement); // same inode, smaller
    const s = find(a.poll(), 'claude', 'trunc');
    expect(s.tokens.input).toBe(5);
    expect(a.stats.lastPollBytesRead).toBe(Buffer.byteLength(replacement));
  });

  test('a log replaced by a new file (new inode, larger) is re-parsed from 0', () => {
    const log = claudeLogPath('repl');
    fs.writeFileSync(log, line(claudeAssistant('repl', 'r1', { in: 1000, out: 0, cc: 0, cr: 0 })));
    const a = logs();
    expect(find(a.poll(), 'claude', 'repl').tokens.input).toBe(1000);
    const tmp = log + '.tmp';
    const content = line(claudeAssistant('repl', 'r7', { in: 3, out: 0, cc: 0, cr: 0 })).repeat(1) + line(claudeAssistant('repl', 'r8', { in: 4, out: 0, cc: 0, cr: 0 }));
    fs.writeFileSync(tmp, content);
    expect(Buffer.byteLength(content)).toBeGreaterThan(fs.statSync(log).size);
    fs.renameSync(tmp, log);
    const s = find(a.poll(), 'claude', 'repl');
    expect(s.tokens.input).toBe(7);
    expect(a.stats.lastPollBytesRead).toBe(Buffer.byteLength(content));
  });

  test('a line over maxLineBytes is skipped and counted, also when it is still being written', () => {
    const log = claudeLogPath('long');
    const ok = line(claudeAssistant('long', 'r1', { in: 1, out: 1, cc: 0, cr: 0 }));
    fs.writeFileSync(log, ok + 'x'.repeat(5000));
    const a = logs({ maxLineBytes: 1024, chunkBytes: 512 });
    let s = find(a.poll(), 'claude', 'long');
    expect(s.malformedLines).toBe(1);
    expect(s.tokens.input).toBe(1);
    fs.appendFileSync(log, 'y'.repeat(3000) + '\n' + line(claudeAssistant('long', 'r2', { in: 10, out: 1, cc: 0, cr: 0 })));
    s = find(a.poll(), 'claude', 'long');
    expect(s.malformedLines).toBe(1);
    expect(s.tokens.input).toBe(11);
    expect(s.partialLine).toBe(false);
  });

  test('the per-log budget spreads a big log over several polls', () => {
    const log = claudeLogPath('budget');
    let text = '';
    for (let i = 0; i < 200; i++) text += line(claudeAssistant('budget', `r${i}`, { in: 1, out: 0, cc: 0, cr: 0 }));
    fs.writeFileSync(log, text);
    const a = logs({ maxBytesPerLogPerPoll: 8192, chunkBytes: 4096 });
    let s = find(a.poll(), 'claude', 'budget');
    expect(s.complete).toBe(false);
    expect(s.unreadBytes).toBe(Buffer.byteLength(text) - s.parsedBytes);
    expect(a.stats.lastPollBytesRead).toBeLessThanOrEqual(8192 + 4096);
    let polls = 1;
    while (!s.complete && polls < 100) {
      s = find(a.poll(), 'claude', 'budget');
      polls++;
    }
    expect(polls).toBeGreaterThan(3);
    expect(s.tokens.input).toBe(200);
    // Each budget stop re-reads at most the start of one line on the next poll.
    const lineLen = Buffer.byteLength(line(claudeAssistant('budget', 'r199', { in: 1, out: 0, cc: 0, cr: 0 })));
    expect(a.stats.bytesRead).toBeGreaterThanOrEqual(Buffer.byteLength(text));
    expect(a.stats.bytesRead).toBeLessThanOrEqual(Buffer.byteLength(text) + polls * lineLen);
    expect(s.unreadBytes).toBe(0);
    // readAll() reads all of it in one call, whatever the per-poll budgets.
    const b = logs({ maxBytesPerLogPerPoll: 8192, chunkBytes: 4096 });
    const all = find(b.readAll(), 'claude', 'budget');
    expect(all.tokens.input).toBe(200);
    expect(all.complete).toBe(true);
  });
});

describe('discovery bounds and hostile files', () => {
  test('a symlink in place of a log is not followed (neither by discovery nor by the reader)', () => {
    const outside = path.join(home, 'outside.jsonl');
    fs.writeFileSync(outside, line(claudeAssistant('stolen', 'r1', { in: 1, out: 1, cc: 1, cr: 1 })));
    const link = claudeLogPath('stolen');
    fs.symlinkSync(outside, link);
    expect(logs().poll()).toEqual([]);
    const r = new LogReader(link, () => ({ line: () => true }));
    expect(r.poll()).toEqual({ status: 'not-regular', bytesRead: 0, reset: false });
    expect(r.bytesRead).toBe(0);
    expect(openRegular(link).fd).toBeNull();
    // A symlinked project directory is not entered either.
    fs.unlinkSync(link);
    const realDir = path.join(home, 'realproj');
    fs.mkdirSync(realDir);
    fs.copyFileSync(outside, path.join(realDir, 'stolen.jsonl'));
    fs.symlinkSync(realDir, path.join(home, '.claude', 'projects', '-linked'));
    expect(logs().poll()).toEqual([]);
  });

  test('a FIFO named like a log does not block and is not read; a tracked log replaced by a FIFO is forgotten', () => {
    const fifo = claudeLogPath('fifo');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    expect(logs().poll()).toEqual([]);
    const parsed: string[] = [];
    const r = new LogReader(fifo, () => ({ line: (b: Buffer, s: number, e: number) => (parsed.push(b.toString('utf8', s, e)), true) }));
    expect(r.poll().status).toBe('not-regular');
    expect(Date.now() - t0).toBeLessThan(5000);
    fs.unlinkSync(fifo);

    const log = claudeLogPath('becomes-fifo');
    fs.writeFileSync(log, line(claudeAssistant('becomes-fifo', 'r1', { in: 1, out: 1, cc: 0, cr: 0 })));
    const a = logs();
    expect(a.poll().map((s) => s.sessionId)).toEqual(['becomes-fifo']);
    fs.unlinkSync(log);
    execFileSync('mkfifo', [log]);
    expect(a.poll()).toEqual([]);
    expect(a.stats.trackedLogs).toBe(0);
    expect(parsed).toEqual([]);
  });

  test('only logs modified within maxAgeMs are picked up; tracked ones stay; deleted ones are forgotten', () => {
    const oldLog = claudeLogPath('old');
    fs.writeFileSync(oldLog, line(claudeAssistant('old', 'r1', { in: 1, out: 1, cc: 0, cr: 0 })));
    const twoDaysAgo = (Date.now() - 48 * 3600 * 1000) / 1000;
    fs.utimesSync(oldLog, twoDaysAgo, twoDaysAgo);
    const fresh = claudeLogPath('fresh');
    fs.writeFileSync(fresh, line(claudeAssistant('fresh', 'r1', { in: 1, out: 1, cc: 0, cr: 0 })));
    let clock = Date.now();
    const a = logs({ now: () => clock });
    expect(a.poll().map((s) => s.sessionId)).toEqual(['fresh']);
    // Three days later the tracked log is still followed...
    clock += 72 * 3600 * 1000;
    expect(a.poll().map((s) => s.sessionId)).toEqual(['fresh']);
    // ...and an old log picked up by a wider window.
    expect(
      logs({ maxAgeMs: 7 * 24 * 3600 * 1000 })
        .poll()
        .map((s) => s.sessionId)
        .sort(),
    ).toEqual(['fresh', 'old']);
    fs.unlinkSync(fresh);
    expect(a.poll()).toEqual([]);
    expect(a.stats.trackedLogs).toBe(0);
  });

  test('all three tools at once, only under the given HOME; helpers for the model', () => {
    installFixtures();
    const a = logs();
    const all = a.poll();
    expect(all.map((s) => s.tool).sort()).toEqual(['claude', 'codex', 'gemini', 'gemini']);
    for (const s of all) expect(s.logPath.startsWith(home + path.sep)).toBe(true);
    const roots = a.roots();
    expect([...roots.claude, roots.codex, roots.gemini].every((r) => r.startsWith(home + path.sep))).toBe(true);
    const c = find(all, 'claude');
    expect(agentSessionId(c.tool, c.sessionId)).toBe(`agent:claude:${CLAUDE_SID}`);
    expect(c).toMatchObject({
      tool: 'claude',
      sessionId: CLAUDE_SID,
      model: 'claude-sonnet-4-5-20250929',
      cwd: '/home/user/proj',
      tokens: { input: 30, output: 50, cacheCreation: 150, cacheRead: 2100, total: 2330 },
      contextPercent: c.contextPercent,
      complete: true,
      unreadBytes: 0,
    });
  });
});

describe('context windows and levels', () => {
  test('contextLevel: warn at 80 %, critical at 90 %', () => {
    expect(contextLevel(0)).toBe('ok');
    expect(contextLevel(79.99)).toBe('ok');
    expect(contextLevel(80)).toBe('warn');
    expect(contextLevel(89.9)).toBe('warn');
    expect(contextLevel(90)).toBe('critical');
    expect(contextLevel(130)).toBe('critical');
    expect(contextLevel(null)).toBeNull();
  });

  test('table, [1m] ids, the 1M heuristic, overrides', () => {
    expect(contextWindowFor('claude', 'claude-opus-4-1-20250805')).toBe(200_000);
    expect(contextWindowFor('claude', 'claude-sonnet-4-5-20250929[1m]')).toBe(1_000_000);
    // More than 200k in one request of a model with a 1M variant: the session used 1M.
    expect(contextWindowFor('claude', 'claude-sonnet-4-5-20250929', { usedTokens: 350_000 })).toBe(1_000_000);
    expect(contextWindowFor('claude', 'claude-opus-4-1-20250805', { usedTokens: 350_000 })).toBe(200_000);
    expect(contextWindowFor('claude', 'mystery-model')).toBeNull();
    expect(contextWindowFor('claude', null)).toBeNull();
    expect(contextWindowFor('gemini', 'gemini-2.5-flash')).toBe(1_048_576);
    // Gemini CLI's own tokenLimit(): 1,048,576 for every model.
    expect(contextWindowFor('gemini', 'gemini-1.5-pro-002')).toBe(1_048_576);
    expect(contextWindowFor('codex', 'gpt-5-codex', { fromLog: 258_400 })).toBe(258_400);
    expect(contextWindowFor('codex', 'gpt-5-codex')).toBe(272_000);
    const overrides = { 'claude-opus-4-1-20250805': 500_000, 'claude-*': 300_000, 'claude-opus-*': 400_000 };
    expect(contextWindowFor('claude', 'claude-opus-4-1-20250805', { overrides })).toBe(500_000);
    expect(contextWindowFor('claude', 'claude-opus-4-20250514', { overrides })).toBe(400_000);
    expect(contextWindowFor('claude', 'claude-haiku-4-5', { overrides })).toBe(300_000);
  });

  test('a session above 90 % of its window reads as critical', () => {
    const log = claudeLogPath('full');
    fs.writeFileSync(log, line(claudeAssistant('full', 'r1', { in: 5000, out: 10, cc: 10_000, cr: 170_000 })));
    const s = find(logs().poll(), 'claude', 'full');
    expect(s.contextPercent).toBeCloseTo(92.5, 9);
    expect(contextLevel(s.contextPercent)).toBe('critical');
  });
});

describe('big logs with bounded memory', () => {
  /** Writes `targetBytes` of Claude lines (each request streamed on 2 lines) with a reused buffer. */
  function writeBigClaudeLog(file: string, targetBytes: number): { requests: number; input: number; output: number; cacheRead: number; bytes: number } {
    const fd = fs.openSync(file, 'w');
    let bytes = 0;
    let requests = 0;
    const padding = 'p'.repeat(300);
    try {
      while (bytes < targetBytes) {
        let block = '';
        for (let i = 0; i < 1000; i++, requests++) {
          const req = `req_${requests}`;
          const first = claudeAssistant('big', req, { in: 1, out: 1, cc: 0, cr: 2 }, { pad: padding });
          const last = claudeAssistant('big', req, { in: 1, out: 3, cc: 0, cr: 2 }, { pad: padding });
          block += line(first) + line(last);
        }
        const buf = Buffer.from(block);
        fs.writeSync(fd, buf);
        bytes += buf.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    return { requests, input: requests, output: 3 * requests, cacheRead: 2 * requests, bytes };
  }

  test('a 100 MB Claude log is parsed over several polls; RSS grows far less than the file; totals right', () => {
    const log = claudeLogPath('big');
    const want = writeBigClaudeLog(log, 100 * MiB);
    expect(want.bytes).toBeGreaterThanOrEqual(100 * MiB);
    const a = logs();
    const rss0 = process.memoryUsage().rss;
    let maxRss = rss0;
    let s = find(a.poll(), 'claude', 'big');
    let polls = 1;
    while (!s.complete && polls < 1000) {
      s = find(a.poll(), 'claude', 'big');
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      polls++;
    }
    expect(s.complete).toBe(true);
    // 16 MiB per poll at most (4 MiB per log by default): 100 MB takes at least 25 polls.
    expect(polls).toBeGreaterThanOrEqual(25);
    expect(maxRss - rss0).toBeLessThan(64 * MiB);
    expect(s.requests).toBe(want.requests);
    expect(s.tokens).toEqual({ input: want.input, output: want.output, cacheCreation: 0, cacheRead: want.cacheRead, total: want.input + want.output + want.cacheRead });
    expect(s.malformedLines).toBe(0);
    // Read once, give or take the start of one line re-read after each budget stop.
    expect(a.stats.bytesRead).toBeGreaterThanOrEqual(want.bytes);
    expect(a.stats.bytesRead).toBeLessThanOrEqual(want.bytes + polls * 1024);
  });

  test('a 1 GiB sparse log (one giant line of NULs, then a real line) is skipped in bounded memory', () => {
    const file = path.join(home, 'sparse.jsonl');
    const GiB = 1024 * MiB;
    const tail = '\n' + line(claudeAssistant('sparse', 'r1', { in: 42, out: 1, cc: 0, cr: 0 }));
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, GiB);
    fs.writeSync(fd, tail, GiB);
    fs.closeSync(fd);
    class Sum implements LineParser {
      input = 0;
      line(buf: Buffer, start: number, end: number): boolean {
        const o = JSON.parse(buf.toString('utf8', start, end));
        this.input += o.message.usage.input_tokens;
        return true;
      }
    }
    const r = new LogReader(file, () => new Sum(), { chunkBytes: 4 * MiB });
    const scratch = Buffer.allocUnsafe(4 * MiB);
    const rss0 = process.memoryUsage().rss;
    let maxRss = rss0;
    let polls = 0;
    while (!r.caughtUp && polls < 1000) {
      r.poll(64 * MiB, scratch);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      polls++;
    }
    expect(r.caughtUp).toBe(true);
    expect(polls).toBeGreaterThanOrEqual(16);
    expect(r.parser.input).toBe(42);
    expect(r.malformedLines).toBe(1);
    expect(maxRss - rss0).toBeLessThan(64 * MiB);
  });
});

describe('what is not an agent log is not a session', () => {
  test('a junk .jsonl (text, foreign JSON, empty) where each tool keeps its logs gives no session; the real logs still do', () => {
    installFixtures();
    const junk = 'hello, this is not JSON\n{"foo":1,"bar":[1,2,3]}\n[1,2,3]\n"a string"\n';
    const claudeJunk = path.join(home, '.claude', 'projects', '-home-user-proj', 'notes.jsonl');
    fs.writeFileSync(claudeJunk, junk);
    fs.writeFileSync(path.join(home, '.claude', 'projects', '-home-user-proj', 'empty.jsonl'), '');
    const codexDay = path.join(home, '.codex', 'sessions', '2025', '01', '15');
    fs.writeFileSync(path.join(codexDay, 'rollout-2025-01-15T11-00-00-99999999-9999-4999-8999-999999999999.jsonl'), junk);
    fs.writeFileSync(path.join(home, '.gemini', 'tmp', 'proj4', 'chats', 'session-junk.jsonl'), junk);
    const all = logs().poll();
    expect(all.map((s) => `${s.tool}:${s.sessionId}`).sort()).toEqual(
      [
        `claude:${CLAUDE_SID}`,
        `codex:${CODEX_SID}`,
        'gemini:33333333-3333-4333-8333-333333333333',
        'gemini:44444444-4444-4444-8444-444444444444',
      ].sort(),
    );
    // The same from readAll(), which the one-shot commands use.
    expect(logs().readAll()).toHaveLength(4);
  });

  test('an agent log with a malformed line is still read: the bad line is skipped and counted', () => {
    const log = claudeLogPath('bad-line');
    fs.writeFileSync(
      log,
      line(claudeAssistant('bad-line', 'r1', { in: 1, out: 2, cc: 3, cr: 4 })) + '{"type":"assistant","message":{"usage":{"input_tok\n' + 'not json\n' + line(claudeAssistant('bad-line', 'r2', { in: 10, out: 0, cc: 0, cr: 0 })),
    );
    const s = find(logs().readAll(), 'claude', 'bad-line');
    expect(s.tokens.input).toBe(11);
    expect(s.malformedLines).toBe(2);
  });
});

describe('one-shot reads everything; a bounded poll says what it has not read yet', () => {
  /** A Claude log of `n` requests, each with a padded user line before it, and its byte size. */
  function writeRequests(sessionId: string, n: number, file = claudeLogPath(sessionId), extra: Record<string, unknown> = {}): number {
    let text = '';
    for (let i = 0; i < n; i++) {
      text += line({ type: 'user', sessionId, cwd: '/work/x', timestamp: '2025-02-01T00:00:00.000Z', message: { role: 'user', content: 'q'.repeat(2000) }, ...extra });
      text += line(claudeAssistant(sessionId, `r${i}`, { in: 1, out: 2, cc: 3, cr: 4 }, extra));
    }
    fs.writeFileSync(file, text);
    return Buffer.byteLength(text);
  }

  test('readAll() reads every log to its end whatever the budgets; poll() stops at its budget and marks the session incomplete', () => {
    const size = writeRequests('all-of-it', 300);
    expect(size).toBeGreaterThan(600 * 1024);
    const budget = { maxBytesPerPoll: 64 * 1024, maxBytesPerLogPerPoll: 64 * 1024, chunkBytes: 16 * 1024 };
    const whole = find(logs(budget).readAll(), 'claude', 'all-of-it');
    expect(whole.tokens).toEqual({ input: 300, output: 600, cacheCreation: 900, cacheRead: 1200, total: 3000 });
    expect(whole.complete).toBe(true);
    expect(whole.unreadBytes).toBe(0);
    expect(whole.parsedBytes).toBe(size);

    const a = logs(budget);
    const part = find(a.poll(), 'claude', 'all-of-it');
    expect(part.complete).toBe(false);
    expect(part.parsedBytes).toBeLessThan(size);
    expect(part.unreadBytes).toBe(size - part.parsedBytes);
    expect(part.tokens.input).toBeLessThan(300);
    // A smaller budget for this one poll reads less.
    const b = logs(budget);
    const little = find(b.poll({ bytes: 8 * 1024 }), 'claude', 'all-of-it');
    expect(little.parsedBytes).toBeLessThan(part.parsedBytes);
    // What is left is read by readAll() on the same instance.
    const rest = find(a.readAll(), 'claude', 'all-of-it');
    expect(rest).toMatchObject({ complete: true, unreadBytes: 0, tokens: whole.tokens });
  });

  test('a sub-agent log not read yet keeps its session incomplete, with its bytes counted as unread', () => {
    const main = claudeLogPath('with-sub');
    fs.writeFileSync(main, line(claudeAssistant('with-sub', 'm1', { in: 1, out: 1, cc: 1, cr: 1 })));
    const subDir = path.join(path.dirname(main), 'with-sub', 'subagents');
    fs.mkdirSync(subDir, { recursive: true });
    const subSize = writeRequests('with-sub', 200, path.join(subDir, 'agent-x.jsonl'), { isSidechain: true });
    // The main log is newer, so it is read first; the budget runs out before the sub-agent's log is done.
    const t = Date.now() / 1000;
    fs.utimesSync(path.join(subDir, 'agent-x.jsonl'), t - 60, t - 60);
    const a = logs({ maxBytesPerPoll: 32 * 1024, maxBytesPerLogPerPoll: 32 * 1024, chunkBytes: 8 * 1024 });
    const s = find(a.poll(), 'claude', 'with-sub');
    expect(s.complete).toBe(false);
    expect(s.unreadBytes).toBeGreaterThan(subSize - 40 * 1024);
    const done = find(a.readAll(), 'claude', 'with-sub');
    expect(done.complete).toBe(true);
    expect(done.tokens.input).toBe(201);
  });

  test('a session read in part says so, with the bytes left; read whole, it is complete', () => {
    writeRequests('info', 50);
    const a = logs({ maxBytesPerPoll: 16 * 1024, maxBytesPerLogPerPoll: 16 * 1024, chunkBytes: 4096 });
    const s = find(a.poll(), 'claude', 'info');
    expect(s).toMatchObject({ complete: false });
    expect(s.unreadBytes).toBeGreaterThan(0);
    expect(find(a.readAll(), 'claude', 'info')).toMatchObject({ complete: true, unreadBytes: 0 });
  });
});

describe('context % as each tool shows it to its user', () => {
  function codexLog(sid: string, last: Record<string, number>, window: number, model = 'gpt-5-codex'): void {
    const dir = path.join(home, '.codex', 'sessions', '2025', '02', '01');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `rollout-2025-02-01T00-00-00-${sid}.jsonl`),
      line({ timestamp: '2025-02-01T00:00:00.000Z', type: 'session_meta', payload: { id: sid, cwd: '/w' } }) +
        line({ timestamp: '2025-02-01T00:00:01.000Z', type: 'turn_context', payload: { cwd: '/w', model } }) +
        line({
          timestamp: '2025-02-01T00:00:02.000Z', type: 'event_msg',
          payload: { type: 'token_count', info: { total_token_usage: last, last_token_usage: last, model_context_window: window } },
        }),
    );
  }

  test('Codex: the last request’s total_tokens past a 12,000-token baseline, over the window less that baseline', () => {
    const usage = (input: number, cached: number, output: number, reasoning: number) =>
      ({ input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output });
    codexLog('c0dex001-0000-4000-8000-000000000001', usage(140_000, 120_000, 10_000, 4_000), 272_000);
    codexLog('c0dex002-0000-4000-8000-000000000002', usage(11_000, 0, 500, 0), 272_000);
    codexLog('c0dex003-0000-4000-8000-000000000003', usage(20_000, 0, 1_000, 0), 12_000);
    const all = logs().readAll();
    // Codex: effective window 272,000 - 12,000 = 260,000; used 150,000 - 12,000 = 138,000: 46.92 % left,
    // shown as "47% context left"; spmon shows 53.08 % used (53 % rounded, 100 - 47).
    const a = find(all, 'codex', 'c0dex001-0000-4000-8000-000000000001');
    expect(a.contextTokens).toBe(150_000);
    expect(a.contextPercent).toBeCloseTo((138_000 / 260_000) * 100, 9);
    expect(Math.round(a.contextPercent!)).toBe(100 - Math.round(100 - (138_000 / 260_000) * 100));
    // Under the baseline: 0 % used ("100% context left").
    expect(find(all, 'codex', 'c0dex002-0000-4000-8000-000000000002').contextPercent).toBe(0);
    // A window no larger than the baseline: Codex shows 0 % left, so 100 % used.
    expect(find(all, 'codex', 'c0dex003-0000-4000-8000-000000000003').contextPercent).toBe(100);
  });

  test('Gemini CLI: the last promptTokenCount (tokens.input) over 1,048,576, for every model', () => {
    const chats = path.join(home, '.gemini', 'tmp', 'projx', 'chats');
    fs.mkdirSync(chats, { recursive: true });
    const chat = (sid: string, model: string, input: number) =>
      fs.writeFileSync(
        path.join(chats, `session-2025-02-01T00-00-${sid.slice(0, 8)}.jsonl`),
        line({ sessionId: sid, projectHash: 'ab', startTime: '2025-02-01T00:00:00.000Z', kind: 'main' }) +
          line({ id: 'm1', timestamp: '2025-02-01T00:00:01.000Z', type: 'gemini', content: 'x', model, tokens: { input, output: 10, cached: 0, thoughts: 0, tool: 0, total: input + 10 } }),
      );
    chat('9e000001-0000-4000-8000-000000000001', 'gemini-1.5-pro', 300_000);
    chat('9e000002-0000-4000-8000-000000000002', 'gemini-exp-1206', 524_288);
    const all = logs().readAll();
    // 300,000 / 1,048,576 = 28.61 % (Gemini CLI shows "71% context left"), not 14.3 % of a 2M window.
    const a = find(all, 'gemini', '9e000001-0000-4000-8000-000000000001');
    expect(a.contextWindow).toBe(1_048_576);
    expect(a.contextPercent).toBeCloseTo((300_000 / 1_048_576) * 100, 9);
    expect(find(all, 'gemini', '9e000002-0000-4000-8000-000000000002').contextPercent).toBeCloseTo(50, 9);
  });

  test('Claude Code: input + cache creation + cache read of the last main-chain request over the window; output is not counted', () => {
    const log = claudeLogPath('ctx-claude');
    fs.writeFileSync(
      log,
      line(claudeAssistant('ctx-claude', 'r1', { in: 5, out: 8_000, cc: 1_000, cr: 150_000 })) +
        // A sub-agent's request in the same log does not move the main conversation's context.
        line(claudeAssistant('ctx-claude', 'r2', { in: 1, out: 1, cc: 0, cr: 190_000 }, { isSidechain: true })),
    );
    const s = find(logs().readAll(), 'claude', 'ctx-claude');
    expect(s.contextTokens).toBe(151_005);
    expect(s.contextPercent).toBeCloseTo((151_005 / 200_000) * 100, 9);
  });

  test('Claude Code: a sub-agent on another model does not become the session\'s model (nor its window)', () => {
    const log = claudeLogPath('ctx-sub-model');
    const haiku = (o: ReturnType<typeof claudeAssistant>) => ({ ...o, message: { ...o.message, model: 'claude-haiku-4-5-20251001' } });
    fs.writeFileSync(
      log,
      line(claudeAssistant('ctx-sub-model', 'r1', { in: 10, out: 5, cc: 0, cr: 300_000 })) +
        line(haiku(claudeAssistant('ctx-sub-model', 'r2', { in: 1, out: 1, cc: 0, cr: 20_000 }, { isSidechain: true }))),
    );
    const s = find(logs().readAll(), 'claude', 'ctx-sub-model');
    expect(s.model).toBe('claude-sonnet-4-5-20250929');
    expect(s.contextWindow).toBe(1_000_000);
    expect(s.contextPercent).toBeCloseTo(30.001, 9);
  });

  test('Claude Code: a 1M-capable model that once held more than 200k keeps the 1M window after a compaction', () => {
    const log = claudeLogPath('ctx-compact');
    fs.writeFileSync(
      log,
      line(claudeAssistant('ctx-compact', 'r1', { in: 10, out: 5, cc: 0, cr: 300_000 })) +
        line({ type: 'system', subtype: 'compact_boundary', sessionId: 'ctx-compact', timestamp: '2025-02-01T00:01:00.000Z', content: 'Conversation compacted' }) +
        line(claudeAssistant('ctx-compact', 'r2', { in: 10, out: 5, cc: 0, cr: 60_000 })),
    );
    const s = find(logs().readAll(), 'claude', 'ctx-compact');
    expect(s.contextTokens).toBe(60_010);
    expect(s.contextWindow).toBe(1_000_000);
    expect(s.contextPercent).toBeCloseTo(6.001, 9);
  });
});

describe('the fast parser reads what a full parse would', () => {
  const big = (n: number) => 'const x = "quoted \\"text\\"", y = \'é→✓\'; // \\n\n'.repeat(Math.ceil(n / 48)).slice(0, n);

  test('Claude: big user lines are skimmed for their timestamp; nested timestamps and a sub-agent’s usage are not taken for the record’s', () => {
    const sid = 'fast-claude';
    const log = claudeLogPath(sid);
    const base = { parentUuid: 'p', isSidechain: false, userType: 'external', cwd: '/wörk/ü', sessionId: sid, version: '2.0.14', gitBranch: 'main' };
    const records = [
      { ...base, type: 'user', message: { role: 'user', content: 'hi' }, uuid: 'u1', timestamp: '2025-03-01T10:00:00.000Z' },
      { ...claudeAssistant(sid, 'r1', { in: 7, out: 70, cc: 700, cr: 7000 }), ...base, timestamp: '2025-03-01T10:00:01.000Z' },
      // A tool result with one nested "timestamp" (and a sub-agent's usage) in toolUseResult: two timestamps, read exactly.
      {
        ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: big(30_000) }] },
        uuid: 'u2', timestamp: '2025-03-01T10:00:02.000Z',
        toolUseResult: { content: big(20_000), timestamp: '2031-01-01T00:00:00.000Z', usage: { input_tokens: 999_999, output_tokens: 999_999 } },
      },
      // A big tool result with a single timestamp, the newest of the log.
      { ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: big(50_000) }] }, uuid: 'u3', timestamp: '2025-03-01T10:00:09.000Z', toolUseResult: { stdout: big(40_000) } },
      // A big Claude record without a top-level timestamp but a nested one (file-history snapshot).
      { type: 'file-history-snapshot', messageId: 'm', snapshot: { trackedFileBackups: { a: big(10_000) }, timestamp: '2019-01-01T00:00:00.000Z' }, isSnapshotUpdate: false },
    ];
    fs.writeFileSync(log, records.map(line).join(''));
    const s = find(logs().readAll(), 'claude', sid);
    expect(s.tokens).toEqual({ input: 7, output: 70, cacheCreation: 700, cacheRead: 7000, total: 7777 });
    expect(s.requests).toBe(1);
    expect(s.cwd).toBe('/wörk/ü');
    expect(s.firstActivityMs).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-03-01T10:00:09.000Z'));
    expect(s.malformedLines).toBe(0);
  });

  test('Claude: a model and cwd with non-ASCII and escaped characters come out exactly', () => {
    const sid = 'fast-names';
    const model = 'claude-sønnet-4-5 "x" \\ \u00e9';
    const cwd = '/home/ü/日本/\u00e9\u0301';
    const rec = claudeAssistant(sid, 'r1', { in: 1, out: 1, cc: 0, cr: 0 }, { cwd });
    rec.message.model = model;
    // One record with the non-ASCII written as \\u escapes, as a Python writer would.
    const rec2 = claudeAssistant(sid, 'r2', { in: 2, out: 0, cc: 0, cr: 0 }, { cwd });
    rec2.message.model = model;
    const escaped = JSON.stringify(rec2).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    fs.writeFileSync(claudeLogPath(sid), line(rec) + escaped + '\n');
    const s = find(logs().readAll(), 'claude', sid);
    expect(s.model).toBe(model);
    expect(s.cwd).toBe(cwd);
    expect(s.tokens.input).toBe(3);
  });

  test('Claude: records in Claude Code’s own key order (read around their content) give what a full parse gives', () => {
    const sid = 'real-order';
    const head = (uuid: string, parent: string | null, extra: Record<string, unknown> = {}) => ({
      parentUuid: parent, isSidechain: false, userType: 'external', cwd: '/home/ü/proj', sessionId: sid, version: '2.0.14', gitBranch: 'main', ...extra,
    });
    const usage = (input: number, output: number, cc: number, cr: number) => ({
      input_tokens: input, cache_creation_input_tokens: cc, cache_read_input_tokens: cr,
      cache_creation: { ephemeral_5m_input_tokens: cc, ephemeral_1h_input_tokens: 0 }, output_tokens: output, service_tier: 'standard',
    });
    // An assistant record as Claude Code writes it: message before type, content before stop_reason and usage.
    const assistant = (n: number, req: string, content: unknown[], u: ReturnType<typeof usage>, extra: Record<string, unknown> = {}) => ({
      ...head(`a${n}`, `p${n}`, extra),
      message: { id: `msg_${req}`, type: 'message', role: 'assistant', model: 'claude-ßonnet-4-5', content, stop_reason: null, stop_sequence: null, usage: u },
      requestId: req, type: 'assistant', uuid: `a${n}`, timestamp: `2025-04-01T10:00:0${n}.000Z`,
    });
    const records = [
      { ...head('u0', null), type: 'user', message: { role: 'user', content: 'go' }, uuid: 'u0', timestamp: '2025-04-01T09:59:59.500Z' },
      // req_A streamed over three lines: thinking, text, then a tool call; the last usage counts.
      assistant(1, 'req_A', [{ type: 'thinking', thinking: big(6000), signature: 'c2ln' }], usage(3, 1, 100, 5000)),
      assistant(2, 'req_A', [{ type: 'text', text: 'x' }], usage(3, 2, 100, 5000)),
      assistant(3, 'req_A', [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/x', content: big(9000) } }], usage(3, 40, 100, 5000)),
      // A tool input holding `],"stop_reason":` as real JSON structure, and two blocks in one line.
      assistant(4, 'req_B', [{ type: 'tool_use', id: 'toolu_2', name: 'mcp', input: { a: [1], stop_reason: 'x' } }, { type: 'tool_use', id: 'toolu_3', name: 'Bash', input: { command: 'ls' } }], usage(7, 70, 0, 6000)),
      // The same tool call streamed again: counted once.
      assistant(5, 'req_B', [{ type: 'tool_use', id: 'toolu_3', name: 'Bash', input: { command: 'ls' } }], usage(7, 80, 0, 6000)),
      // A sub-agent's request in the main log: its tokens count, not its context.
      assistant(6, 'req_C', [{ type: 'text', text: 'side' }], usage(1, 1, 0, 99_000), { isSidechain: true }),
      { ...head('u7', 'a6'), type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3', content: big(5000) }] }, uuid: 'u7', timestamp: '2025-04-01T10:00:08.250Z', toolUseResult: { stdout: big(5000) } },
    ];
    fs.writeFileSync(claudeLogPath(sid), records.map(line).join(''));
    const s = find(logs().readAll(), 'claude', sid);
    expect(s.tokens).toEqual({ input: 3 + 7 + 1, output: 40 + 80 + 1, cacheCreation: 100, cacheRead: 5000 + 6000 + 99_000, total: 11 + 121 + 100 + 110_000 });
    expect(s.requests).toBe(3);
    expect(s.toolUses).toBe(3);
    expect(s.model).toBe('claude-ßonnet-4-5');
    expect(s.cwd).toBe('/home/ü/proj');
    expect(s.contextTokens).toBe(7 + 0 + 6000);
    expect(s.firstActivityMs).toBe(Date.parse('2025-04-01T09:59:59.500Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-04-01T10:00:08.250Z'));
    expect(s.malformedLines).toBe(0);
  });

  test('Codex: big response items are skimmed from their first keys; their order does not matter', () => {
    const sid = 'c0dexfa5-0000-4000-8000-000000000000';
    const dir = path.join(home, '.codex', 'sessions', '2025', '03', '01');
    fs.mkdirSync(dir, { recursive: true });
    const usage = { input_tokens: 5000, cached_input_tokens: 1000, output_tokens: 100, reasoning_output_tokens: 0, total_tokens: 5100 };
    const text = [
      line({ timestamp: '2025-03-01T10:00:00.000Z', type: 'session_meta', payload: { id: sid, cwd: '/cödex', instructions: big(20_000) } }),
      line({ timestamp: '2025-03-01T10:00:01.000Z', type: 'turn_context', payload: { cwd: '/cödex', model: 'gpt-5-codex' } }),
      line({ timestamp: '2025-03-01T10:00:02.000Z', type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: big(10_000), call_id: 'c1' } }),
      line({ timestamp: '2025-03-01T10:00:03.000Z', type: 'response_item', payload: { type: 'function_call_output', call_id: 'c1', output: big(60_000) } }),
      // Keys in another order: payload first.
      line({ payload: { output: big(5_000), type: 'custom_tool_call', call_id: 'c2' }, type: 'response_item', timestamp: '2025-03-01T10:00:04.000Z' }),
      line({ timestamp: '2025-03-01T10:00:05.000Z', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: usage, last_token_usage: usage, model_context_window: 272_000 } } }),
      line({ timestamp: '2025-03-01T10:00:09.000Z', type: 'response_item', payload: { type: 'reasoning', summary: [], encrypted_content: 'A'.repeat(50_000) } }),
    ].join('');
    fs.writeFileSync(path.join(dir, `rollout-2025-03-01T10-00-00-${sid}.jsonl`), text);
    const s = find(logs().readAll(), 'codex', sid);
    expect(s).toMatchObject({ cwd: '/cödex', model: 'gpt-5-codex', toolUses: 2, malformedLines: 0 });
    expect(s.tokens).toEqual({ input: 4000, output: 100, cacheCreation: null, cacheRead: 1000, total: 5100 });
    expect(s.firstActivityMs).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
    expect(s.lastActivityMs).toBe(Date.parse('2025-03-01T10:00:09.000Z'));
  });
});
