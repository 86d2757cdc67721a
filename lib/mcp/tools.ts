// The tools of `spmon mcp`: each with its input and output schema (schemas.ts), annotations, a handler
// that asks a backend (the daemon, else this process's engine) and returns the structured result with its
// text (text.ts). Acting tools need control allowed; every failure is a tool error with a clear message.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Settings } from '../config';
import { NoDaemonError } from '../daemon/client';
import { ApiError } from '../daemon/protocol';
import { sanitize } from '../view/sanitize';
import { version } from '../version';
import { NeedsDaemonError } from './backend';
import type { Backends } from './backends';
import { INPUTS, OUTPUTS, ToolName } from './schemas';
import { TEXT } from './text';

/** A refusal or a bad request this server decides itself. */
export class ToolError extends Error {}

export interface ToolContext {
  backends: Backends;
  settings: Settings;
  socketPath: string;
  /** Calls under way (the server finishes them before it exits). */
  inflight: Set<Promise<unknown>>;
}

type Args = Record<string, unknown>;
type Row = Record<string, unknown>;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const ACT = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };

const DESCRIPTIONS: Record<ToolName, { title: string; description: string }> = {
  list_sessions: {
    title: 'List sessions',
    description:
      'Sessions on this machine or pod with their memory and CPU totals: the pod, tmux sessions, AI agent sessions (Claude Code, Codex, Gemini CLI, with model, tokens and context fill), picked trees and supervised sessions. `mine` marks the session of the agent that runs this server.',
  },
  get_session: {
    title: 'One session',
    description: 'One session ("mine" by default): its totals, agent facts, supervised state, its member processes (largest USS first) and whether ending it would be refused for you, and why.',
  },
  list_processes: {
    title: 'List processes',
    description: 'Processes with USS/PSS/RSS, CPU %, growth and I/O rates, sorted (default by USS, largest first), filtered by name or cmdline, limited (default 50); `matched` says how many matched. Rows are those of `spmon --json`.',
  },
  get_token_usage: {
    title: 'Token usage',
    description: 'Token use and context fill of AI agent sessions (as each tool reports them in its logs): every agent session, or one (an id or "mine"). Level: ok below 80 %, warn from 80 %, critical from 90 %.',
  },
  check_should_terminate: {
    title: 'Should this session hand over?',
    description: 'Whether an agent session ("mine" by default) should end now because its context is nearly full: level, shouldTerminate (at 90 %), the reason, and the thresholds.',
  },
  get_pod_memory: {
    title: 'Pod memory',
    description: "The pod's memory (cgroup usage against its limit, else the host's), the danger threshold, OOM kills, and the top consumers by USS: processes and sessions.",
  },
  start_session: {
    title: 'Start a supervised session',
    description:
      'Start a command (`command`: a shell command line run by /bin/sh -c, or `argv`) as a session supervised by the spmon daemon (started if needed): output captured (read it with read_output), restart policy, ended with its whole tree. Needs control allowed.',
  },
  read_output: {
    title: 'Read a session\'s output',
    description: 'Output of a supervised session from a byte offset (stdout and stderr as written). Read on from nextOffset to lose nothing; ended says the session has ended and all of it was read.',
  },
  terminate_session: {
    title: 'End a session or a process',
    description:
      'End a session (`id`) or a process (`pid` with its `startTime` from list_processes; its descendants too unless tree is false): SIGTERM, graceSeconds, then SIGKILL, by identity. Refuses spmon itself, your own agent and its ancestors, PID 1, the pod session and system processes (unless force, when the server allows it). A supervised session (run:NAME) is stopped by the daemon, which is started when none runs (it takes over the sessions of one that died). Needs control allowed.',
  },
  request_termination: {
    title: 'Request a session\'s termination',
    description:
      'Ask the spmon daemon to end a session ("mine" by default: your own, the intended use) with a reason, an optional continuation command to run after it, and a priority. Needs control allowed.',
  },
  get_monitor_status: {
    title: 'Monitor status',
    description: "Where the answers come from (the daemon or this server's own engine), the latest frame's age, ticks, counts of processes and sessions, whether control is allowed, and recent terminations.",
  },
  health_check: {
    title: 'Health check',
    description: 'Whether spmon reads fresh and complete numbers: a recent frame, /proc, USS/PSS (smaps_rollup), the memory of every process, the cgroup.',
  },
};

