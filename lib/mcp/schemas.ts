// The MCP tools' input and output schemas (zod, as the SDK takes them). Output rows are the --json rows:
// process rows as spmon.snapshot/v1 has them, token rows as spmon.tokens/v1, supervised rows as `ps --json`.
// docs/mcp.schema.json is generated from these (scripts/mcp_schema.js); a test keeps the two equal.
// Long because it declares thirteen tools' inputs and outputs in one place, next to each other.
import { z } from 'zod';
import { SORT_KEYS } from '../fields/process_fields';

const bytes = z.number().nullable();
const count = z.number().int().min(0).nullable();
const percent = z.number().nullable();
const time = z.string().describe('ISO 8601');
const sessionKind = z.enum(['pod', 'tmux', 'agent', 'tree', 'run']);
const level = z.enum(['ok', 'warn', 'critical']).nullable();

export const processRow = z
  .object({
    pid: z.number().int().min(1),
    ppid: z.number().int().min(0),
    startTime: z.number().int().min(0).nullable().describe('ms since the epoch; with pid, the identity terminate_session takes'),
    user: z.string().nullable(),
    name: z.string(),
    cmdline: z.string().nullable(),
    state: z.string(),
    threads: count,
    cpuPercent: percent.describe('share of one core over the last interval'),
    ussBytes: bytes,
    pssBytes: bytes,
    rssBytes: bytes,
    swapBytes: bytes,
    growthBytesPerMin: z.number().nullable(),
    readBytesPerSec: z.number().nullable(),
    writeBytesPerSec: z.number().nullable(),
    cpuUserSeconds: z.number().nullable().describe('user CPU time since the process started'),
    cpuSystemSeconds: z.number().nullable().describe('system CPU time since the process started'),
    readBytesTotal: bytes.describe('bytes it caused to be read from storage since it started (io read_bytes)'),
    writeBytesTotal: bytes.describe('bytes it caused to be written to storage since it started (io write_bytes)'),
    system: z.boolean().describe('pod plumbing (a system process)'),
    sessionIds: z.array(z.string()),
    uid: z.number().int().nullable(),
    kernelThread: z.boolean(),
    memorySource: z.enum(['smaps_rollup', 'smaps']).nullable(),
    memoryAgeMs: z.number().nullable(),
  })
  .describe('a process row, as spmon --json has it');

const tokens = z.object({ input: count, output: count, cacheCreation: count, cacheRead: count, total: count });

export const agentInfo = z.object({
  tool: z.enum(['claude', 'codex', 'gemini']),
  sessionId: z.string(),
  model: z.string().nullable(),
  cwd: z.string().nullable(),
  logPath: z.string().nullable(),
  tokens,
  contextPercent: percent,
  contextTokens: count.describe('tokens in the context at the last request (the numerator of contextPercent)'),
  contextWindow: count.describe('the context window contextTokens is measured against'),
  evidence: z.string().nullable(),
  confidence: z.number().nullable(),
  complete: z.boolean().describe('every log of the session is read to its end'),
  unreadBytes: z.number().int().min(0).describe('bytes of its logs not read yet; 0 when complete'),
});

const runExit = z.object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: time }).nullable();
const runState = z.enum(['starting', 'running', 'backoff', 'stopping', 'exited', 'failed', 'gave-up', 'lost']);

const runInfo = z.object({
  name: z.string(),
  state: runState,
  command: z.array(z.string()),
  cwd: z.string(),
  pid: z.number().int().nullable(),
  startTicks: z.number().int().nullable(),
  startedAt: time.nullable(),
  restarts: z.number().int(),
  lastExit: runExit,
  reason: z.string().nullable(),
});

