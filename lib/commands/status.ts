// `spmon status`: is a daemon running, and what does it hold. Exit 0 when it answers, 3 when not.
import { toSafeJson } from '../view/sanitize';
import type { CommandDef } from './command';
import { SOCKET_OPTION, withDaemon } from './daemon_client';

interface Status {
  pid: number;
  version: string;
  uptimeSec: number;
  socket: string;
  sessions: { total: number; byState: Record<string, number> };
}

export const statusCommand: CommandDef = {
  name: 'status',
  description: "the daemon's pid, uptime, socket, version and session counts (exit 0 running, 3 not)",
  options: [{ flags: '--json', description: 'JSON' }, SOCKET_OPTION],
  settingsUnused: () => true,
  run: (ctx) =>
    withDaemon(ctx, async (c) => {
      const st = await c.request<Status>('status');
      if (ctx.opts.json === true) ctx.io.stdout.write(toSafeJson({ running: true, ...st }, 2) + '\n');
      else {
        const by = Object.entries(st.sessions.byState).map(([k, v]) => `${v} ${k}`).join(', ');
        ctx.io.stdout.write(`spmon daemon ${st.version}, pid ${st.pid}, up ${st.uptimeSec} s, socket ${st.socket}\nsessions: ${st.sessions.total}${by ? ` (${by})` : ''}\n`);
      }
      return 0;
    }),
};
