// Settings: one table. Each setting has its flag (and help text, for commander), its SPMON_* variable and
// its config file key; the value comes from the flag, else the variable, else the file, else the default.
// Pure: the caller passes the flags, the environment and the file's object.
import { isSortKey, SORT_KEYS, SortKey } from './fields/process_fields';
import { defaultSystemProcesses } from './model/system_process';

export interface Settings {
  interval: number;
  threshold: number;
  systemProcesses: string[];
  sort: SortKey;
  reverse: boolean;
  filter: string;
  limit: number | null;
  grace: number;
  readOnly: boolean;
  growthWindow: number;
  /** ms of smaps_rollup reading per dashboard tick. */
  smapsBudget: number;
  procRoot: string;
  cgroupRoot: string;
  /** Daemon: MiB of output held per supervised session. */
  logMax: number;
  /** Daemon: MiB kept of an ended session's output. */
  endedLogMax: number;
  /** Daemon: the memory guard (off, warn: report only, terminate: end the biggest before the OOM killer). */
  memoryGuard: 'off' | 'warn' | 'terminate';
  /** Agents: what happens at the context levels, and how they continue. */
  agents: AgentsSettings;
  /** Metrics: per-process series for the top N by PSS (0: none; at most 100). */
  metricsTop: number;
  /** Metrics: at most this many sessions besides the pod get series. */
  metricsSessionLimit: number;
  /** MCP server: enable the tools that start or end things. */
  allowControl: boolean;
  /** MCP server: let acting tools' `force` end the pod session and system processes. */
  allowForce: boolean;
}

/** What happens to an agent session at the warning and critical context levels. */
export type LevelAction = 'none' | 'notify' | 'request';

export interface AgentPolicy {
  warning: LevelAction;
  critical: LevelAction;
}

export interface AgentsSettings {
  /** The policy for all agents, then per tool, then per session id (the most specific wins, per level). */
  policy: AgentPolicy & { tools: Partial<Record<'claude' | 'codex' | 'gemini', Partial<AgentPolicy>>>; sessions: Record<string, Partial<AgentPolicy>> };
  /** Continuation command per tool; `{session}` is replaced by the session id (shell-quoted). */
  continuation: Record<'claude' | 'codex' | 'gemini', string>;
  /** A graceful request: SIGINT to the agent, then this long before SIGTERM. */
  gracefulWaitSec: number;
  /** After a request for a place (a run session, a tmux pane, a directory), policy requests for it wait this long. */
  cooldownSec: number;
}

export const DEFAULT_AGENTS: AgentsSettings = {
  policy: { warning: 'notify', critical: 'notify', tools: {}, sessions: {} },
  continuation: { claude: 'claude --resume {session}', codex: 'codex resume {session}', gemini: 'gemini --resume {session}' },
  gracefulWaitSec: 30,
  cooldownSec: 600,
};

export class ConfigError extends Error {}

type Parse<T> = (raw: unknown, where: string) => T;

export interface SettingDef<K extends keyof Settings = keyof Settings> {
  key: K;
  /** The long flag (commander's attribute name is the key). */
  flag: string;
  /** The flag as commander takes it, with a short form and the value's name. */
  flags: string;
  description: string;
  /** Variables in order of precedence. */
  env: string[];
  /**
   * Variables set by the platform rather than the user (the pod's terminator threshold): a bad value there
   * is reported and the default used, instead of refusing to start.
   */
  platformEnv?: string[];
  parse: Parse<Settings[K]>;
  dflt: Settings[K];
  /** The commands whose flag it is ('' is the program itself, whose flags every command shares; default ''). */
  command?: string | readonly string[];
}

