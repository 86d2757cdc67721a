// tmux: every server of the user (each socket in ${TMUX_TMPDIR:-/tmp}/tmux-<uid>/) and the panes of all its
// sessions. Runs `tmux` asynchronously with a timeout; never throws: what went wrong goes in `problems`.
// Session names are untrusted text, kept as they are: the view sanitises them (design rule 6).
// A socket nobody listens on (a server that died without removing it) is told apart by connecting to it,
// as tmux itself would, without starting a `tmux` child. child_process and net are loaded only when needed.
import type * as childProcess from 'child_process';
import * as fs from 'fs';
import type * as net from 'net';
import * as path from 'path';

export interface TmuxPane {
  /** Socket name, the file name in the socket directory (`default`, or the `-L` name). */
  socket: string;
  socketPath: string;
  /** tmux's session id, `$N`: stable for the life of the server, unlike the name. */
  sessionId: string;
  sessionName: string;
  panePid: number;
  /** tmux's pane id, `%N`: what a command addresses the pane by (`-t %N`). */
  paneId: string;
}

export interface TmuxListOptions {
  /** Environment to read TMUX_TMPDIR from and to give the child (without TMUX); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Whose socket directory; default process.getuid(). */
  uid?: number;
  /** Per server; a server that has not answered by then counts as having no panes. Default 1000. */
  timeoutMs?: number;
  /** The tmux program; default `tmux` (looked up in env.PATH). */
  tmuxBin?: string;
}

export interface TmuxListing {
  panes: TmuxPane[];
  /** Why some or all servers gave no panes (no tmux, no socket directory, dead or hung server...). */
  problems: string[];
}

export const TMUX_FORMAT = '#{pane_pid} #{pane_id} #{session_id} #{session_name}';
const DEFAULT_TIMEOUT_MS = 1000;
const MAX_BUFFER = 4 * 1024 * 1024;
const MAX_PROBLEM_CHARS = 300;

