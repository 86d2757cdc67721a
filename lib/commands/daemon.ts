// `spmon daemon`: run the daemon in the foreground (logs to stderr), or with --detach in the background.
import type * as childProcess from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { askRunning, DaemonClient, liveLockHolder, NoDaemonError, selfCommand } from '../daemon/client';
import { PathError, privateDir, stateDir } from '../daemon/paths';
import { CommandDef, RunContext, UsageError } from './command';
import { exitFor, SOCKET_OPTION, socketOf, useClient } from './daemon_client';
import { isoTime } from '../model/clock';

/** The options that say how a daemon starts (flag, then commander's name), passed on by --detach. */
const START_OPTIONS = ['--log-max', 'logMax', '--ended-log-max', 'endedLogMax', '--memory-guard', 'memoryGuard', '--agents', 'agents', '--metrics', 'metrics', '--web-config', 'webConfig', '--metrics-top', 'metricsTop', '--metrics-session-limit', 'metricsSessionLimit'] as const;

async function detach(ctx: RunContext, socketPath: string): Promise<number> {
  const dir = stateDir(ctx.io.env);
  privateDir(dir);
  const logFile = path.join(dir, 'daemon.log');
  const fd = fs.openSync(logFile, 'a', 0o600);
  const [cmd, ...args] = selfCommand({ longRunning: true });
  const passOn = START_OPTIONS;
  const extra: string[] = [];
  for (let i = 0; i < passOn.length; i += 2) {
    const v = ctx.opts[passOn[i + 1]];
    if (v === true) extra.push(passOn[i]);
    else if (v !== undefined) extra.push(passOn[i], String(v));
  }
  const child = (require('child_process') as typeof childProcess).spawn(cmd, [...args, ...process.argv.slice(2, process.argv.indexOf('daemon')), 'daemon', '--socket', socketPath, ...extra], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: ctx.io.env,
  });
  fs.closeSync(fd);
  let exited: string | null = null;
  child.once('exit', (code, sig) => (exited = sig ?? String(code)));
  child.unref();
  for (const until = Date.now() + 10_000; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 50));
    const st = await askRunning<{ pid: number }>(socketPath, 'status').catch(() => null);
    if (st) {
      ctx.io.stdout.write(`spmon daemon pid ${st.pid} on ${socketPath} (log: ${logFile})\n`);
      return 0;
    }
    if (exited !== null) {
      ctx.io.stderr.write(`spmon: the daemon exited (${exited}); see ${logFile}\n`);
      return 1;
    }
  }
  ctx.io.stderr.write(`spmon: the daemon did not answer within 10 s; see ${logFile}\n`);
  return 1;
}

/**
 * `--stop`: ask the daemon to stop as SIGTERM would (every supervised session by its own policy, then
 * itself) and wait until it has: its lock released and its process gone (by pid and start time).
 */
async function stopDaemon(ctx: RunContext, socketPath: string): Promise<number> {
  let c: DaemonClient;
  try {
    c = await DaemonClient.connect(socketPath);
  } catch (err) {
    // Nothing to stop: said as status says it, without the hint to start one.
    ctx.io.stderr.write(`spmon: ${(err as Error).message}\n`);
    return exitFor(err);
  }
  return useClient(ctx, c, async () => {
    const holder = liveLockHolder(`${socketPath}.lock`);
    const r = await c.request<{ pid: number; stopping: number }>('shutdown');
    const sessions = `${r.stopping} supervised session${r.stopping === 1 ? '' : 's'}`;
    if (r.stopping > 0) ctx.io.stderr.write(`spmon: stopping ${sessions} (each by its stop signal and grace), then the daemon (pid ${r.pid})\n`);
    for (;;) {
      const now = liveLockHolder(`${socketPath}.lock`);
      if (!now || !holder || now.pid !== holder.pid || now.startTicks !== holder.startTicks) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    ctx.io.stdout.write(`spmon daemon pid ${r.pid} stopped${r.stopping > 0 ? ` (${sessions} ended)` : ''}\n`);
    return 0;
  });
}

export const daemonCommand: CommandDef = {
  name: 'daemon',
  description: 'run the daemon: supervised sessions (spmon run), one engine for every client, the control API on a Unix socket',
  options: [
    SOCKET_OPTION,
    { flags: '--detach', description: 'start it in the background and return once it answers' },
    { flags: '--stop', description: 'stop the running daemon as SIGTERM does (every supervised session by its own policy, then the daemon) and wait until it has (exit 3 if none runs)' },
    { flags: '--metrics [address]', description: 'serve Prometheus/OpenMetrics on GET /metrics (default address 127.0.0.1:9464; loopback unless an address says otherwise)' },
    { flags: '--web-config <file>', description: "exporter-toolkit web config for --metrics: basic_auth_users (bcrypt), tls_server_config" },
  ],
  settingsUnused: (opts) => opts.stop === true,
  async run(ctx) {
    const socketPath = socketOf(ctx);
    if (ctx.opts.stop === true) {
      const flags: string[] = ['--detach', 'detach', ...START_OPTIONS];
      for (let i = 0; i < flags.length; i += 2)
        if (ctx.opts[flags[i + 1]] !== undefined) throw new UsageError(`--stop goes alone (not with ${flags[i]}): it stops the daemon that runs, as it was started`);
      return stopDaemon(ctx, socketPath);
    }
    if (ctx.opts.detach === true) return detach(ctx, socketPath);
    const log = (m: string) => ctx.io.stderr.write(`${isoTime()} spmon daemon: ${m}\n`);
    const metrics = ctx.opts.metrics === undefined ? null : { address: ctx.opts.metrics === true ? '127.0.0.1:9464' : String(ctx.opts.metrics), webConfigFile: ctx.opts.webConfig as string | undefined };
    if (!metrics && ctx.opts.webConfig !== undefined) throw new UsageError('--web-config goes with --metrics');
    let daemon;
    try {
      // The daemon's modules (supervisor, server, requests, metrics) load here only: no other command
      // evaluates them at its start.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startDaemon } = require('../daemon/daemon') as typeof import('../daemon/daemon');
      const reload = ctx.reloadSettings;
      daemon = await startDaemon(ctx.settings, { socketPath, env: ctx.io.env, log, metrics, reloadSettings: reload && (() => reload(true)), configFile: ctx.configFile });
    } catch (err) {
      if (err instanceof NoDaemonError || err instanceof PathError) {
        ctx.io.stderr.write(`spmon: ${err.message}\n`);
        return 1;
      }
      if (metrics) {
        // Only when metrics were asked for (and so are loaded already): a bad address or web config is the user's to fix.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { MetricsAddressError } = require('../metrics/server') as typeof import('../metrics/server');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { WebConfigError } = require('../metrics/web_config') as typeof import('../metrics/web_config');
        if (err instanceof MetricsAddressError || err instanceof WebConfigError) throw new UsageError(err.message);
      }
      throw err;
    }
    return new Promise<number>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        log(`${sig}`);
        daemon.stop().then(
          () => resolve(0),
          (err: Error) => {
            log(`stopping failed: ${err.message}`);
            resolve(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      // Stopped through the API (spmon daemon --stop).
      void daemon.stopped.then(() => resolve(0));
      // A daemon outlives the terminal that started it; SIGHUP reads the config file's agent policy again.
      process.on('SIGHUP', () => {
        try {
          if (!daemon.reload().changed) log('SIGHUP: the agent policy is as it was');
        } catch (err) {
          log(`SIGHUP: the config file was not applied (the policy stays as it was): ${(err as Error).message}`);
        }
      });
    });
  },
};
