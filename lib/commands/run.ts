// `spmon run -- CMD ARG...`: start CMD as a supervised session of the daemon (starting the daemon first
// when none answers) and print its id.
import type { PsRow } from '../daemon/handlers';
import { runSpecProblem } from '../daemon/run_spec';
import { sanitize } from '../view/sanitize';
import type { CommandDef } from './command';
import { SOCKET_OPTION, withDaemonStarting } from './daemon_client';

function number(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v.trim()) || !Number.isFinite(n)) throw new Error(`${what} must be a number, 0 or more (got ${JSON.stringify(v)})`);
  return n;
}

export const runCommand: CommandDef = {
  name: 'run',
  description: 'start a command as a supervised session (its output captured, restarted by policy, stopped with its whole tree); prints its id',
  arguments: '<command...>',
  passThrough: true,
  options: [
    { flags: '--name <name>', description: 'session name (A-Z a-z 0-9 . _ -); default: the command and a number' },
    { flags: '--cwd <dir>', description: 'working directory (default: this one)' },
    { flags: '--env <K=V>', description: 'set an environment variable (repeatable)', repeat: true },
    { flags: '--restart <policy>', description: 'no | on-failure | always (default no)' },
    { flags: '--max-restarts <n>', description: 'give up after this many restarts in a row (default 5)' },
    { flags: '--restart-delay <seconds>', description: 'first delay before a restart; doubles each time, up to 60 s (default 1)' },
    { flags: '--stop-signal <signal>', description: 'signal that asks it to stop (default TERM)' },
    { flags: '--grace <seconds>', description: 'time between the stop signal and SIGKILL (default: the grace setting)' },
    SOCKET_OPTION,
  ],
  helpAfter: `
Everything after -- is the command and its arguments, run without a shell:
  spmon run --name web --restart on-failure -- python3 -m http.server 8000
Exit status: 0 started (the id is printed), 1 it cannot start (not found, not executable, bad cwd),
2 a bad option, 3 the name is in use.`,
  async run(ctx) {
    const o = ctx.opts;
    const env: Record<string, string> = {};
    for (const kv of (o.env as string[] | undefined) ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        ctx.io.stderr.write(`spmon: --env wants K=V (got ${JSON.stringify(kv)})\n`);
        return 2;
      }
      env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    let params: Record<string, unknown>;
    try {
      params = {
        command: ctx.args,
        name: o.name,
        cwd: (o.cwd as string | undefined) ?? process.cwd(),
        env,
        restart: o.restart,
        maxRestarts: number(o.maxRestarts, '--max-restarts'),
        restartDelaySec: number(o.restartDelay, '--restart-delay'),
        stopSignal: o.stopSignal,
        graceSec: number(o.grace, '--grace') ?? ctx.settings.grace,
      };
    } catch (err) {
      ctx.io.stderr.write(`spmon: ${(err as Error).message}\n`);
      return 2;
    }
    // A usage error starts no daemon (the daemon checks again what comes over its socket).
    const problem = runSpecProblem(params);
    if (problem) {
      ctx.io.stderr.write(`spmon: ${problem}\n`);
      return 2;
    }
    return withDaemonStarting(ctx, async (c) => {
      const row = await c.request<PsRow>('run', params);
      ctx.io.stdout.write(`${sanitize(row.id)}\n`);
      return 0;
    });
  },
};