/** `${TMUX_TMPDIR:-/tmp}/tmux-<uid>`, as tmux itself computes it. */
export function tmuxSocketDir(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string {
  const base = env.TMUX_TMPDIR ? env.TMUX_TMPDIR : '/tmp';
  return path.join(base, `tmux-${uid}`);
}

/** Lines of `list-panes -F TMUX_FORMAT` output; malformed lines are skipped. */
export function parseListPanes(text: string, socket: string, socketPath: string): TmuxPane[] {
  const panes: TmuxPane[] = [];
  for (const line of text.split('\n')) {
    // pane pid, pane id, session id, one space each, then the name: the rest of the line, spaces and all.
    const m = /^([0-9]{1,10}) (%[0-9]{1,10}) (\$[0-9]{1,10}) (.*)$/s.exec(line);
    if (!m) continue;
    const panePid = Number(m[1]);
    if (!Number.isSafeInteger(panePid) || panePid <= 0 || panePid > 0x3fffffff) continue;
    panes.push({ socket, socketPath, sessionId: m[3], sessionName: m[4], panePid, paneId: m[2] });
  }
  return panes;
}

/** Every pane of every tmux server of the user. Never rejects. */
export function listTmuxPanes(opts: TmuxListOptions = {}): Promise<TmuxListing> {
  return startTmuxListing(opts).listing;
}

/**
 * `listTmuxPanes`, and when it has started what it runs: `started` resolves once every live server's `tmux`
 * child is running (or none is needed), so a caller that then blocks, such as a snapshot's native sample,
 * has them run meanwhile. Neither promise rejects.
 */
export function startTmuxListing(opts: TmuxListOptions = {}): { started: Promise<void>; listing: Promise<TmuxListing> } {
  const env = opts.env ?? process.env;
  const uid = opts.uid ?? currentUid();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tmuxBin = opts.tmuxBin ?? 'tmux';
  const problems: string[] = [];
  const failed = (err: unknown): TmuxListing => {
    problems.push(clip(`tmux: ${(err as Error)?.message ?? String(err)}`));
    return { panes: [], problems };
  };
  try {
    const sockets = findSockets(tmuxSocketDir(env, uid), uid, problems);
    const childEnv = cleanEnv(env);
    const runs = sockets.map((socketPath) => listSocket(tmuxBin, socketPath, childEnv, timeoutMs));
    const listing = Promise.all(runs.map((r) => r.result)).then((results) => {
      const panes: TmuxPane[] = [];
      for (const r of results) {
        panes.push(...r.panes);
        for (const p of r.problems) if (!problems.includes(p)) problems.push(p);
      }
      return { panes, problems };
    }, failed);
    return { started: Promise.all(runs.map((r) => r.started)).then(() => undefined), listing };
  } catch (err) {
    return { started: Promise.resolve(), listing: Promise.resolve(failed(err)) };
  }
}

/**
 * Polls tmux in the background for a synchronous caller (the dashboard tick): `refresh()` starts a listing
 * unless one is in flight; `latest()` is the last completed result. At most one listing runs at a time.
 */
export class TmuxWatcher {
  private current: TmuxListing = { panes: [], problems: [] };
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private completed = 0;

  constructor(
    private readonly opts: TmuxListOptions = {},
    private readonly list: (opts: TmuxListOptions) => Promise<TmuxListing> = listTmuxPanes,
  ) {}

  refresh(): void {
    if (this.inFlight || this.closed) return;
    // The listing starts once the tick that asked has ended (finding the sockets and forking tmux cost a few
    // ms, and the dashboard's first frame waits for its first tick); a lister that throws is caught like one
    // that rejects.
    this.inFlight = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (this.closed ? this.current : this.list(this.opts)))
      .then(
        (result) => {
          this.current = result;
        },
        (err: unknown) => {
          this.current = { panes: [], problems: [clip(`tmux: ${(err as Error)?.message ?? String(err)}`)] };
        },
      )
      .finally(() => {
        this.completed++;
        this.inFlight = null;
      });
  }

  latest(): TmuxPane[] {
    return this.current.panes;
  }

  problems(): string[] {
    return this.current.problems;
  }

  /** How many listings have completed (0: `latest()` is still the empty start value). */
  get generation(): number {
    return this.completed;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Resolves when no listing is in flight (for tests and for a clean exit). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** No listing from now on (one asked for but not yet started does not start); resolves when none runs. */
  close(): Promise<void> {
    this.closed = true;
    return this.idle();
  }
}

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The sockets in dir, sorted; only if dir is a real directory of uid that others cannot enter (tmux's rule). */
function findSockets(dir: string, uid: number, problems: string[]): string[] {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(code === 'ENOENT' ? `no tmux socket directory ${dir}` : clip(`cannot read ${dir}: ${(err as Error).message}`));
    return [];
  }
  if (!st.isDirectory()) {
    problems.push(`${dir} is not a directory`);
    return [];
  }
  if (st.uid !== uid || (st.mode & 0o007) !== 0) {
    problems.push(`${dir} has unsafe ownership or permissions; ignored`);
    return [];
  }
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    problems.push(clip(`cannot read ${dir}: ${(err as Error).message}`));
    return [];
  }
  const sockets: string[] = [];
  for (const name of names.sort()) {
    const p = path.join(dir, name);
    try {
      if (fs.lstatSync(p).isSocket()) sockets.push(p);
    } catch {
      // vanished meanwhile
    }
  }
  if (sockets.length === 0) problems.push(`no tmux server sockets in ${dir}`);
  return sockets;
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (k === 'TMUX' || k === 'TMUX_PANE' || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

/** One server: is it there (connect to its socket), then `tmux list-panes` when it is. */
function listSocket(
  tmuxBin: string,
  socketPath: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): { started: Promise<void>; result: Promise<TmuxListing> } {
  const socket = path.basename(socketPath);
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const result = probeSocket(socketPath, timeoutMs).then((state) => {
    try {
      // Nobody accepts: what tmux would say, without running it.
      if (state === 'refused') return { panes: [], problems: [clip(`tmux socket ${socket}: no server running`)] };
      return runTmux(tmuxBin, socketPath, env, timeoutMs);
    } finally {
      markStarted();
    }
  });
  return { started, result };
}

/**
 * 'refused' when the socket file is there but no server accepts (it died without removing it), 'listening'
 * when one does; 'unknown' otherwise (then tmux is asked and reports). The connection is closed at once.
 */
function probeSocket(socketPath: string, timeoutMs: number): Promise<'listening' | 'refused' | 'unknown'> {
  return new Promise((resolve) => {
    let sock: net.Socket | null = null;
    const done = (state: 'listening' | 'refused' | 'unknown') => {
      clearTimeout(timer);
      sock?.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sock = (require('net') as typeof net).createConnection(socketPath);
      sock.once('connect', () => done('listening'));
      sock.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'refused' : 'unknown'));
    } catch {
      done('unknown');
    }
  });
}