const ACTING: ReadonlySet<ToolName> = new Set(['start_session', 'terminate_session', 'request_termination']);

/** An error as the message a client reads. */
export function errorText(err: unknown): string {
  if (err instanceof ToolError || err instanceof NeedsDaemonError) return err.message;
  if (err instanceof ApiError) return `${sanitize(err.message)}${err.code === 'not-found' || err.code === 'bad-request' ? '' : ` (${err.code})`}`;
  if (err instanceof NoDaemonError) return `the spmon daemon went away (${sanitize(err.message)}); call again: without a daemon, spmon mcp answers from its own engine`;
  return `internal error: ${sanitize((err as Error)?.message ?? String(err))}`;
}

/** How many bytes at the end of `buf` begin a UTF-8 character that is not complete in it (0 to 3). */
export function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const c = buf[buf.length - back];
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

function ensureControl(ctx: ToolContext, name: string, args: Args): void {
  if (!ctx.settings.allowControl)
    throw new ToolError(`spmon mcp is read-only: ${name} needs control allowed (spmon mcp --allow-control, SPMON_MCP_ALLOW_CONTROL=1, or "allowControl": true in the config file)`);
  if (ctx.settings.readOnly) throw new ToolError(`spmon runs with --read-only (SPMON_READ_ONLY): ${name} would send signals`);
  if (args.force === true && !ctx.settings.allowForce) throw new ToolError('force is not allowed by this server (spmon mcp --allow-force)');
}

interface LogsAnswer {
  id: string;
  data: string;
  offset: number;
  nextOffset: number;
  skipped: number;
  startOffset: number;
  endOffset: number;
  ended: boolean;
}

