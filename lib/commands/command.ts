// What a command declares: its name, arguments and options (for commander, in lib/cli.ts), and its run
// function. lib/commands/index.ts lists them all.
import type { Settings } from '../config';

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

export interface OptionDef {
  /** As commander takes them: `-n, --lines <n>`, `--json`. */
  flags: string;
  description: string;
  /** For a repeatable option (`--env K=V` ...): collect the values in a list. */
  repeat?: boolean;
}

export interface RunContext {
  io: CommandIo;
  /** The settings: flag > SPMON_* > config file > default. */
  settings: Settings;
  /** This command's own options, by commander's attribute names. */
  opts: Record<string, unknown>;
  /** Positional arguments. */
  args: string[];
  /** Width of tables: the terminal's, else 120. */
  columns: number;
  /**
   * The settings again, with the config file read afresh (same flags and environment); throws ConfigError.
   * `strict`: a config file that exists but cannot be reached is an error too, not the defaults.
   */
  reloadSettings?: (strict?: boolean) => Settings;
  /** The config file these settings read (it may not exist). */
  configFile?: string;
}

export interface CommandDef {
  /** `''`: the program itself (the dashboard, or a snapshot with --once/--json). */
  name: string;
  description: string;
  /** Commander's argument spec, e.g. `<id>` or `[cmd...]`. */
  arguments?: string;
  options: readonly OptionDef[];
  /** Options after the first argument belong to the arguments (`spmon run sleep 100 --foo`). */
  passThrough?: boolean;
  /** More help text after the options. */
  helpAfter?: string;
  /** Exit status for a usage error of this command (bad option, unknown session...). Default 2. */
  usageExit?: number;
  /** Exit status when the command fails (it could not read what it reports). Default 1. */
  errorExit?: number;
  /**
   * The command (with these options) only talks to a running daemon and reads no setting: a bad config file
   * or SPMON_* variable is said on stderr and the defaults are used, so that `spmon status` and `spmon daemon
   * --stop` still work while the file is being fixed.
   */
  settingsUnused?: (opts: Record<string, unknown>) => boolean;
  run(ctx: RunContext): Promise<number>;
}

/** A usage error the command found itself (an unknown id, a bad value): message, and the command's usage exit status. */
export class UsageError extends Error {}
