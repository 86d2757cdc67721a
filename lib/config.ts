// Settings: a flag, then an SPMON_* variable, then the config file, then the
// default. Pure: the caller passes the flags, the environment and the file's object.
import { defaultSystemProcesses } from './model/system_process';
import { isSortKey, SortKey, SORT_KEYS } from './view/process_table';

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
}

export class ConfigError extends Error {}

type Parse<T> = (raw: unknown, where: string) => T;

interface SettingDef<K extends keyof Settings> {
  key: K;
  flag: string;
  env: string[];
  parse: Parse<Settings[K]>;
  dflt: Settings[K];
}

const num = (min: number, max: number, what: string): Parse<number> => (raw, where) => {
  // Plain decimals only: Number() would also take "0x10", "1e3" and "Infinity".
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$|^\s*\.\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(`${where} must be ${what} (got ${JSON.stringify(raw)})`);
  return n;
};
const int = (min: number, what: string): Parse<number | null> => (raw, where) => {
  const n = num(min, Number.MAX_SAFE_INTEGER, what)(raw, where);
  if (!Number.isInteger(n)) throw new ConfigError(`${where} must be ${what} (got ${JSON.stringify(raw)})`);
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

function def<K extends keyof Settings>(d: SettingDef<K>): SettingDef<K> {
  return d;
}

export const SETTINGS = [
  def({ key: 'interval', flag: '--interval', env: ['SPMON_INTERVAL'], parse: num(0, 3600, 'a number of seconds from 0 to 3600'), dflt: 1 }),
  def({ key: 'threshold', flag: '--threshold', env: ['SPMON_THRESHOLD', 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT'], parse: num(1, 100, 'a percentage from 1 to 100'), dflt: 80 }),
  def({ key: 'systemProcesses', flag: '--system-processes', env: ['SPMON_SYSTEM_PROCESSES'], parse: list, dflt: defaultSystemProcesses.slice() }),
  def({ key: 'sort', flag: '--sort', env: ['SPMON_SORT'], parse: sortKey, dflt: 'uss' as SortKey }),
  def({ key: 'reverse', flag: '--reverse', env: ['SPMON_REVERSE'], parse: bool, dflt: false }),
  def({ key: 'filter', flag: '--filter', env: ['SPMON_FILTER'], parse: str, dflt: '' }),
  def({ key: 'limit', flag: '--limit', env: ['SPMON_LIMIT'], parse: int(1, 'a whole number of at least 1'), dflt: null }),
  def({ key: 'grace', flag: '--grace', env: ['SPMON_GRACE'], parse: num(0, 600, 'a number of seconds from 0 to 600'), dflt: 5 }),
  def({ key: 'readOnly', flag: '--read-only', env: ['SPMON_READ_ONLY'], parse: bool, dflt: false }),
  def({ key: 'growthWindow', flag: '--growth-window', env: ['SPMON_GROWTH_WINDOW'], parse: num(5, 3600, 'a number of seconds from 5 to 3600'), dflt: 60 }),
  def({ key: 'smapsBudget', flag: '--smaps-budget', env: ['SPMON_SMAPS_BUDGET'], parse: num(1, 1000, 'a number of milliseconds from 1 to 1000'), dflt: 20 }),
  def({ key: 'procRoot', flag: '--proc-root', env: ['SPMON_PROC_ROOT'], parse: str, dflt: '/proc' }),
  def({ key: 'cgroupRoot', flag: '--cgroup-root', env: ['SPMON_CGROUP_ROOT'], parse: str, dflt: '/sys/fs/cgroup' }),
] as const;

/**
 * Merge. `flags` holds only what was given on the command line (by Settings key);
 * `file` is the config file's object (keys as in Settings), `fileName` names it in errors.
 */
export function resolveSettings(
  flags: Partial<Record<keyof Settings, unknown>>,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
  fileName = 'config file',
): Settings {
  const out: Record<string, unknown> = {};
  const knownKeys = new Set<string>(SETTINGS.map((s) => s.key));
  for (const k of Object.keys(file)) {
    if (!knownKeys.has(k)) throw new ConfigError(`${fileName}: unknown setting "${k}" (known: ${[...knownKeys].join(', ')})`);
  }
  for (const s of SETTINGS) {
    const parse = s.parse as Parse<unknown>;
    if (flags[s.key] !== undefined) {
      out[s.key] = parse(flags[s.key], s.flag);
      continue;
    }
    const envName = s.env.find((e) => env[e] !== undefined && env[e] !== '');
    if (envName) {
      out[s.key] = parse(env[envName], envName);
      continue;
    }
    if (file[s.key] !== undefined) {
      out[s.key] = parse(file[s.key], `${fileName}: "${s.key}"`);
      continue;
    }
    out[s.key] = Array.isArray(s.dflt) ? s.dflt.slice() : s.dflt;
  }
  return out as unknown as Settings;
}
