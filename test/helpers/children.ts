// Children that tests spawn, tracked so that afterEach can end them. Only pids we
// spawned (or that our children told us about) are ever signalled.
import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import { privateEnv } from './private_env';

/** A child with known behaviour, for tests that watch it from outside (the dashboard in tmux). */
export interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** `bash -c script` as a Child. */
export function spawnChild(script: string, env?: NodeJS.ProcessEnv): Child {
  const proc = spawn('bash', ['-c', script], { stdio: 'ignore', env });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  if (proc.pid === undefined) throw new Error(`could not spawn: ${script}`);
  return { proc, pid: proc.pid, exited, alive: () => !done };
}

/** A sleeper whose argv[0] is `name` (so a filter on its cmdline finds it). */
export function sleeper(name: string): Child {
  return spawnChild(`exec -a ${name} sleep 600`);
}

/** Ignores SIGTERM; only SIGKILL ends it. */
export function stubborn(name: string): Child {
  return spawnChild(`trap '' TERM; exec -a ${name} bash -c 'trap "" TERM; while :; do sleep 0.2; done'`);
}

/** SIGKILL the Children still running (only these) and wait until they are reaped. */
export function killAll(children: Child[]): Promise<unknown> {
  for (const c of children) if (c.alive()) c.proc.kill('SIGKILL');
  return Promise.all(children.map((c) => c.exited));
}

/** Children spawned by a test, tracked so that afterEach can end them. */
export class Children {
  private readonly procs: ChildProcess[] = [];
  private readonly extraPids = new Set<number>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(cmd, args, { env: this.env, stdio: ['pipe', 'pipe', 'inherit'], ...opts });
    this.procs.push(child);
    return child;
  }

  /** A pid a child forked and reported: it is ended with the rest. */
  adopt(pid: number): void {
    this.extraPids.add(pid);
  }

  /** SIGKILL everything still running and wait for our direct children to be reaped. */
  async killAll(): Promise<void> {
    for (const pid of this.extraPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.extraPids.clear();
    const waits = this.procs.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    );
    this.procs.length = 0;
    await Promise.all(waits);
  }
}

/** Resolve with the first stdout line matching `re` (rejects if the child exits first). */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = line.match(re);
        if (m) {
          done();
          resolve(m);
          return;
        }
      }
    };
    const onExit = (code: number | null, sig: string | null) => {
      done();
      reject(new Error(`child exited (${code ?? sig}) before printing ${re}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${re}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

let python: string | null = null;

/**
 * The real python3 binary (not a pyenv shim script), so that `exec -a` and
 * /proc/<pid>/cmdline show what the test asked for.
 */
export function python3(): string {
  if (python) return python;
  const pe = privateEnv();
  try {
    const exe = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', env: pe.env }).trim();
    python = fs.realpathSync(exe);
  } finally {
    pe.dispose();
  }
  return python;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The process tree under a pid, from /proc (the truth tests check spmon against): one scan of every
// process's stat for its parent, then a walk down from the root.
/** `root` and all its descendants, parents before children; `zombies: false` leaves out zombies (and what hangs under them). */
export function subtreePids(root: number, opts: { zombies?: boolean } = {}): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (name.match(/^\d+$/) === null) continue; // a process directory, not /proc/self etc.
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (opts.zombies === false && f[0] === 'Z') continue;
      const ppid = Number(f[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Exited meanwhile.
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.shift()!;
    if (out.includes(pid)) continue;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}
