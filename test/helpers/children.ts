// Children that tests spawn, tracked so that afterEach can end them. Only pids we
// spawned (or that our children told us about) are ever signalled.
import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import { privateEnv } from './private_env';

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
