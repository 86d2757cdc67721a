// The process that serves spmon's metrics in the live tests: `spmon daemon --metrics`, started as a user
// runs it (in a private runtime and state directory of its own) and ended by its pid.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { get } from './metrics_http';
import { BIN } from './paths';

/** The command serving metrics on `address`, with options such as --web-config FILE and --metrics-top N. */
export const METRICS_COMMAND = (address: string, options: string[]): string[] => [process.execPath, BIN, 'daemon', '--metrics', address, ...options];

export interface MetricsTarget {
  pid: number;
  /** What it wrote to stderr so far (for a failure message). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start it on `address` with `env`, first joining each of `cgroupDirs` (v1 cgroup.procs), and wait until
 * `url` answers HTTP (any status: auth and TLS are the caller's to test). `https` with `ca` for a TLS target.
 */
export async function startMetricsTarget(o: {
  address: string;
  options?: string[];
  env: NodeJS.ProcessEnv;
  cgroupDirs?: string[];
  url: string;
  ca?: Buffer;
}): Promise<MetricsTarget> {
  const argv = METRICS_COMMAND(o.address, o.options ?? []);
  // The daemon's socket and state, private to this target.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-metrics-daemon-'));
  fs.mkdirSync(path.join(base, 'run'), { mode: 0o700 });
  const env: NodeJS.ProcessEnv = { ...o.env, XDG_RUNTIME_DIR: path.join(base, 'run'), XDG_STATE_HOME: path.join(base, 'state') };
  delete env.SPMON_SOCKET;
  const dirs = o.cgroupDirs ?? [];
  const joins = dirs.map((_, i) => `echo $$ > "$${i + 1}/cgroup.procs" && `).join('');
  const script = `${joins}exec "\${@:${dirs.length + 1}}"`;
  const child: ChildProcess = spawn('bash', ['-c', script, 'bash', ...dirs, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const target: MetricsTarget = {
    pid: child.pid!,
    stderr: () => err,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      const t = setTimeout(() => !exited && child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`the metrics target exited before serving: ${err.trim()}`);
    try {
      await get(o.url, { ca: o.ca });
      return target;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Not listening yet; a TLS or auth refusal means it is.
      if (code !== 'ECONNREFUSED') return target;
    }
    if (Date.now() > deadline) {
      await target.stop();
      throw new Error(`the metrics target did not listen on ${o.url} within 20 s: ${err.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
