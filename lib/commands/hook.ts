// `spmon hook claude`: a Claude Code hook (PostToolUse, UserPromptSubmit, PreCompact; any event works).
// Claude Code passes the event as JSON on stdin (session_id, transcript_path, hook_event_name, cwd). The
// hook reads the session's context fill from the end of its transcript, tells the agent once it reaches
// the warning level (so it can wrap up), and at the critical level, when the policy says `request`, files
// a termination request with the tool's continuation. How the agent is told depends on the event:
// UserPromptSubmit: stdout, which Claude Code adds to the prompt's context (exit 0); PostToolUse: stderr
// with exit 2, which Claude Code shows to Claude; other events: stdout, exit 0 (the user's transcript).
// A hook must never break the session: any failure of its own exits 0 and is logged.
import * as fs from 'fs';
import * as path from 'path';
import { connectOrStart } from '../daemon/client';
import { socketPath, stateDir } from '../daemon/paths';
import { defaultContinuation } from '../daemon/requests';
import { contextLevel } from '../model/context_level';
import { claudeContextFromTail } from '../sources/agents/transcript_tail';
import { sanitize } from '../view/sanitize';
import { CommandDef, RunContext, UsageError } from './command';
import { isoTime } from '../model/clock';

const MAX_STDIN = 1024 * 1024;

interface HookInput {
  session_id?: unknown;
  transcript_path?: unknown;
  hook_event_name?: unknown;
  cwd?: unknown;
}

/** What this hook last did for a session: it tells the agent once per level, and requests once. */
interface HookState {
  level: 'ok' | 'warn' | 'critical';
  requested: string | null;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    process.stdin.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_STDIN) reject(new Error('more than 1 MiB on stdin'));
      else chunks.push(c);
    });
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function stateFile(env: NodeJS.ProcessEnv, sessionId: string): string {
  return path.join(stateDir(env), 'hooks', `claude-${sessionId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}.json`);
}

function loadState(file: string): HookState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as HookState;
    if (s.level === 'ok' || s.level === 'warn' || s.level === 'critical') return { level: s.level, requested: typeof s.requested === 'string' ? s.requested : null };
  } catch {
    // First call for this session.
  }
  return { level: 'ok', requested: null };
}

function saveState(file: string, s: HookState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Tell the agent `message` the way this event lets a hook reach it; the exit status. */
function tell(ctx: RunContext, event: string, message: string): number {
  if (event === 'PostToolUse') {
    ctx.io.stderr.write(message + '\n');
    return 2;
  }
  ctx.io.stdout.write(message + '\n');
  return 0;
}

async function claudeHook(ctx: RunContext): Promise<number> {
  const input = JSON.parse(await readStdin()) as HookInput;
  const sessionId = typeof input.session_id === 'string' ? input.session_id : null;
  const transcript = typeof input.transcript_path === 'string' ? input.transcript_path : null;
  const event = typeof input.hook_event_name === 'string' ? input.hook_event_name : '';
  if (!sessionId || !transcript) return 0;
  const c = claudeContextFromTail(transcript);
  if (!c || c.contextPercent === null) return 0;
  const level = contextLevel(c.contextPercent) ?? 'ok';
  const pct = Math.round(c.contextPercent);
  const file = stateFile(ctx.io.env, sessionId);
  const state = loadState(file);
  const before = state.level;
  state.level = level;
  if (level === 'ok') {
    saveState(file, { level, requested: null });
    return 0;
  }
  const agents = ctx.settings.agents;
  const session = { id: `agent:claude:${sessionId}`, agent: { tool: 'claude' as const, sessionId } };
  // The policy (and the daemon's request code it shares) loads here only, not at every command's start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { policyFor } = require('../daemon/agent_policy') as typeof import('../daemon/agent_policy');
  const action = policyFor(agents, session, level === 'critical' ? 'critical' : 'warning');
  if (action === 'none') {
    saveState(file, state);
    return 0;
  }
  if (level === 'critical' && action === 'request') {
    if (state.requested) {
      saveState(file, state);
      return 0;
    }
    const continuation = defaultContinuation(agents, 'claude', sessionId);
    let words: string;
    try {
      const { client } = await connectOrStart(socketPath(ctx.io.env), ctx.io.env);
      try {
        const r = await client.request<{ id: string; state: string; request: { outcome: string | null; alreadyEndingBy: { id: string; continuationCommand: string | null } | null } }>('requestTermination', {
          source: 'hook',
          session: session.id,
          reason: 'token_limit_approaching',
          continuationCommand: continuation,
          priority: 'graceful',
          note: `context ${pct} % (Claude Code hook, ${event || 'event'})`,
        });
        // Already being ended (the daemon's own policy watcher saw the same level first): that request is
        // the one the agent is told about.
        const same = r.request.alreadyEndingBy;
        state.requested = same?.id ?? r.id;
        const cont = same ? same.continuationCommand : continuation;
        words =
          r.state === 'refused' && !same
            ? `spmon: context ${pct} % full; not ended: ${sanitize(r.request.outcome ?? 'refused')}.`
            : `spmon: context ${pct} % full (critical at 90 %). This session will be ended${cont ? ` and continued with \`${sanitize(cont)}\`` : ''} (request ${sanitize(state.requested)}). Finish the current step and write down where you are now.`;
      } finally {
        client.close();
      }
    } catch (err) {
      // A failed request is said once: the next call tries again.
      words = `spmon: context ${pct} % full (critical at 90 %); a termination request could not be filed: ${sanitize((err as Error).message)}`;
    }
    saveState(file, state);
    return tell(ctx, event, words);
  }
  saveState(file, state);
  // notify (or request below critical): once per level.
  if (before === level || (before === 'critical' && level === 'warn')) return 0;
  const words =
    level === 'critical'
      ? `spmon: context ${pct} % full (critical at 90 %). Wrap up now: write down progress and next steps; the conversation is about to run out of room.`
      : `spmon: context ${pct} % full (warning at 80 %). Start wrapping up: keep notes of progress and next steps so the work can continue in a new session.`;
  return tell(ctx, event, words);
}

export const hookCommand: CommandDef = {
  name: 'hook',
  description: 'an agent hook: `spmon hook claude` for Claude Code (reads the hook JSON on stdin)',
  arguments: '<tool>',
  options: [],
  helpAfter: `
In ~/.claude/settings.json:
  {"hooks": {
    "PostToolUse":      [{"matcher": "*", "hooks": [{"type": "command", "command": "spmon hook claude"}]}],
    "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "spmon hook claude"}]}],
    "PreCompact":       [{"hooks": [{"type": "command", "command": "spmon hook claude"}]}]}}`,
  async run(ctx) {
    if (ctx.args[0] !== 'claude') throw new UsageError(`spmon hook knows claude (Claude Code), not ${JSON.stringify(ctx.args[0])}`);
    try {
      return await claudeHook(ctx);
    } catch (err) {
      // Never break the agent's session over a hook of ours.
      try {
        const log = path.join(stateDir(ctx.io.env), 'hooks', 'errors.log');
        fs.mkdirSync(path.dirname(log), { recursive: true, mode: 0o700 });
        fs.appendFileSync(log, `${isoTime()} ${(err as Error).message}\n`, { mode: 0o600 });
      } catch {
        // Nothing more to do.
      }
      return 0;
    }
  },
};
