// The command line: one commander parser built from the command table (lib/commands), the settings
// resolved once (flag > SPMON_* > config file > default), then the command's run function.
import { Command, CommanderError } from 'commander';
import { version } from './version';
import { ConfigError, resolveSettings, Settings, SETTINGS, settingsOf } from './config';
import { COMMANDS } from './commands';
import type { CommandDef, CommandIo } from './commands/command';
import { UsageError } from './commands/command';
import { configFilePath, readConfigFile } from './sources/config_file';
import { sanitizeOutput } from './view/sanitize';

export const EXIT_USAGE = 2;

export type CliIo = CommandIo;

interface Parsed {
  command: CommandDef;
  /** The program's own options (the settings flags among them). */
  globals: Record<string, unknown>;
  opts: Record<string, unknown>;
  args: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function addOptions(cmd: Command, def: CommandDef): void {
  // The settings this command takes have their flags from the settings table.
  for (const s of settingsOf(def.name)) cmd.option(s.flags, s.description);
  for (const o of def.options) {
    if (o.repeat) cmd.option(o.flags, o.description, collect);
    else cmd.option(o.flags, o.description);
  }
}

/** The commander program of the command table; `onRun` hears which command was chosen. */
export function buildProgram(onRun: (def: CommandDef, opts: Record<string, unknown>, args: string[]) => void): Command {
  const [main, ...subs] = COMMANDS;
  const program = new Command().name('spmon').description(main.description).version(version(), '-V, --version');
  // Options after a subcommand are its own (its --json is not the snapshot's).
  program.enablePositionalOptions();
  addOptions(program, main);
  program.action(() => onRun(main, program.opts(), program.args));
  for (const def of subs) {
    const sub = program.command(def.name).description(def.description);
    if (def.arguments) sub.arguments(def.arguments);
    if (def.passThrough) sub.passThroughOptions();
    addOptions(sub, def);
    if (def.helpAfter) sub.addHelpText('after', def.helpAfter);
    sub.action((...a: unknown[]) => {
      const c = a[a.length - 1] as Command;
      onRun(def, c.opts(), c.args);
    });
  }
  program.addHelpText(
    'after',
    `
Each setting comes from the first of: its flag (--interval 2), its SPMON_*
variable (SPMON_INTERVAL=2, SPMON_SORT=cpu ...), the config file
$XDG_CONFIG_HOME/spmon/config.json ({"interval": 2, "systemProcesses": [...]}).

Examples:
  spmon                          open the dashboard
  spmon --once --sort cpu -n 10  the ten busiest processes, once
  spmon --json --interval 0.5    one JSON snapshot with rates over half a second
  spmon tokens                   token use and context fill of AI agent sessions`,
  );
  return program;
}

/** Arguments through commander: what they ask for, or the exit status (help, version, a usage error). */
export function parseArgs(argv: string[], io: Pick<CliIo, 'stdout' | 'stderr'>): Parsed | number {
  let parsed: Parsed | null = null;
  const program = buildProgram((command, opts, args) => {
    parsed = { command, globals: program.opts(), opts, args };
  });
  const all = [program, ...program.commands];
  for (const c of all) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  try {
    program.parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      const named = COMMANDS.find((c) => c.name !== '' && argv.slice(2).includes(c.name));
      return named?.usageExit ?? EXIT_USAGE;
    }
    throw err;
  }
  return parsed ?? EXIT_USAGE;
}

/** The settings flags given on the command line, by setting key (commander's attribute names are the keys). */
function settingFlags(parsed: Parsed): Partial<Record<keyof Settings, unknown>> {
  const flags: Partial<Record<keyof Settings, unknown>> = {};
  for (const s of SETTINGS) {
    // The command's own flag first, then the program's (a setting may be both).
    const own = parsed.command.name !== '' && settingsOf(parsed.command.name).includes(s) ? parsed.opts[s.key] : undefined;
    const v = own ?? (settingsOf('').includes(s) ? parsed.globals[s.key] : undefined);
    if (v !== undefined) flags[s.key] = v;
  }
  return flags;
}

/**
 * stderr with every message made safe: messages repeat what was typed or what a daemon answered (a session
 * name, an option), so escape sequences in them become placeholders; lines and tabs stay.
 */
export function safeStderr(stderr: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stderr.write as (c: unknown, ...r: unknown[]) => boolean)(typeof chunk === 'string' ? sanitizeOutput(chunk) : chunk, ...rest);
  return Object.create(stderr, { write: { value: write } }) as NodeJS.WriteStream;
}

/**
 * The process's streams, made when first used: Node makes a terminal's stream at its first access, loading
 * its tty, net and stream modules (~10 ms), and the dashboard draws its first frame before that
 * (lib/ui/first_paint.ts).
 */
function processIo(): CliIo {
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
  };
}

export async function main(argv: string[], given: CliIo = processIo()): Promise<number> {
  let stderr: NodeJS.WriteStream | null = null;
  const io: CliIo = {
    get stdout() {
      return given.stdout;
    },
    get stderr() {
      return (stderr ??= safeStderr(given.stderr));
    },
    env: given.env,
  };
  const parsed = parseArgs(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { command } = parsed;
  const warn = (m: string) => io.stderr.write(`spmon: ${m}\n`);
  let settings: Settings;
  const file = configFilePath(io.env);
  const reloadSettings = (strict = false) => resolveSettings(settingFlags(parsed), io.env, readConfigFile(file, warn, strict), file, warn);
  try {
    settings = reloadSettings();
  } catch (err) {
    const unused = command.settingsUnused?.(parsed.opts) === true;
    io.stderr.write(`spmon: ${(err as Error).message}${unused ? ' (ignored: this command reads no setting)' : ''}\n`);
    if (!unused) return command.usageExit ?? EXIT_USAGE;
    settings = resolveSettings({}, {}, {});
  }
  try {
    return await command.run({
      io,
      settings,
      opts: parsed.opts,
      args: parsed.args,
      get columns() {
        return io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 120;
      },
      reloadSettings,
      configFile: file,
    });
  } catch (err) {
    io.stderr.write(`spmon: ${(err as Error).message}\n`);
    if (err instanceof UsageError || err instanceof ConfigError) return command.usageExit ?? EXIT_USAGE;
    return command.errorExit ?? 1;
  }
}
