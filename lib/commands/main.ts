// The program itself: the dashboard, or with --once/--json one snapshot printed as a table or JSON.
import type { CommandDef } from './command';

export const mainCommand: CommandDef = {
  name: '',
  description: "Which session is eating this machine? Per-process USS/PSS/RSS, CPU, I/O and growth, against the pod's cgroup limit.",
  options: [
    { flags: '--once', description: 'print one snapshot and exit (a table, or JSON with --json)' },
    { flags: '--json', description: 'print the snapshot as JSON (schema spmon.snapshot/v1); implies --once' },
  ],
  async run(ctx) {
    const json = ctx.opts.json === true;
    if (json || ctx.opts.once === true) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runOnce } = require('./once') as typeof import('./once');
      return runOnce(ctx, json);
    }
    if (!ctx.io.stdout.isTTY || !process.stdin.isTTY) {
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
