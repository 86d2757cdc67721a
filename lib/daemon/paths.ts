// Where the daemon lives: its socket in a private runtime directory (as tmux keeps its socket), its state
// (session records, output logs, events) under $XDG_STATE_HOME/spmon.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export class PathError extends Error {}

/** The socket: --socket, else $SPMON_SOCKET, else $XDG_RUNTIME_DIR/spmon/daemon.sock, else /tmp/spmon-<uid>/daemon.sock. */
export function socketPath(env: NodeJS.ProcessEnv, flag?: string): string {
  if (flag) return path.resolve(flag);
  if (env.SPMON_SOCKET) return path.resolve(env.SPMON_SOCKET);
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) return path.join(runtime, 'spmon', 'daemon.sock');
  return path.join('/tmp', `spmon-${process.getuid?.() ?? 0}`, 'daemon.sock');
}

/** $XDG_STATE_HOME/spmon, else ~/.local/state/spmon. */
export function stateDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'spmon');
}

/**
 * Make (or check) a directory only its owner may enter: created 0700, and refused when it belongs to
 * someone else or others can enter it (tmux refuses its socket directory the same way).
 */
export function privateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new PathError(`cannot create ${dir}: ${(err as Error).message}`);
  }
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory()) throw new PathError(`${dir} is not a directory`);
  if (st.uid !== uid) throw new PathError(`${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): refusing to use it`);
  if ((st.mode & 0o077) !== 0) throw new PathError(`${dir} is open to others (mode ${(st.mode & 0o777).toString(8)}): refusing to use it; chmod 700 it`);
}
