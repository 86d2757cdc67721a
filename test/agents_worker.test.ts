// readAll() on two threads (lib/sources/agents/parallel_read.ts): a worker thread reads some of the logs and
// the main thread takes over their state. Real files in a private HOME, written by the bench's generator
// (Claude Code, Codex and Gemini CLI logs, .json chats among them); the worker runs the TypeScript sources,
// bundled by esbuild as the worker's code (the bundle and the single executable carry theirs: tokens_e2e).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentLogs, AgentLogSession, AgentLogsOptions, ReadWorkerOptions } from '../lib/sources/agents';
import { BY_WORKER, CLAIMS, SLOT, STATE } from '../lib/sources/agents/read_job';

const jobSlots = { SLOT, STATE, CLAIMS, BY_WORKER };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeAgentLogs } = require('../bench/lib/agent_logs') as {
  writeAgentLogs: (home: string, o: { mb: number; seed: number }) => Record<'claude' | 'codex' | 'gemini', { files: number; tokens: Record<string, number> }>;
};

let base: string;
let home: string;
let written: ReturnType<typeof writeAgentLogs>;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-worker-'));
  home = path.join(base, 'home');
  fs.mkdirSync(home);
  written = writeAgentLogs(home, { mb: 6, seed: 11 });
});

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const logsOf = (readWorker: ReadWorkerOptions, more: Partial<AgentLogsOptions> = {}): AgentLogs =>
  new AgentLogs({ home, env: { HOME: home }, readWorker, ...more });

const sum = (sessions: AgentLogSession[], tool: string, key: 'input' | 'output' | 'cacheRead') =>
  sessions.filter((s) => s.tool === tool).reduce((n, s) => n + (s.tokens[key] ?? 0), 0);

describe('readAll() with a worker thread', () => {
  test('gives exactly the sessions and totals of one thread, the worker having read some of the logs', () => {
    const one = logsOf({ mode: 'never' });
    const expected = one.readAll();
    expect(one.stats.lastWorker).toBeNull();
    const two = logsOf({ mode: 'always', strict: true });
    const got = two.readAll();
    const w = two.stats.lastWorker!;
    expect(w.fallback).toBeNull();
    expect(w.workerLogs).toBeGreaterThan(0);
    expect(w.workerBytes).toBeGreaterThan(0);
    expect(got).toEqual(expected);
    expect(two.stats.bytesRead).toBe(one.stats.bytesRead);
    // And both are what the generator wrote.
    expect(got.every((s) => s.complete)).toBe(true);
    for (const tool of ['claude', 'codex', 'gemini'] as const) {
      expect(sum(got, tool, 'output')).toBe(written[tool].tokens.output);
      expect(sum(got, tool, 'input')).toBe(written[tool].tokens.input);
    }
  });

  test('a worker that throws, does not compile or stalls leaves its logs to the main thread: complete results', () => {
    const expected = logsOf({ mode: 'never' }).readAll();
    const cases: { code: string; fallback: string }[] = [
      { code: 'throw new Error("boom")', fallback: 'failed' },
      { code: 'this is not JavaScript (', fallback: 'not-started' },
      // Claims the biggest log, then never posts it.
      {
        code:
          'const { workerData: d } = require("worker_threads"); const { SLOT, STATE, CLAIMS, BY_WORKER } = ' + JSON.stringify(jobSlots) + ';' +
          'Atomics.store(d.shared, SLOT.state, STATE.running); Atomics.store(d.shared, CLAIMS, BY_WORKER);' +
          'Atomics.add(d.shared, SLOT.claimed, 1); Atomics.notify(d.shared, SLOT.claimed); Atomics.wait(d.shared, SLOT.finished, 0, 60000);',
        fallback: 'stalled',
      },
    ];
    for (const c of cases) {
      const a = logsOf({ mode: 'always', code: c.code, stallMs: 300 });
      expect(a.readAll()).toEqual(expected);
      expect(a.stats.lastWorker?.fallback).toBe(c.fallback);
      expect(a.stats.lastWorker?.workerLogs).toBe(0);
    }
  });

  test('strict (SPMON_TEST_READ_WORKER=always) throws when the worker read nothing; =fail falls back', () => {
    expect(() => logsOf({ mode: 'always', strict: true, code: 'throw new Error("boom")' }).readAll()).toThrow(/read worker read no log/);
    const expected = logsOf({ mode: 'never' }).readAll();
    const a = new AgentLogs({ home, env: { HOME: home, SPMON_TEST_READ_WORKER: 'fail' } });
    expect(a.readAll()).toEqual(expected);
    expect(a.stats.lastWorker?.fallback).toBe('failed');
  });

  test('poll() after a readAll() with a worker goes on from where the worker stopped', () => {
    const one = logsOf({ mode: 'never' }, { rediscoverMs: 0 });
    const two = logsOf({ mode: 'always', strict: true }, { rediscoverMs: 0 });
    const before = sum(one.readAll(), 'claude', 'output');
    const claude = two.readAll().filter((s) => s.tool === 'claude');
    expect(two.stats.lastWorker!.workerLogs).toBeGreaterThan(0);
    // Every Claude log gets the last line of one of its requests again with more output (counted once,
    // with the new figure: the worker's de-duplication state came over), and a new request.
    let added = 0;
    for (const s of claude) {
      const lines = fs.readFileSync(s.logPath, 'utf8').trimEnd().split('\n');
      const last = lines.map((l) => JSON.parse(l)).reverse().find((r) => r.type === 'assistant' && r.message?.usage && r.message.model !== '<synthetic>');
      if (!last) continue;
      const again = structuredClone(last);
      again.message.usage.output_tokens += 1000;
      const fresh = structuredClone(last);
      fresh.requestId = `${last.requestId}_new`;
      fresh.message.id = `${last.message.id}_new`;
      fresh.message.usage = { input_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 7 };
      fs.appendFileSync(s.logPath, JSON.stringify(again) + '\n' + JSON.stringify(fresh) + '\n');
      added += 1000 + 7;
    }
    expect(added).toBeGreaterThan(0);
    const a = one.poll({ bytes: 1 << 30 });
    const b = two.poll({ bytes: 1 << 30 });
    expect(b).toEqual(a);
    expect(sum(b, 'claude', 'output')).toBe(before + added);
  });

  test("'auto' stays on one thread below minBytes, and with fewer than two fresh logs", () => {
    const a = logsOf({ mode: 'auto', minBytes: 2 ** 40 });
    a.readAll();
    expect(a.stats.lastWorker).toBeNull();
    // Read once: nothing fresh is left for a second readAll() to share.
    const b = logsOf({ mode: 'always' });
    b.readAll();
    b.readAll();
    expect(b.stats.lastWorker).toBeNull();
  });
});
