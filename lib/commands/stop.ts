// `spmon stop ID` and `spmon restart ID`.
import type { PsRow } from '../daemon/handlers';
import { exitText } from '../view/ps_view';
import { sanitize } from '../view/sanitize';
import { CommandDef, UsageError } from './command';
import { SOCKET_OPTION, withDaemon } from './daemon_client';

export const stopCommand: CommandDef = {
  name: 'stop',
  description: "stop a supervised session: its stop signal to the whole tree, the grace period, then SIGKILL; never restarted",
  arguments: '<id>',
  options: [
    { flags: '--grace <seconds>', description: "time before SIGKILL (default: the session's)" },
    { flags: '--signal <signal>', description: "the first signal (default: the session's stop signal)" },
    SOCKET_OPTION,
  ],
  run: (ctx) => {
    // Checked before the daemon is asked: a bad option is a usage error (exit 2) with or without a daemon.
    const grace = ctx.opts.grace === undefined ? undefined : Number(ctx.opts.grace);
    if (grace !== undefined && !(Number.isFinite(grace) && grace >= 0)) throw new UsageError(`--grace must be a number of seconds, 0 or more (got ${JSON.stringify(ctx.opts.grace)})`);
    return withDaemon(ctx, async (c) => {
      const row = await c.request<PsRow>('stop', { id: ctx.args[0], graceSec: grace, signal: ctx.opts.signal }, 3_600_000);
      ctx.io.stdout.write(`${sanitize(row.id)} ${row.state} (${exitText(row.lastExit)})\n`);
      return 0;
    });
  },
};

export const restartCommand: CommandDef = {
  name: 'restart',
  description: 'stop a supervised session (as stop does) and start it again with the same command and settings',
  arguments: '<id>',
  options: [SOCKET_OPTION],
  run: (ctx) =>
    withDaemon(ctx, async (c) => {
      const row = await c.request<PsRow>('restart', { id: ctx.args[0] }, 3_600_000);
      ctx.io.stdout.write(`${sanitize(row.id)} ${row.state} pid ${row.pid ?? '-'}\n`);
      return 0;
    }),
};
