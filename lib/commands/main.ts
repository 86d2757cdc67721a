// The program itself: the dashboard, or with --once/--json/--format one snapshot printed as a table, JSON
// or metrics.
import { CommandDef, UsageError } from './command';
import { terminalSize } from '../native';

/** What --once prints. */
export type OnceFormat = 'table' | 'json' | 'openmetrics' | 'prometheus';
const FORMATS: readonly OnceFormat[] = ['table', 'json', 'openmetrics', 'prometheus'];

/** The --once format the options ask for, or null for the dashboard. */
export function onceFormat(opts: Record<string, unknown>): OnceFormat | null {
  const given = opts.format as string | undefined;
  if (given !== undefined && !FORMATS.includes(given as OnceFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(given)})`);
  if (opts.json === true && given !== undefined && given !== 'json') throw new UsageError(`--json and --format ${given} ask for two formats; give one`);
  if (opts.json === true) return 'json';
  if (given !== undefined) return given as OnceFormat;
  return opts.once === true ? 'table' : null;
}

export const mainCommand: CommandDef = {
  name: '',
  description: "Which session is eating this machine? Per-process USS/PSS/RSS, CPU, I/O and growth, against the pod's cgroup limit.",
  options: [
    { flags: '--once', description: 'print one snapshot and exit (a table, or JSON with --json)' },
    { flags: '--json', description: 'print the snapshot as JSON (schema spmon.snapshot/v1); implies --once' },
    {
      flags: '--format <format>',
      description: 'what --once prints: table, json, prometheus (text format 0.0.4, for node_exporter\'s textfile collector) or openmetrics; implies --once',
    },
  ],
  async run(ctx) {
    const format = onceFormat(ctx.opts);
    if (format !== null) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runOnce } = require('./once') as typeof import('./once');
      return runOnce(ctx, format);
    }
    // (Asked of the addon: Node's terminal streams are made after the dashboard's first frame.)
    if (terminalSize(1) === null || terminalSize(0) === null) {
      ctx.io.stderr.write('spmon: the dashboard needs a terminal; use --once or --json for a snapshot (spmon --help).\n');
      return 1;
    }
    if (ctx.io.env.TERM === 'dumb') {
      ctx.io.stderr.write('spmon: TERM=dumb cannot draw the dashboard; use --once, or set TERM (e.g. TERM=xterm-256color).\n');
      return 1;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDashboard } = require('../ui/app') as typeof import('../ui/app');
    return runDashboard(ctx.settings, ctx.io.env);
  },
};