export const sessionRow = z
  .object({
    id: z.string(),
    kind: sessionKind,
    name: z.string(),
    processCount: z.number().int().min(0),
    cpuPercent: percent,
    ussBytes: bytes,
    pssBytes: bytes,
    rssBytes: bytes.describe('a sum of RSS: double counts shared pages'),
    swapBytes: bytes,
    growthBytesPerMin: z.number().nullable(),
    memoryUnknown: z.number().int().min(0).describe("members whose USS/PSS is not known (another user's or protected, or not read yet): ussBytes and pssBytes are sums of the rest"),
    lastActivity: time.nullable(),
    mine: z.boolean().describe("the session of the agent that started this server"),
    agent: agentInfo.nullable(),
    run: runInfo.nullable(),
  })
  .describe('a session row: its totals as spmon --json has them');

/** A supervised session's row, as `spmon ps --json` has it (startTime: clock ticks since boot). */
export const psRow = z.object({
  id: z.string(),
  name: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  state: runState,
  pid: z.number().int().nullable(),
  startTime: z.number().int().nullable().describe('the leader\'s start, clock ticks since boot (as ps --json)'),
  startedAt: time.nullable(),
  createdAt: time,
  endedAt: time.nullable(),
  restarts: z.number().int(),
  restartPolicy: z.enum(['no', 'on-failure', 'always']),
  maxRestarts: z.number().int(),
  lastExit: runExit,
  reason: z.string().nullable(),
  nextStartAt: time.nullable(),
  runTimeSec: z.number().nullable(),
  processes: z.number().int().nullable(),
  cpuPercent: percent,
  ussBytes: bytes,
  pssBytes: bytes,
  logPath: z.string(),
});

const refusal = z
  .object({ code: z.string(), pid: z.number().int().nullable(), name: z.string().nullable(), message: z.string() })
  .nullable()
  .describe('why ending it would be refused for this caller, or null');

/** A termination request as the daemon keeps it (lib/daemon/requests.ts RequestRecord). */
const requestRecord = z.object({
  id: z.string(),
  createdAt: time,
  source: z.enum(['cli', 'file', 'hook', 'policy', 'mcp']),
  reason: z.string(),
  priority: z.enum(['graceful', 'immediate']),
  continuationCommand: z.string().nullable(),
  note: z.string().nullable(),
  target: z.object({
    session: z.string().nullable(),
    kind: z.string().nullable(),
    name: z.string().nullable(),
    pid: z.number().int().nullable(),
    startTicks: z.number().int().nullable().describe('start of pid in clock ticks since boot: with pid, its identity'),
    cwd: z.string().nullable(),
    place: z.string().nullable().describe('where it runs: a supervised session, a tmux pane, or a directory'),
  }),
  state: z.enum(['ending', 'continuing', 'done', 'failed', 'refused']).describe('ending or continuing while under way'),
  continuation: z.object({ where: z.enum(['run', 'tmux', 'new-run']), id: z.string().nullable(), attempts: z.number().int() }).nullable(),
  outcome: z.string().nullable().describe('what happened, in words'),
  alreadyEndingBy: z.object({ id: z.string(), continuationCommand: z.string().nullable() }).nullable().describe('refused because this request is already ending the same place'),
  finishedAt: time.nullable(),
});

export const tokenRow = z.object({
  id: z.string(),
  tool: z.enum(['claude', 'codex', 'gemini']),
  sessionId: z.string(),
  model: z.string().nullable(),
  cwd: z.string().nullable(),
  logPath: z.string().nullable(),
  pids: z.array(z.number().int()),
  running: z.boolean(),
  tokens,
  contextPercent: percent,
  level,
  lastActivity: time.nullable(),
  evidence: z.string().nullable(),
  confidence: z.number().nullable(),
  complete: z.boolean().describe('every log of the session was read to its end, so the counts are the whole session\'s'),
  mine: z.boolean(),
});

const sessionId = z.string().min(1).max(4096);
const sessionIdOrMine = sessionId.describe('a session id (list_sessions), a supervised session\'s name, an agent session id or unique prefix, or "mine"');
const grace = z.number().min(0).max(600).optional().describe('seconds between SIGTERM and SIGKILL (default: the grace setting, 5)');

