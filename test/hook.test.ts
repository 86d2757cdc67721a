// `spmon hook claude` with the JSON Claude Code passes each event on stdin: the context from the
// transcript's tail, the agent told once per level (stdout for UserPromptSubmit, stderr and exit 2 for
// PostToolUse), a termination request at the critical level when the policy says so, and never a broken
// session (exit 0) when anything of the hook's own fails.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DaemonEnv, waitFor } from './helpers/daemon_env';
import { claudeUsageLine, installFakeClaude, startClaudeLog, waitForMarker } from './helpers/fake_agent';
import { BIN } from './helpers/paths';

jest.setTimeout(120_000);

let d: DaemonEnv;
let proj: string;
const SID = 'aa00bb11-2222-4333-8444-555566667777';

beforeEach(() => {
  d = new DaemonEnv();
  proj = path.join(path.dirname(d.pe.home), 'project');
  fs.mkdirSync(proj);
});

afterEach(async () => {
  await d.dispose();
});

/** What Claude Code sends for `event`, as its hook reference documents it. */
function hookInput(event: string, transcript: string): Record<string, unknown> {
  const common = { session_id: SID, transcript_path: transcript, cwd: proj, permission_mode: 'default', hook_event_name: event };
  if (event === 'PostToolUse') return { ...common, tool_name: 'Bash', tool_input: { command: 'ls', description: 'list' }, tool_response: { stdout: 'a\nb\n', stderr: '' }, tool_use_id: 'toolu_01' };
  if (event === 'UserPromptSubmit') return { ...common, prompt: 'go on' };
  if (event === 'PreCompact') return { ...common, trigger: 'auto', custom_instructions: '' };
  return common;
}

function hook(event: string, transcript: string, stdin?: string) {
  return spawnSync(process.execPath, [BIN, 'hook', 'claude'], { input: stdin ?? JSON.stringify(hookInput(event, transcript)), env: d.env, encoding: 'utf8' });
}

function setContext(log: string, pct: number, n: number): void {
  fs.appendFileSync(log, claudeUsageLine({ sessionId: SID, cwd: proj, requestId: `h${n}`, contextTokens: Math.round(2000 * pct) }));
}

test('below the warning level: silent, exit 0, for every event', () => {
  const log = startClaudeLog(d.pe.home, proj, SID);
  for (const ev of ['PostToolUse', 'UserPromptSubmit', 'PreCompact']) {
    const r = hook(ev, log);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  }
});

