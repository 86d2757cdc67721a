// `spmon request-termination`: ask the daemon (starting one if none runs) to end an agent session and
// continue it. Without --session or --pid, the session of whoever runs it (found from its ancestry): an
// agent can end and continue itself.
import type { RequestRecord } from '../daemon/requests';
import { REQUEST_REASONS } from '../daemon/requests';
import { processStartTicks } from '../native';
import { sanitize, toSafeJson } from '../view/sanitize';
import { CommandDef, UsageError } from './command';
import { SOCKET_OPTION, withDaemonStarting } from './daemon_client';

export const requestTerminationCommand: CommandDef = {
  name: 'request-termination',
  description: "end an agent session (its whole tree) and continue it with a command; default: the caller's own session",
  options: [
    { flags: '--session <id>', description: 'the session: agent:<tool>:<id>, its bare id, run:<name>, or a tmux session id' },
    { flags: '--pid <pid>', description: 'a process of the session (the agent or one of its descendants)' },
    { flags: '--reason <reason>', description: `why: ${REQUEST_REASONS.join(' | ')}` },
    { flags: '--continuation-command <cmd>', description: 'a shell command line that continues the work where the agent ran (none: only end it)' },
    { flags: '--priority <priority>', description: 'graceful (SIGINT, a wait, then SIGTERM and SIGKILL; default) | immediate (SIGTERM, 3 s, SIGKILL)' },
    { flags: '--note <text>', description: 'a note kept with the request' },
    { flags: '--json', description: 'print the request record as JSON' },
    SOCKET_OPTION,
  ],
  helpAfter: `
Exit status: 0 filed (the id is printed), 1 refused (the same place is being ended already), 2 a bad
option, 3 no such session or process.`,
  async run(ctx) {
    const o = ctx.opts;
    if (o.reason === undefined) throw new UsageError(`--reason is required: ${REQUEST_REASONS.join(', ')}`);
    if (!REQUEST_REASONS.includes(o.reason as never)) throw new UsageError(`--reason must be one of ${REQUEST_REASONS.join(', ')} (got ${JSON.stringify(o.reason)})`);
    if (o.priority !== undefined && o.priority !== 'graceful' && o.priority !== 'immediate') throw new UsageError(`--priority must be graceful or immediate (got ${JSON.stringify(o.priority)})`);
    if (o.session !== undefined && o.pid !== undefined) throw new UsageError('give --session or --pid, not both');
    let pid: number | undefined;
    let startTime: number | undefined;
    if (o.pid !== undefined) {
      if (!/^\d+$/.test(String(o.pid)) || Number(o.pid) < 2) throw new UsageError(`--pid must be a process id (got ${JSON.stringify(o.pid)})`);
      pid = Number(o.pid);
      // Pinned now: if the pid is reused before the daemon acts, the newcomer is not taken for it.
      startTime = processStartTicks(pid) ?? undefined;
      if (startTime === undefined) {
        ctx.io.stderr.write(`spmon: no process ${pid}\n`);
        return 3;
      }
    }
    return withDaemonStarting(ctx, async (c) => {
      const r = await c.request<{ id: string; state: string; target: string | null; request: RequestRecord }>('requestTermination', {
        source: 'cli',
        session: o.session,
        pid,
        pidStartTime: startTime,
        reason: o.reason,
        continuationCommand: o.continuationCommand ?? null,
        priority: o.priority ?? 'graceful',
        note: o.note ?? null,
      });
      // The id goes to stdout only for a request that was filed (`id=$(spmon request-termination ...)`);
      // a refusal names it on stderr. --json prints the record either way: its state says which.
      if (o.json === true) ctx.io.stdout.write(toSafeJson(r.request, 2) + '\n');
      else if (r.state !== 'refused') ctx.io.stdout.write(`${r.id}\n`);
      if (r.state === 'refused') {
        ctx.io.stderr.write(`spmon: refused (${sanitize(r.id)}): ${sanitize(r.request.outcome ?? '')}\n`);
        return 1;
      }
      return 0;
    });
  },
};
