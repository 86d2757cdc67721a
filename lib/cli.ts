// Command line: parse arguments, resolve settings, run the snapshot or the dashboard.
// commander, `tokens` and the dashboard are loaded only when used: a plain `spmon --once --json` parses
// its arguments itself (module loading is a large part of a snapshot's cost).
import type { Command } from 'commander';
import { parseArgs, ParseArgsConfig } from 'util';
import { ConfigError, resolveSettings, Settings } from './config';
import { runSnapshot } from './snapshot';
import { configFilePath, readConfigFile } from './sources/config_file';
import { SORT_KEYS } from './view/process_table';

export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** The program's options: flags as commander takes them, and the help text. */
const OPTIONS: readonly (readonly [flags: string, description: string])[] = [
  ['--once', 'print one snapshot and exit (a table, or JSON with --json)'],
  ['--json', 'print the snapshot as JSON (schema spmon.snapshot/v1); implies --once'],
  ['-i, --interval <seconds>', 'time between samples; decimals allowed; 0: one sample, no rates (default 1)'],
  ['--sort <column>', `sort column: ${SORT_KEYS.join(' ')} (default uss)`],
  ['-r, --reverse', 'reverse the sort order'],
  ['-f, --filter <text>', 'only processes whose name or cmdline contains text (case-insensitive)'],
  ['-n, --limit <n>', 'show at most n processes'],
  ['--threshold <percent>', 'pod memory danger mark (default 80, or HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT)'],
  ['--system-processes <names>', 'comma-separated names treated as session plumbing (dimmed, warned before a kill)'],
  ['--grace <seconds>', 'time between SIGTERM and SIGKILL when ending a process (default 5)'],
  ['--read-only', 'never send signals'],
  ['--growth-window <seconds>', 'window of the USS growth slope (default 60)'],
  ['--smaps-budget <ms>', 'dashboard: time per tick for reading smaps_rollup; the rest is estimated (default 20)'],
  ['--proc-root <dir>', 'read processes from this /proc (default /proc)'],
  ['--cgroup-root <dir>', 'read cgroups under this root (default /sys/fs/cgroup)'],
];

function buildProgram(): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Command } = require('commander') as typeof import('commander');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../../package.json') as { version: string };
  const program = new Command()
    .name('spmon')
    .description('Which session is eating this machine? Per-process USS/PSS/RSS, CPU, I/O and growth,\nagainst the pod\'s cgroup limit.')
    .version(pkg.version, '-V, --version');
  for (const [flags, description] of OPTIONS) program.option(flags, description);
  return program.addHelpText(
    'after',
    `
Settings come from flags, then SPMON_* variables (SPMON_INTERVAL, SPMON_SORT, SPMON_THRESHOLD, ...),
then ${configFilePath()} ({"interval": 2, "systemProcesses": [...]}).

Examples:
  spmon                          open the dashboard
  spmon --once --sort cpu -n 10  the ten busiest processes, once
  spmon --json --interval 0.5    one JSON snapshot with rates over half a second
  spmon tokens                   token use and context fill of AI agent sessions`,
  );
}

/**
 * The options of a command line made only of the program's options in their plain forms (`--json`,
 * `-i 0`, `--interval 0`), as commander would give them; null for anything else (help, version,
 * `tokens`, `--x=y`, bundled short flags, a value that starts with '-', anything unknown), which is
 * left to commander. Parsed by Node's own util.parseArgs (no module to load), strictly.
 */
export function quickOptions(args: readonly string[]): Record<string, unknown> | null {
  if (typeof parseArgs !== 'function') return null; // Node before 18.3: commander does it all
  if (args.some((a) => /^-[^-]./.test(a) && !QUICK_OPTIONS_SHORT.has(a))) return null; // bundled short flags
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: QUICK_OPTIONS, strict: true, allowPositionals: false, tokens: true });
  } catch {
    return null; // unknown, positional (`tokens`), a missing or ambiguous value: commander says why
  }
  const opts: Record<string, unknown> = {};
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.inlineValue) return null; // `--`, `--x=y`
    opts[t.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = t.value ?? true;
  }
  return opts;
}

/** OPTIONS as util.parseArgs takes them. */
const QUICK_OPTIONS: NonNullable<ParseArgsConfig['options']> = {};
const QUICK_OPTIONS_SHORT = new Set<string>();
for (const [flags] of OPTIONS) {
  const m = /^(?:-([a-z]), )?--([a-z-]+)( <[a-z]+>)?$/.exec(flags);
  if (!m) continue; // another form: left to commander
  QUICK_OPTIONS[m[2]] = { type: m[3] !== undefined ? 'string' : 'boolean', ...(m[1] ? { short: m[1] } : {}) };
  if (m[1]) QUICK_OPTIONS_SHORT.add(`-${m[1]}`);
}

