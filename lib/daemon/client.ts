// A client of the daemon's control API: one connection, requests answered in order of their ids. Used by
// the CLI (run, ps, logs, stop, status...), the dashboard and the MCP server.
import type * as childProcess from 'child_process';
import * as fs from 'fs';
import type * as net from 'net';
import * as path from 'path';
import { openProcess } from '../native';
import { privateDir, stateDir } from './paths';
import { ApiError, ErrorCode, LineSplitter, Response } from './protocol';
import { LONG_RUNNING_FLAGS } from '../engine/jit_tier';

/** No daemon answers on the socket (none runs, or it died). */
export class NoDaemonError extends Error {}

/** The lock beside the socket: pid and start time of the daemon that holds it. */
export interface LockHolder {
  pid: number;
  startTicks: number | null;
}

/**
 * The process (pid, start time) still runs: not gone, not reused, not a zombie (killed, not yet reaped by
 * whoever adopted it, it holds nothing). The addon's check; an answer it cannot give counts as running.
 */
function runs(pid: number, startTicks: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isInteger(pid) || pid <= 1) return false; // no daemon's pid (a damaged lock file)
  const r = openProcess(pid, startTicks);
  r.handle?.close();
  return r.status !== 'gone';
}

/** The daemon that holds the lock at `lockPath`, if it still runs (by pid and start time); else null. */
export function liveLockHolder(lockPath: string): LockHolder | null {
  let holder: LockHolder;
  try {
    holder = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
  if (typeof holder?.pid !== 'number' || holder.startTicks === null) return null;
  return runs(holder.pid, holder.startTicks) ? holder : null;
}

export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
  ) {
    socket.setEncoding('utf8');
    const lines = new LineSplitter((line) => {
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        return;
      }
      const p = this.pending.get(r.id);
      if (!p) {
        // id 0: the daemon refused the connection (or the request) outright.
        if (r.id === 0 && r.error) for (const q of this.pending.values()) q.reject(new ApiError(r.error.code, r.error.message));
        if (r.id === 0) this.pending.clear();
        return;
      }
      this.pending.delete(r.id);
      if (r.error) p.reject(new ApiError(r.error.code as ErrorCode, r.error.message));
      else p.resolve(r.result);
    });
    socket.on('data', (c: string) => lines.push(c));
    const fail = (err: Error) => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    socket.on('error', (e) => fail(new NoDaemonError(`the daemon went away (${e.message})`)));
    socket.on('close', () => fail(new NoDaemonError('the daemon closed the connection')));
  }

  /** Connect; NoDaemonError when nothing answers within `timeoutMs`. */
  static connect(socketPath: string, timeoutMs = 2000): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      // net (and child_process below) load on first use: `spmon --once` with no daemon needs neither.
      const socket = (require('net') as typeof net).connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NoDaemonError(`no spmon daemon answered on ${socketPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new DaemonClient(socket, socketPath));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = err.code === 'ENOENT' ? 'no socket' : err.code === 'ECONNREFUSED' ? 'nobody listens on it' : err.message;
        // A daemon that runs but does not answer (its socket removed or replaced) is not "no daemon".
        const held = liveLockHolder(`${socketPath}.lock`);
        if (held)
          reject(new NoDaemonError(`the spmon daemon (pid ${held.pid}) holds ${socketPath}.lock but does not answer on its socket (${why}); end it (kill ${held.pid}) and start one again`));
        else reject(new NoDaemonError(`no spmon daemon running (${socketPath}: ${why})`));
      });
    });
  }

  /** False once the connection is closed (by either side). */
  get isOpen(): boolean {
    return !this.closed;
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.closed) return Promise.reject(new NoDaemonError('the connection to the daemon is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NoDaemonError(`the daemon did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.destroy();
  }
}

/**
 * One request to a daemon that already runs (none is started): its answer, or null when no daemon answers on
 * the socket within `connectMs`. An error of the request itself (the daemon answered with one, or did not
 * answer within `requestMs`, by default as long as DaemonClient.request waits) is thrown.
 */
export async function askRunning<T>(
  socketPath: string,
  method: string,
  params: Record<string, unknown> = {},
  { connectMs = 1000, requestMs }: { connectMs?: number; requestMs?: number } = {},
): Promise<T | null> {
  let c: DaemonClient;
  try {
    c = await DaemonClient.connect(socketPath, connectMs);
  } catch (err) {
    if (err instanceof NoDaemonError) return null;
    throw err;
  }
  try {
    return await c.request<T>(method, params, requestMs);
  } finally {
    c.close();
  }
}

/**
 * How to start spmon again: this executable (a single-file build) or node with this script. `longRunning`:
 * for the daemon itself, with the Node flags bin/spmon's sh line gives it (LONG_RUNNING_FLAGS), which
 * `node <script>` would not get.
 */
export function selfCommand(opts: { longRunning?: boolean } = {}): string[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require('node:sea') as { isSea(): boolean };
    if (sea.isSea()) return [process.execPath];
  } catch {
    // Not a Node with SEA support: a script.
  }
  const script = process.argv[1];
  return [process.execPath, ...(opts.longRunning ? LONG_RUNNING_FLAGS : []), ...(script ? [script] : [])];
}

/** ": " and the last line of a log (what a daemon that exited at once said), or "" when there is none. */
function lastLogLine(file: string): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const b = Buffer.alloc(Math.min(size, 2048));
      fs.readSync(fd, b, 0, b.length, size - b.length);
      const line = b.toString('utf8').trimEnd().split('\n').pop() ?? '';
      return line ? `: ${line.replace(/^\S+ spmon daemon: /, '')}` : '';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * A client of the running daemon, starting one in the background first when none answers (as tmux
 * starts its server). The new daemon logs to <state>/daemon.log.
 */
export async function connectOrStart(socketPath: string, env: NodeJS.ProcessEnv, waitMs = 10_000): Promise<{ client: DaemonClient; started: boolean }> {
  try {
    return { client: await DaemonClient.connect(socketPath), started: false };
  } catch (err) {
    if (!(err instanceof NoDaemonError)) throw err;
  }
  const dir = stateDir(env);
  privateDir(dir);
  const logFd = fs.openSync(path.join(dir, 'daemon.log'), 'a', 0o600);
  const [cmd, ...args] = selfCommand({ longRunning: true });
  const child = (require('child_process') as typeof childProcess).spawn(cmd, [...args, 'daemon', '--socket', socketPath], { detached: true, stdio: ['ignore', logFd, logFd], env });
  fs.closeSync(logFd);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = signal ?? String(code)));
  child.unref();
  const until = Date.now() + waitMs;
  let last: Error | null = null;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    let client: DaemonClient | null = null;
    try {
      client = await DaemonClient.connect(socketPath, 1000);
    } catch (err) {
      last = err as Error;
    }
    if (client) {
      // Started here only when the daemon that answers is the child spawned above: with two commands
      // starting at once, the one whose child lost the lock talks to the other's daemon.
      const answering = await client.request<{ pid: number }>('status').then((st) => st.pid, () => null);
      return { client, started: answering === child.pid };
    }
    if (exited !== null) {
      // Another daemon may have won the race for the socket: try it once more.
      try {
        return { client: await DaemonClient.connect(socketPath, 1000), started: false };
      } catch {
        throw new NoDaemonError(`the daemon exited (${exited}) before answering${lastLogLine(path.join(dir, 'daemon.log'))}; see ${path.join(dir, 'daemon.log')}`);
      }
    }
  }
  throw new NoDaemonError(`the daemon did not answer within ${waitMs} ms (${last?.message ?? 'no answer'}); see ${path.join(dir, 'daemon.log')}`);
}
