// What the commands that talk to the daemon share: the socket option, the connection, and how the
// daemon's errors become messages and exit statuses (no daemon, unknown id: 3; a bad option: 2; cannot start: 1).
import { connectOrStart, DaemonClient, NoDaemonError } from '../daemon/client';
import { socketPath } from '../daemon/paths';
import { ApiError } from '../daemon/protocol';
import { OptionDef, RunContext, UsageError } from './command';

const EXIT_USAGE = 2;

export const SOCKET_OPTION: OptionDef = { flags: '--socket <path>', description: 'the daemon\'s socket (default $SPMON_SOCKET, else $XDG_RUNTIME_DIR/spmon/daemon.sock, else /tmp/spmon-<uid>/daemon.sock)' };

export const EXIT_NOT_FOUND = 3;

/** The exit status for an error from the daemon (or its absence). */
export function exitFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof NoDaemonError) return EXIT_NOT_FOUND;
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'not-found':
      case 'name-taken':
        return EXIT_NOT_FOUND;
      case 'bad-request':
      case 'unknown-method':
        return 2;
      default:
        return 1;
    }
  }
  return 1;
}

export function socketOf(ctx: RunContext): string {
  return socketPath(ctx.io.env, ctx.opts.socket as string | undefined);
}

/** Run `fn` with a client of the running daemon (none: a message and exit 3; no daemon is started). */
export async function withDaemon(ctx: RunContext, fn: (c: DaemonClient) => Promise<number>): Promise<number> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(socketOf(ctx));
  } catch (err) {
    ctx.io.stderr.write(`spmon: ${(err as Error).message}; start one with "spmon daemon --detach" (or "spmon run" starts one)\n`);
    return exitFor(err);
  }
  return useClient(ctx, client, fn);
}

/**
 * Run `fn` with a client of the daemon, starting one if none runs (`spmon run`, `request-termination`). A
 * daemon started here for a command that then failed (exit status not 0) is stopped again if it is still
 * idle, so that a refused or mistaken request leaves no daemon behind.
 */
export async function withDaemonStarting(ctx: RunContext, fn: (c: DaemonClient) => Promise<number>): Promise<number> {
  let conn: { client: DaemonClient; started: boolean };
  try {
    conn = await connectOrStart(socketOf(ctx), ctx.io.env);
  } catch (err) {
    ctx.io.stderr.write(`spmon: ${(err as Error).message}\n`);
    return err instanceof NoDaemonError ? 1 : exitFor(err);
  }
  return useClient(ctx, conn.client, async (c) => {
    let code = 1;
    try {
      code = await fn(c);
      return code;
    } finally {
      // Busy (another command gave it work meanwhile) or already gone: it stays as it is.
      if (conn.started && code !== 0) await c.request('shutdown', { ifIdle: true }).catch(() => undefined);
    }
  });
}

/** Run `fn` with a connected client; its error is said on stderr with its exit status; the client is closed. */
export async function useClient(ctx: RunContext, client: DaemonClient, fn: (c: DaemonClient) => Promise<number>): Promise<number> {
  try {
    return await fn(client);
  } catch (err) {
    ctx.io.stderr.write(`spmon: ${(err as Error).message}\n`);
    return exitFor(err);
  } finally {
    client.close();
  }
}