export const INPUTS = {
  list_sessions: { kind: sessionKind.optional().describe('only sessions of this kind') },
  get_session: { id: sessionIdOrMine.default('mine'), limit: z.number().int().min(1).max(10000).optional().describe('members listed, largest USS first (default 100)') },
  list_processes: {
    sort: z.enum(SORT_KEYS as [string, ...string[]]).optional().describe('sort column (default uss); numbers largest first, text A-Z'),
    reverse: z.boolean().optional(),
    filter: z.string().max(4096).optional().describe('only processes whose name or cmdline contains this (case-insensitive)'),
    limit: z.number().int().min(1).max(100000).optional().describe('at most this many rows (default 50); matched says how many there were'),
    session: sessionIdOrMine.optional().describe('only the members of this session ("mine" too)'),
  },
  get_token_usage: { session: sessionIdOrMine.optional().describe('one session (an id or "mine"); default every agent session') },
  check_should_terminate: { session: sessionIdOrMine.default('mine') },
  get_pod_memory: { top: z.number().int().min(1).max(1000).optional().describe('top consumers listed (default 10)') },
  start_session: {
    command: z.string().min(1).max(65536).optional().describe('a shell command line, run by /bin/sh -c'),
    argv: z.array(z.string().max(65536)).min(1).max(4096).optional().describe('a program and its arguments, run without a shell'),
    name: z.string().min(1).max(64).optional().describe('session name (A-Z a-z 0-9 . _ -); default from the command'),
    cwd: z.string().min(1).max(4096).optional().describe("working directory (default: the server's)"),
    env: z.record(z.string(), z.string()).optional().describe('environment variables to set'),
    restart: z.enum(['no', 'on-failure', 'always']).optional(),
    maxRestarts: z.number().int().min(0).max(1000).optional(),
    restartDelaySec: z.number().min(0).max(3600).optional(),
    graceSeconds: grace,
  },
  read_output: {
    id: sessionId.describe('a supervised session: run:NAME or NAME'),
    offset: z.number().int().min(0).optional().describe('byte offset to read from (nextOffset of the last read); default: the oldest kept'),
    maxBytes: z.number().int().min(16).max(512 * 1024).optional().describe('at most this many bytes (default 65536)'),
  },
  terminate_session: {
    id: sessionIdOrMine.optional().describe('a session to end with its whole tree'),
    pid: z.number().int().min(1).max(0x7fffffff).optional(),
    startTime: z.number().int().min(0).optional().describe('with pid: the process\'s startTime from list_processes (ms since the epoch)'),
    tree: z.boolean().optional().describe('with pid: its descendants too (default true)'),
    graceSeconds: grace,
    force: z.boolean().optional().describe('allow the pod session and system processes (only if the server allows force)'),
  },
  request_termination: {
    session: sessionIdOrMine.optional().describe('default "mine"'),
    pid: z.number().int().min(1).max(0x7fffffff).optional(),
    startTime: z.number().int().min(0).optional(),
    reason: z.enum(['token_limit_approaching', 'phase_complete', 'error', 'manual']),
    continuationCommand: z.string().min(1).max(65536).optional().describe('run after the session ends (a shell command line)'),
    priority: z.enum(['graceful', 'immediate']).optional(),
    note: z.string().max(4096).optional(),
    force: z.boolean().optional(),
  },
  get_monitor_status: {},
  health_check: {},
} as const;

const endResult = z.object({
  target: z.object({
    kind: z.enum(['session', 'process']),
    id: z.string().nullable(),
    name: z.string(),
    pid: z.number().int().nullable(),
    startTime: z.number().int().nullable(),
  }),
  state: z.string().describe('a session: done or refused; a process: terminated, force-killed, already-gone, permission-denied, refused, failed'),
  succeeded: z.boolean(),
  message: z.string(),
  reasonCode: z.string().nullable(),
  counts: z.record(z.string(), z.number().int()).nullable(),
  members: z.array(z.object({ pid: z.number().int(), name: z.string(), outcome: z.string(), signals: z.array(z.string()) })).nullable(),
  run: psRow.nullable(),
});