const HANDLERS: Record<ToolName, (ctx: ToolContext, a: Args) => Promise<Row>> = {
  list_sessions: async (ctx, a) => (await ctx.backends.read<Row>('sessions', { kind: a.kind })).answer,
  get_session: async (ctx, a) => (await ctx.backends.read<Row>('session', { id: a.id, limit: a.limit })).answer,
  list_processes: async (ctx, a) => (await ctx.backends.read<Row>('processes', { sort: a.sort, reverse: a.reverse, filter: a.filter, limit: a.limit, session: a.session })).answer,
  get_token_usage: async (ctx, a) => (await ctx.backends.read<Row>('tokens', { session: a.session })).answer,
  check_should_terminate: async (ctx, a) => (await ctx.backends.read<Row>('shouldTerminate', { session: a.session })).answer,
  get_pod_memory: async (ctx, a) => (await ctx.backends.read<Row>('podMemory', { top: a.top })).answer,
  start_session: async (ctx, a) => {
    if ((a.command === undefined) === (a.argv === undefined)) throw new ToolError('give either command (a shell command line) or argv (a program and its arguments)');
    const d = await ctx.backends.daemon(true, 'start_session');
    return d.call('run', {
      command: a.command !== undefined ? ['/bin/sh', '-c', a.command] : a.argv,
      name: a.name,
      cwd: a.cwd ?? process.cwd(),
      env: a.env,
      restart: a.restart,
      maxRestarts: a.maxRestarts,
      restartDelaySec: a.restartDelaySec,
      graceSec: a.graceSeconds ?? ctx.settings.grace,
    });
  },
  read_output: async (ctx, a) => {
    const d = await ctx.backends.daemon(false, 'read_output');
    const r = await d.call<LogsAnswer>('logs', { id: a.id, offset: a.offset, maxBytes: a.maxBytes ?? 65536 });
    let buf = Buffer.from(r.data, 'base64');
    // A character split by the chunk's end is left for the next read (when anything may follow it).
    const tail = r.ended && r.nextOffset >= r.endOffset ? 0 : incompleteTail(buf);
    if (tail > 0) buf = buf.subarray(0, buf.length - tail);
    return { id: r.id, text: buf.toString('utf8'), offset: r.offset, nextOffset: r.nextOffset - tail, skipped: r.skipped, endOffset: r.endOffset, ended: r.ended && tail === 0 };
  },
  terminate_session: async (ctx, a) => {
    const byId = a.id !== undefined;
    if (byId === (a.pid !== undefined)) throw new ToolError('give either id (a session) or pid with startTime (a process, as list_processes gives them)');
    if (!byId && a.startTime === undefined) throw new ToolError('give startTime with pid (the process\'s startTime from list_processes): spmon ends a process only by its identity');
    const grace = (a.graceSeconds as number | undefined) ?? ctx.settings.grace;
    // A supervised session is stopped by a daemon (its policy, its records): one is started when none runs,
    // and takes over the sessions of one that died (lost).
    const b = typeof a.id === 'string' && a.id.startsWith('run:') ? await ctx.backends.daemon(true, 'ending a supervised session') : await ctx.backends.pick();
    return b.call('end', { session: a.id, pid: a.pid, startTime: a.startTime, tree: a.tree, graceSec: a.graceSeconds, force: a.force }, (grace + 60) * 1000);
  },
  request_termination: async (ctx, a) => {
    const d = await ctx.backends.daemon(true, 'request_termination');
    const session = (a.session as string | undefined) ?? (a.pid === undefined ? 'mine' : undefined);
    const v = await d.call<{ target: { id: string | null; pid: number | null; startTime: number | null }; refusal: { message: string } | null }>('vet', {
      session,
      pid: a.pid,
      startTime: a.startTime,
      force: a.force,
      purpose: 'request',
    });
    if (v.refusal) throw new ToolError(v.refusal.message);
    try {
      const answer = await d.call<{ request: Row }>('requestTermination', {
        source: 'mcp',
        session: v.target.id ?? undefined,
        pid: v.target.pid ?? undefined,
        startTime: v.target.startTime ?? undefined,
        reason: a.reason,
        continuationCommand: a.continuationCommand,
        priority: a.priority,
        note: a.note,
      });
      return answer.request;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'unknown-method')
        throw new ToolError('this spmon daemon is older than its client and cannot take termination requests: end it (SIGTERM to the pid that spmon status shows) and the next command starts a newer one');
      throw err;
    }
  },
  get_monitor_status: async (ctx) => {
    const { answer: m, kind } = await ctx.backends.read<Row>('monitor');
    let daemon: Row | null = null;
    if (kind === 'daemon') {
      const st = await (await ctx.backends.daemon(false, 'get_monitor_status')).call<{ pid: number; uptimeSec: number; sessions: { total: number } }>('status');
      daemon = { pid: st.pid, uptimeSec: st.uptimeSec, sessions: st.sessions.total };
    }
    const server = { pid: process.pid, allowControl: ctx.settings.allowControl, allowForce: ctx.settings.allowForce, socket: ctx.socketPath };
    return { time: m.time, backend: kind, version: version(), server, daemon, ...m };
  },
  health_check: async (ctx) => {
    const { answer: h, kind } = await ctx.backends.read<{ status: string; checks: Row[] }>('health');
    return { status: h.status, backend: kind, checks: h.checks };
  },
};

export function registerTools(server: McpServer, ctx: ToolContext): void {
  for (const name of Object.keys(HANDLERS) as ToolName[]) {
    const acting = ACTING.has(name);
    server.registerTool(
      name,
      {
        ...DESCRIPTIONS[name],
        inputSchema: INPUTS[name],
        outputSchema: OUTPUTS[name],
        annotations: { title: DESCRIPTIONS[name].title, ...(acting ? ACT : READ) },
      },
      (async (args: Args) => {
        const work = (async () => {
          if (acting) ensureControl(ctx, name, args);
          const structured = await HANDLERS[name](ctx, args);
          return { content: [{ type: 'text' as const, text: TEXT[name](structured) }], structuredContent: structured };
        })();
        ctx.inflight.add(work);
        try {
          return await work;
        } catch (err) {
          return { content: [{ type: 'text' as const, text: errorText(err) }], isError: true };
        } finally {
          ctx.inflight.delete(work);
        }
      }) as never,
    );
  }
}