const num = (min: number, max: number, what: string): Parse<number> => (raw, where) => {
  // Plain decimals only: Number() would also take "0x10", "1e3" and "Infinity".
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$|^\s*\.\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${where} must be ${what} (got ${JSON.stringify(raw)})`);
  return n;
};
const int = (min: number, what: string): Parse<number | null> => (raw, where) => {
  const n = num(min, Number.MAX_SAFE_INTEGER, what)(raw, where);
  if (!Number.isInteger(n)) throw new ConfigError(`${where} must be ${what} (got ${JSON.stringify(raw)})`);
  return n;
};
const wholeIn = (min: number, max: number): Parse<number> => (raw, where) => {
  const n = num(min, max, `a whole number from ${min} to ${max}`)(raw, where);
  if (!Number.isInteger(n)) throw new ConfigError(`${where} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return n;
};
const bool: Parse<boolean> = (raw, where) => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return true;
  if (typeof raw === 'string' && /^(0|false|no|off|)$/i.test(raw)) return false;
  throw new ConfigError(`${where} must be true or false (got ${JSON.stringify(raw)})`);
};
const str: Parse<string> = (raw, where) => {
  if (typeof raw !== 'string') throw new ConfigError(`${where} must be a string (got ${JSON.stringify(raw)})`);
  return raw;
};
const list: Parse<string[]> = (raw, where) => {
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[];
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  throw new ConfigError(`${where} must be a list of names (got ${JSON.stringify(raw)})`);
};
const sortKey: Parse<SortKey> = (raw, where) => {
  const s = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!isSortKey(s)) throw new ConfigError(`${where} must be one of ${SORT_KEYS.join(', ')} (got ${JSON.stringify(raw)})`);
  return s;
};

const guardMode: Parse<Settings['memoryGuard']> = (raw, where) => {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (v === 'off' || v === 'warn' || v === 'terminate') return v;
  if (v === false) return 'off';
  throw new ConfigError(`${where} must be off, warn or terminate (got ${JSON.stringify(raw)})`);
};

const LEVEL_ACTIONS = ['none', 'notify', 'request'];

/** The agents section: a JSON object (the config file's, or SPMON_AGENTS / --agents as JSON text), checked key by key. */
const agents: Parse<AgentsSettings> = (raw, where) => {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      throw new ConfigError(`${where} must be a JSON object (got ${JSON.stringify(raw).slice(0, 80)})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${where} must be an object`);
  const o = v as Record<string, unknown>;
  const known = ['policy', 'continuation', 'gracefulWaitSec', 'cooldownSec'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new ConfigError(`${where}: unknown key "${k}" (known: ${known.join(', ')})`);
  const levels = (x: unknown, w: string): Partial<AgentPolicy> => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ConfigError(`${w} must be an object like {"critical": "request"}`);
    const out: Partial<AgentPolicy> = {};
    for (const [k, a] of Object.entries(x as Record<string, unknown>)) {
      if (k !== 'warning' && k !== 'critical') continue;
      if (typeof a !== 'string' || !LEVEL_ACTIONS.includes(a)) throw new ConfigError(`${w}.${k} must be one of ${LEVEL_ACTIONS.join(', ')} (got ${JSON.stringify(a)})`);
      out[k] = a as LevelAction;
    }
    return out;
  };
  const out: AgentsSettings = JSON.parse(JSON.stringify(DEFAULT_AGENTS));
  if (o.policy !== undefined) {
    const p = o.policy as Record<string, unknown>;
    Object.assign(out.policy, levels(p, `${where}.policy`));
    if (p.tools !== undefined) {
      if (typeof p.tools !== 'object' || p.tools === null) throw new ConfigError(`${where}.policy.tools must be an object`);
      for (const [tool, x] of Object.entries(p.tools as Record<string, unknown>)) {
        if (!['claude', 'codex', 'gemini'].includes(tool)) throw new ConfigError(`${where}.policy.tools: unknown tool "${tool}" (claude, codex, gemini)`);
        out.policy.tools[tool as 'claude'] = levels(x, `${where}.policy.tools.${tool}`);
      }
    }
    if (p.sessions !== undefined) {
      if (typeof p.sessions !== 'object' || p.sessions === null) throw new ConfigError(`${where}.policy.sessions must be an object`);
      for (const [id, x] of Object.entries(p.sessions as Record<string, unknown>)) out.policy.sessions[id] = levels(x, `${where}.policy.sessions.${id}`);
    }
  }
  if (o.continuation !== undefined) {
    for (const [tool, cmd] of Object.entries(o.continuation as Record<string, unknown>)) {
      if (!['claude', 'codex', 'gemini'].includes(tool)) throw new ConfigError(`${where}.continuation: unknown tool "${tool}"`);
      if (typeof cmd !== 'string' || cmd.trim() === '') throw new ConfigError(`${where}.continuation.${tool} must be a command line`);
      out.continuation[tool as 'claude'] = cmd;
    }
  }
  for (const k of ['gracefulWaitSec', 'cooldownSec'] as const) {
    if (o[k] === undefined) continue;
    const n = o[k];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 86400) throw new ConfigError(`${where}.${k} must be a number of seconds from 0 to 86400`);
    out[k] = n;
  }
  return out;
};

