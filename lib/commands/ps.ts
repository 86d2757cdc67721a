// `spmon ps`: every supervised session, running and ended, with the live totals of its tree.
import type { PsRow } from '../daemon/handlers';
import { psJson, psTable } from '../view/ps_view';
import { toSafeJson } from '../view/sanitize';
import type { CommandDef } from './command';
import { SOCKET_OPTION, withDaemon } from './daemon_client';

export const psCommand: CommandDef = {
  name: 'ps',
  description: 'supervised sessions: state, pid, restarts, last exit, CPU and memory of their trees',
  options: [{ flags: '--json', description: 'JSON (schema spmon.ps/v1, docs/ps.schema.json)' }, SOCKET_OPTION],
  usageExit: 2,
  run: (ctx) =>
    withDaemon(ctx, async (c) => {
      const { sessions } = await c.request<{ sessions: PsRow[] }>('ps');
      ctx.io.stdout.write(ctx.opts.json === true ? toSafeJson(psJson(sessions), 2) + '\n' : psTable(sessions, ctx.columns));
      return 0;
    }),
};