const FLAG_KEYS: Record<string, keyof Settings> = {
  interval: 'interval',
  sort: 'sort',
  reverse: 'reverse',
  filter: 'filter',
  limit: 'limit',
  threshold: 'threshold',
  systemProcesses: 'systemProcesses',
  grace: 'grace',
  readOnly: 'readOnly',
  growthWindow: 'growthWindow',
  smapsBudget: 'smapsBudget',
  procRoot: 'procRoot',
  cgroupRoot: 'cgroupRoot',
};

export const EXIT_TOKENS_USAGE = 3;

type Parsed =
  | { command: 'main'; opts: Record<string, unknown> }
  | { command: 'tokens'; opts: Record<string, unknown>; tokensOpts: { session?: string; json?: boolean } };

/** Arguments through commander: what they ask for, or the exit status (help, version, a usage error). */
export function parseWithCommander(argv: string[], io: Pick<CliIo, 'stdout' | 'stderr'>): Parsed | number {
  const program = buildProgram();
  let command = 'main' as 'main' | 'tokens';
  // Options after `tokens` are the subcommand's (its --json is not the snapshot's).
  program.enablePositionalOptions();
  let tokensOpts: { session?: string; json?: boolean } = {};
  program.action(() => {
    command = 'main';
  });
  program
    .command('tokens')
    .description('token use and context fill of AI agent sessions; exit 0 below 80 %, 1 at warn, 2 at critical (90 %)')
    .option('--session <id>', 'one session: agent:<tool>:<id>, the bare id, or a unique prefix')
    .option('--json', 'JSON (schema spmon.tokens/v1)')
    .action((o: { session?: string; json?: boolean }) => {
      command = 'tokens';
      tokensOpts = o;
    });
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  program.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  try {
    program.parse(argv);
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (err instanceof (require('commander') as typeof import('commander')).CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return usageStatus(argv, command);
    }
    throw err;
  }
  const opts = program.opts<Record<string, unknown>>();
  return command === 'tokens' ? { command, opts, tokensOpts } : { command, opts };
}

function usageStatus(argv: readonly string[], command: 'main' | 'tokens'): number {
  return command === 'tokens' || argv.slice(2).includes('tokens') ? EXIT_TOKENS_USAGE : EXIT_USAGE;
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const quick = quickOptions(argv.slice(2));
  const parsed = quick ? ({ command: 'main', opts: quick } as const) : parseWithCommander(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { command, opts } = parsed;
  let settings: Settings;
  try {
    const flags: Partial<Record<keyof Settings, unknown>> = {};
    for (const [opt, key] of Object.entries(FLAG_KEYS)) if (opts[opt] !== undefined) flags[key] = opts[opt];
    const file = configFilePath(io.env);
    settings = resolveSettings(flags, io.env, readConfigFile(file), file);
  } catch (err) {
    io.stderr.write(`spmon: ${(err as Error).message}\n`);
    return usageStatus(argv, command);
  }
  const columns = io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 120;
  if (parsed.command === 'tokens') {
    const { tokensOpts } = parsed;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runTokens, UnknownSessionError } = require('./tokens') as typeof import('./tokens');
    try {
      return await runTokens(settings, { ...tokensOpts, json: tokensOpts.json === true, columns, write: (s) => io.stdout.write(s) }, io.env);
    } catch (err) {
      io.stderr.write(`spmon: ${(err as Error).message}\n`);
      return err instanceof UnknownSessionError ? EXIT_TOKENS_USAGE : 4;
    }
  }
  const json = opts.json === true;
  const once = json || opts.once === true;
  try {
    if (once) {
      await runSnapshot(settings, { json, columns, write: (s) => io.stdout.write(s) }, io.env);
      return 0;
    }
    if (!io.stdout.isTTY || !process.stdin.isTTY) {
      io.stderr.write('spmon: the dashboard needs a terminal; use --once or --json for a snapshot (spmon --help).\n');
      return 1;
    }
    if (io.env.TERM === 'dumb') {
      io.stderr.write('spmon: TERM=dumb cannot draw the dashboard; use --once, or set TERM (e.g. TERM=xterm-256color).\n');
      return 1;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDashboard } = require('./ui/app') as typeof import('./ui/app');
    return await runDashboard(settings, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`spmon: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`spmon: ${(err as Error).message}\n`);
    return 1;
  }
}