function def<K extends keyof Settings>(d: SettingDef<K>): SettingDef<K> {
  return d;
}

export const SETTINGS = [
  def({ key: 'interval', flag: '--interval', flags: '-i, --interval <seconds>', env: ['SPMON_INTERVAL'],
    description: 'time between samples; decimals allowed; 0: one sample, no rates (default 1)',
    parse: num(0, 3600, 'a number of seconds from 0 to 3600'), dflt: 1 }),
  def({ key: 'sort', flag: '--sort', flags: '--sort <column>', env: ['SPMON_SORT'],
    description: `sort column: ${SORT_KEYS.join(' ')} (default uss)`, parse: sortKey, dflt: 'uss' as SortKey }),
  def({ key: 'reverse', flag: '--reverse', flags: '-r, --reverse', env: ['SPMON_REVERSE'], description: 'reverse the sort order', parse: bool, dflt: false }),
  def({ key: 'filter', flag: '--filter', flags: '-f, --filter <text>', env: ['SPMON_FILTER'],
    description: 'only processes whose name or cmdline contains text (case-insensitive)', parse: str, dflt: '' }),
  def({ key: 'limit', flag: '--limit', flags: '-n, --limit <n>', env: ['SPMON_LIMIT'], description: 'show at most n processes',
    parse: int(1, 'a whole number of at least 1'), dflt: null }),
  def({ key: 'threshold', flag: '--threshold', flags: '--threshold <percent>',
    env: ['SPMON_THRESHOLD', 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT'],
    platformEnv: ['HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT'],
    description: 'pod memory danger mark (default 80, or HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT)',
    parse: num(1, 100, 'a percentage from 1 to 100'), dflt: 80 }),
  def({ key: 'systemProcesses', flag: '--system-processes', flags: '--system-processes <names>', env: ['SPMON_SYSTEM_PROCESSES'],
    description: 'comma-separated programs treated as session plumbing (dimmed, warned before a kill)', parse: list, dflt: defaultSystemProcesses.slice() }),
  def({ key: 'grace', flag: '--grace', flags: '--grace <seconds>', env: ['SPMON_GRACE'],
    description: 'time between SIGTERM and SIGKILL when ending a process (default 5)', parse: num(0, 600, 'a number of seconds from 0 to 600'), dflt: 5 }),
  def({ key: 'readOnly', flag: '--read-only', flags: '--read-only', env: ['SPMON_READ_ONLY'], description: 'never send signals', parse: bool, dflt: false }),
  def({ key: 'growthWindow', flag: '--growth-window', flags: '--growth-window <seconds>', env: ['SPMON_GROWTH_WINDOW'],
    description: 'window of the USS growth slope (default 60)', parse: num(5, 3600, 'a number of seconds from 5 to 3600'), dflt: 60 }),
  def({ key: 'smapsBudget', flag: '--smaps-budget', flags: '--smaps-budget <ms>', env: ['SPMON_SMAPS_BUDGET'],
    description: 'dashboard: time per tick for reading smaps_rollup; the rest is estimated (default 20)',
    parse: num(1, 1000, 'a number of milliseconds from 1 to 1000'), dflt: 20 }),
  def({ key: 'metricsTop', flag: '--metrics-top', flags: '--metrics-top <n>', env: ['SPMON_METRICS_TOP'], command: ['', 'daemon'],
    description: 'metrics: per-process series (pid, comm) for the top n processes by PSS, at most 100 (default 0: none)',
    parse: wholeIn(0, 100), dflt: 0 }),
  def({ key: 'metricsSessionLimit', flag: '--metrics-session-limit', flags: '--metrics-session-limit <n>', env: ['SPMON_METRICS_SESSION_LIMIT'], command: ['', 'daemon'],
    description: 'metrics: series for at most n sessions besides the pod, most PSS first; the rest are counted in spmon_sessions_omitted (default 200)',
    parse: wholeIn(0, 100_000), dflt: 200 }),
  def({ key: 'procRoot', flag: '--proc-root', flags: '--proc-root <dir>', env: ['SPMON_PROC_ROOT'], description: 'read processes from this /proc (default /proc)', parse: str, dflt: '/proc' }),
  def({ key: 'cgroupRoot', flag: '--cgroup-root', flags: '--cgroup-root <dir>', env: ['SPMON_CGROUP_ROOT'],
    description: 'read cgroups under this root (default /sys/fs/cgroup)', parse: str, dflt: '/sys/fs/cgroup' }),
  def({ key: 'logMax', flag: '--log-max', flags: '--log-max <MiB>', env: ['SPMON_LOG_MAX'], command: 'daemon',
    description: "output held on disk per supervised session, MiB; past it the oldest half is freed (default 16)",
    parse: num(1, 100_000, 'a number of MiB from 1 to 100000'), dflt: 16 }),
  def({ key: 'endedLogMax', flag: '--ended-log-max', flags: '--ended-log-max <MiB>', env: ['SPMON_ENDED_LOG_MAX'], command: 'daemon',
    description: 'output kept of an ended session, MiB (default 1; 100 ended sessions are kept)',
    parse: num(0.01, 100_000, 'a number of MiB from 0.01 to 100000'), dflt: 1 }),
  def({ key: 'memoryGuard', flag: '--memory-guard', flags: '--memory-guard <mode>', env: ['SPMON_MEMORY_GUARD'], command: 'daemon',
    description: "off | warn | terminate: when the pod's memory stays at the threshold, report (warn) or end (terminate) its biggest process first (default off)",
    parse: guardMode, dflt: 'off' as Settings['memoryGuard'] }),
  def({ key: 'agents', flag: '--agents', flags: '--agents <json>', env: ['SPMON_AGENTS'], command: 'daemon',
    description: 'agent policy as JSON (the config file\'s "agents" section: policy, continuation, gracefulWaitSec, cooldownSec)',
    parse: agents, dflt: DEFAULT_AGENTS }),
  def({ key: 'allowControl', flag: '--allow-control', flags: '--allow-control', env: ['SPMON_MCP_ALLOW_CONTROL'], command: 'mcp',
    description: 'enable the tools that start or end things (start_session, terminate_session, request_termination); default: read-only',
    parse: bool, dflt: false }),
  def({ key: 'allowForce', flag: '--allow-force', flags: '--allow-force', env: ['SPMON_MCP_ALLOW_FORCE'], command: 'mcp',
    description: "let an acting tool's force argument end the pod session and system processes (needs --allow-control)",
    parse: bool, dflt: false }),
] as const;

/** The settings whose flags a command takes: '' for the program's own (which every command shares). */
export function settingsOf(command: string): readonly SettingDef[] {
  return (SETTINGS as readonly SettingDef[]).filter((s) => ([] as string[]).concat(s.command ?? '').includes(command));
}

/**
 * Merge. `flags` holds only what was given on the command line (by Settings key); `file` is the config
 * file's object (keys as in Settings), `fileName` names it in errors. `warn` hears of a platform variable
 * with a bad value (then ignored).
 */
export function resolveSettings(
  flags: Partial<Record<keyof Settings, unknown>>,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
  fileName = 'config file',
  warn: (message: string) => void = () => undefined,
): Settings {
  const out: Record<string, unknown> = {};
  const knownKeys = new Set<string>(SETTINGS.map((s) => s.key));
  for (const k of Object.keys(file)) {
    if (!knownKeys.has(k)) throw new ConfigError(`${fileName}: unknown setting "${k}" (known: ${[...knownKeys].join(', ')})`);
  }
  for (const s of SETTINGS as readonly SettingDef[]) {
    const parse = s.parse as Parse<unknown>;
    if (flags[s.key] !== undefined) {
      out[s.key] = parse(flags[s.key], s.flag);
      continue;
    }
    let fromEnv: unknown;
    for (const name of s.env) {
      const raw = env[name];
      if (raw === undefined || raw === '') continue;
      try {
        fromEnv = parse(raw, name);
        break;
      } catch (err) {
        if (!(s.platformEnv ?? []).includes(name) || !(err instanceof ConfigError)) throw err;
        // Set by the platform, not by the user: starting anyway beats refusing to.
        warn(`${err.message}; ignored`);
      }
    }
    if (fromEnv !== undefined) {
      out[s.key] = fromEnv;
      continue;
    }
    if (file[s.key] !== undefined) {
      out[s.key] = parse(file[s.key], `${fileName}: "${s.key}"`);
      continue;
    }
    out[s.key] = Array.isArray(s.dflt) ? s.dflt.slice() : typeof s.dflt === 'object' && s.dflt !== null ? JSON.parse(JSON.stringify(s.dflt)) : s.dflt;
  }
  return out as unknown as Settings;
}