export const OUTPUTS = {
  list_sessions: z.object({ time, sessions: z.array(sessionRow) }),
  get_session: z.object({
    time,
    session: sessionRow,
    memberCount: z.number().int().min(0),
    members: z.array(processRow),
    endRefusal: refusal,
    supervised: psRow.nullable().describe('a supervised session: its record (restart policy, state, exit, log)'),
  }),
  list_processes: z.object({ time, total: z.number().int().min(0), matched: z.number().int().min(0), processes: z.array(processRow) }),
  get_token_usage: z.object({ time, worst: level, sessions: z.array(tokenRow) }),
  check_should_terminate: z.object({
    time,
    session: z.object({ id: z.string(), kind: sessionKind, name: z.string() }),
    contextPercent: percent,
    level,
    shouldTerminate: z.boolean(),
    reason: z.string(),
    thresholds: z.object({ warnPercent: z.number(), criticalPercent: z.number() }),
    tokens: tokens.nullable(),
  }),
  get_pod_memory: z.object({
    time,
    usedBytes: bytes,
    limitBytes: bytes,
    limitSource: z.enum(['cgroup', 'host']).nullable(),
    availableBytes: bytes,
    percent,
    thresholdPercent: z.number(),
    level: z.enum(['ok', 'warn', 'danger', 'unknown']),
    workingSetBytes: bytes,
    oomKills: count,
    cgroup: z.object({ version: z.union([z.literal(1), z.literal(2)]).nullable(), path: z.string().nullable() }),
    hiddenProcesses: z.number().int().min(0),
    topProcesses: z.array(processRow),
    topSessions: z.array(sessionRow),
  }),
  start_session: psRow,
  read_output: z.object({
    id: z.string(),
    text: z.string().describe('the output from offset, UTF-8 (stdout and stderr as written)'),
    offset: z.number().int(),
    nextOffset: z.number().int().describe('read on from here to lose nothing'),
    skipped: z.number().int().describe('bytes freed by the log cap before offset'),
    endOffset: z.number().int(),
    ended: z.boolean().describe('the session has ended and everything it wrote was read'),
  }),
  terminate_session: endResult,
  request_termination: requestRecord,
  get_monitor_status: z.object({
    time,
    backend: z.enum(['daemon', 'in-process']),
    version: z.string(),
    server: z.object({ pid: z.number().int(), allowControl: z.boolean(), allowForce: z.boolean(), socket: z.string() }),
    daemon: z.object({ pid: z.number().int(), uptimeSec: z.number(), sessions: z.number().int() }).nullable(),
    frame: z.object({
      seq: z.number().int(),
      time,
      ageMs: z.number(),
      intervalMs: z.number().nullable(),
      sampleMs: z.number().nullable(),
      lastTickCpuMs: z.number().nullable(),
    }),
    ticks: z.object({ count: z.number().int(), cpuMs: z.number() }),
    intervalSec: z.number(),
    processes: z.number().int(),
    sessions: z.object({ total: z.number().int(), byKind: z.record(z.string(), z.number().int()) }),
    thresholdPercent: z.number(),
    readOnly: z.boolean(),
    terminations: z.object({
      active: z.number().int(),
      recent: z.array(z.object({ pid: z.number().int(), name: z.string(), outcome: z.string(), at: time, set: z.string().nullable() })),
    }),
  }),
  health_check: z.object({
    status: z.enum(['ok', 'degraded', 'failing']),
    backend: z.enum(['daemon', 'in-process']),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  }),
} as const;

export type ToolName = keyof typeof OUTPUTS;
export const TOOL_NAMES = Object.keys(OUTPUTS) as ToolName[];