/**
 * `tmux -S socketPath list-panes -a`: its child is running when this returns. The timeout counts from now,
 * but a child that has exited is not killed for it: when this thread was busy meanwhile (a long native
 * sample), the timer can come due before the output waiting in the pipe has been read.
 */
function runTmux(tmuxBin: string, socketPath: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<TmuxListing> {
  const socket = path.basename(socketPath);
  return new Promise((resolve) => {
    let finished = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (listing: TmuxListing) => {
      finished = true;
      clearTimeout(timer);
      resolve(listing);
    };
    const fail = (why: string) => done({ panes: [], problems: [clip(`tmux socket ${socket}: ${why}`)] });

    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const child = (require('child_process') as typeof childProcess).execFile(
        tmuxBin,
        // -u: names in UTF-8 whatever the locale (without it tmux writes '_' for every non-ASCII character).
        ['-u', '-S', socketPath, 'list-panes', '-a', '-F', TMUX_FORMAT],
        { env, encoding: 'utf8', maxBuffer: MAX_BUFFER },
        (err, stdout, stderr) => {
          if (timedOut) return fail(`no answer within ${timeoutMs} ms`);
          if (!err) return done({ panes: parseListPanes(String(stdout), socket, socketPath), problems: [] });
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          if (e.code === 'ENOENT') return fail(`${tmuxBin} not found`);
          if (e.code === 'EACCES') return fail(`${tmuxBin} is not executable`);
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return fail('output too large');
          if (e.killed) return fail(`no answer within ${timeoutMs} ms`);
          if (e.signal) return fail(`tmux killed by ${e.signal}`);
          const msg = String(stderr).trim().split('\n')[0] ?? '';
          if (/no server running|connection refused|error connecting/i.test(msg)) return fail('no server running');
          return fail(msg || e.message);
        },
      );
      // Past the timeout, after this turn's I/O (setImmediate: the exit and the output of a child that is done
      // are handled first): kill it and close the pipes, so it reports even if something still holds them
      // open. A child that has exited gets one more period for its output to drain.
      let grace = true;
      const expire = () =>
        setImmediate(() => {
          if (finished) return;
          if (grace && (child.exitCode !== null || child.signalCode !== null)) {
            grace = false;
            timer = setTimeout(expire, timeoutMs);
            return;
          }
          timedOut = true;
          child.stdout?.destroy();
          child.stderr?.destroy();
          // Only a child Node has not seen exit is signalled (one reaped behind libuv's back has a pid that
          // may be reused); and the listing answers now, whether or not its exit is ever reported.
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          fail(`no answer within ${timeoutMs} ms`);
        });
      timer = setTimeout(expire, timeoutMs);
    } catch (err) {
      return fail((err as Error).message);
    }
  });
}

function clip(s: string): string {
  return s.length > MAX_PROBLEM_CHARS ? `${s.slice(0, MAX_PROBLEM_CHARS)}…` : s;
}
