// `spmon events`: every automatic action and request of the daemon (time, kind, target, reason, outcome).
import type { DaemonEvent } from '../daemon/events';
import { eventLine } from '../view/events_view';
import { toSafeJson } from '../view/sanitize';
import type { CommandDef } from './command';
import { SOCKET_OPTION, withDaemon } from './daemon_client';

const FOLLOW_POLL_MS = 500;

export const eventsCommand: CommandDef = {
  name: 'events',
  description: "the daemon's history: sessions started, exited, restarted, given up, stopped; requests; memory guard decisions",
  options: [
    { flags: '-F, --follow', description: 'keep printing new events (Ctrl-C to stop)' },
    { flags: '--json', description: 'one JSON object per event' },
    SOCKET_OPTION,
  ],
  run: (ctx) =>
    withDaemon(ctx, async (c) => {
      let after = 0;
      for (;;) {
        const { events, lastSeq } = await c.request<{ events: DaemonEvent[]; lastSeq: number }>('events', { after });
        for (const e of events) ctx.io.stdout.write(ctx.opts.json === true ? toSafeJson(e) + '\n' : eventLine(e) + '\n');
        after = events.length > 0 ? events[events.length - 1].seq : Math.max(after, lastSeq);
        if (ctx.opts.follow !== true) return 0;
        await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
      }
    }),
};
