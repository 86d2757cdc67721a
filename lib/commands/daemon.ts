// `spmon daemon`: run the daemon in the foreground (logs to stderr), or with --detach in the background.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DaemonClient, NoDaemonError, selfCommand } from '../daemon/client';
import { startDaemon } from '../daemon/daemon';
import { PathError, privateDir, stateDir } from '../daemon/paths';
import type { CommandDef, RunContext } from './command';
import { SOCKET_OPTION, socketOf } from './daemon_client';

async function detach(ctx: RunContext, socketPath: string): Promise<number> {
  const dir = stateDir(ctx.io.env);
  privateDir(dir);
  const logFile = path.join(dir, 'daemon.log');
  const fd = fs.openSync(logFile, 'a', 0o600);
  const [cmd, ...args] = selfCommand();
  const passOn = ['--log-max', 'logMax', '--ended-log-max', 'endedLogMax'] as const;
  const extra: string[] = [];
  for (let i = 0; i < passOn.length; i += 2) if (ctx.opts[passOn[i + 1]] !== undefined) extra.push(passOn[i], String(ctx.opts[passOn[i + 1]]));
  const child = spawn(cmd, [...args, ...process.argv.slice(2, process.argv.indexOf('daemon')), 'daemon', '--socket', socketPath, ...extra], {
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
    try {
      const c = await DaemonClient.connect(socketPath, 1000);
      const st = await c.request<{ pid: number }>('status');
      c.close();
      ctx.io.stdout.write(`spmon daemon pid ${st.pid} on ${socketPath} (log: ${logFile})\n`);
      return 0;
    } catch {
      if (exited !== null) {
        ctx.io.stderr.write(`spmon: the daemon exited (${exited}); see ${logFile}\n`);
        return 1;
      }
    }
  }
  ctx.io.stderr.write(`spmon: the daemon did not answer within 10 s; see ${logFile}\n`);
  return 1;
}

export const daemonCommand: CommandDef = {
  name: 'daemon',
  description: 'run the daemon: supervised sessions (spmon run), one engine for every client, the control API on a Unix socket',
  options: [SOCKET_OPTION, { flags: '--detach', description: 'start it in the background and return once it answers' }],
  async run(ctx) {
    const socketPath = socketOf(ctx);
    if (ctx.opts.detach === true) return detach(ctx, socketPath);
    const log = (m: string) => ctx.io.stderr.write(`${new Date().toISOString()} spmon daemon: ${m}\n`);
    let daemon;
    try {
      daemon = await startDaemon(ctx.settings, { socketPath, env: ctx.io.env, log });
    } catch (err) {
      if (err instanceof NoDaemonError || err instanceof PathError) {
        ctx.io.stderr.write(`spmon: ${err.message}\n`);
        return 1;
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
      // A daemon outlives the terminal that started it.
      process.on('SIGHUP', () => undefined);
    });
  },
};