test('at the warning level the agent is told once: PostToolUse by stderr and exit 2, UserPromptSubmit by stdout', () => {
  const log = startClaudeLog(d.pe.home, proj, SID);
  setContext(log, 84, 1);
  const post = hook('PostToolUse', log);
  expect(post.status).toBe(2);
  expect(post.stderr).toMatch(/^spmon: context 84 % full \(warning at 80 %\)\. Start wrapping up/);
  expect(post.stdout).toBe('');
  // Once per level: the next calls say nothing.
  expect(hook('PostToolUse', log)).toMatchObject({ status: 0, stdout: '', stderr: '' });
  expect(hook('UserPromptSubmit', log)).toMatchObject({ status: 0, stdout: '' });
  // Critical (policy notify, the default): told again, here through UserPromptSubmit's stdout.
  setContext(log, 92, 2);
  const prompt = hook('UserPromptSubmit', log);
  expect(prompt.status).toBe(0);
  expect(prompt.stdout).toMatch(/^spmon: context 92 % full \(critical at 90 %\)\. Wrap up now/);
  // Down again and up again: told again.
  setContext(log, 50, 3);
  expect(hook('PreCompact', log)).toMatchObject({ status: 0, stdout: '' });
  setContext(log, 81, 4);
  expect(hook('PreCompact', log).stdout).toMatch(/context 81 % full \(warning/);
});

test('at the critical level with policy request: a termination request with the continuation, filed once; the agent is ended and continued', async () => {
  d.writeConfig({ agents: { policy: { tools: { claude: { critical: 'request' } } }, gracefulWaitSec: 3 } });
  const bin = path.join(path.dirname(d.pe.home), 'bin');
  const marks = path.join(path.dirname(d.pe.home), 'markers');
  installFakeClaude(bin, marks);
  d.env.PATH = `${bin}:${process.env.PATH}`;
  d.env.FAKE_CLAUDE_MARKERS = marks;
  const log = startClaudeLog(d.pe.home, proj, SID);
  // The hook runs where Claude Code runs it: a child of the agent, with the event on stdin.
  const input = path.join(proj, 'event.json');
  fs.writeFileSync(input, JSON.stringify(hookInput('PostToolUse', log)));
  const out = path.join(proj, 'hook');
  const trigger = path.join(proj, 'run-hook');
  const ask = `${process.execPath} ${BIN} hook claude < ${input} > ${out}.out 2> ${out}.err; echo $? > ${out}.rc`;
  await d.cli(['run', '--name', 'agent', '--cwd', proj, '--env', `FAKE_CLAUDE_LOG=${log}`, '--env', `FAKE_CLAUDE_ASK=${ask}`, '--env', `FAKE_CLAUDE_TRIGGER=${trigger}`, '--', 'claude']);
  const first = await waitForMarker(marks, (m) => m.event === 'start' && m.args.length === 0, 'the agent');
  setContext(log, 93, 1);
  fs.writeFileSync(trigger, '');
  await waitFor('the hook to finish', () => fs.existsSync(`${out}.rc`) && fs.readFileSync(`${out}.rc`, 'utf8').trim() !== '');
  expect(fs.readFileSync(`${out}.rc`, 'utf8').trim()).toBe('2');
  expect(fs.readFileSync(`${out}.err`, 'utf8')).toMatch(new RegExp(`^spmon: context 93 % full \\(critical at 90 %\\)\\. This session will be ended and continued with \`claude --resume ${SID}\` \\(request req-\\d+-`));
  expect(first.pid).toBeGreaterThan(1);
  const cont = await waitForMarker(marks, (m) => m.event === 'start' && m.args[0] === '--resume', 'the continuation');
  expect(cont.args).toEqual(['--resume', SID]);
  const reqs = (await d.events()).filter((e) => e.kind === 'request');
  expect(reqs).toHaveLength(1);
  expect(reqs[0].details).toMatchObject({ source: 'hook' });
  // Filed once: the next hook call for this session does not ask again.
  expect(hook('PostToolUse', log)).toMatchObject({ status: 0, stderr: '' });
  expect((await d.events()).filter((e) => e.kind === 'request')).toHaveLength(1);
});

test('what the hook cannot use is ignored with exit 0: junk stdin, no transcript, a transcript that is not one', () => {
  const junk = hook('PostToolUse', '', 'not json at all');
  expect([junk.status, junk.stdout, junk.stderr]).toEqual([0, '', '']);
  const missing = hook('PostToolUse', path.join(proj, 'nope.jsonl'));
  expect(missing.status).toBe(0);
  const dir = hook('PostToolUse', proj);
  expect(dir.status).toBe(0);
  fs.symlinkSync('/etc/passwd', path.join(proj, 'link.jsonl'));
  expect(hook('PostToolUse', path.join(proj, 'link.jsonl')).status).toBe(0);
  // The hook's own failures are logged for the user, not shown to the agent.
  const errors = path.join(d.state, 'spmon', 'hooks', 'errors.log');
  expect(fs.readFileSync(errors, 'utf8')).toMatch(/JSON/);
});

test('a tool result of several MB after the last request (more than the tail first read): the hook still finds the context', () => {
  const log = startClaudeLog(d.pe.home, proj, SID);
  setContext(log, 93, 1);
  // A user record holding a 5 MB tool result (an image, say), as Claude Code writes one line per record.
  const big = { type: 'user', sessionId: SID, cwd: proj, timestamp: '2025-02-01T00:05:00.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_big', content: 'A'.repeat(5 * 1024 * 1024) }] } };
  fs.appendFileSync(log, JSON.stringify(big) + '\n');
  const r = hook('UserPromptSubmit', log);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^spmon: context 93 % full \(critical at 90 %\)/);
});
