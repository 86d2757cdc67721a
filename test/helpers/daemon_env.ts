// A private world for daemon tests: its own HOME, XDG_RUNTIME_DIR (socket), XDG_STATE_HOME (records and
// logs) and TMUX_TMPDIR; `spmon` runs as users run it; every daemon it started is ended by its pid, and
// every session process it recorded by its pid and start time.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN } from './paths';
import { privateEnv, PrivateEnv } from './private_env';
import { psSchemaErrors } from './schema';
import type { CliResult } from './cli';

export function startTicksOf(pid: number): number | null {
  try {
    const t = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

export function stateOf(pid: number): string | null {
  try {
    const t = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return t.slice(t.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return null;
  }
}

/** Alive as this (pid, start time), and not a zombie. */
export function aliveAs(pid: number, startTicks: number | null): boolean {
  const st = stateOf(pid);
  return startTicks !== null && st !== null && st !== 'Z' && st !== 'X' && startTicksOf(pid) === startTicks;
}

export const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleepMs(everyMs);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export class DaemonEnv {
  readonly pe: PrivateEnv;
  readonly env: NodeJS.ProcessEnv;
  readonly runtime: string;
  readonly state: string;
  readonly socket: string;
  readonly config: string;
  /** Daemons seen (pid, start), ended at dispose. */
  private readonly daemons = new Map<number, number | null>();

  constructor(extra: NodeJS.ProcessEnv = {}) {
    this.pe = privateEnv();
    const base = path.dirname(this.pe.home);
    this.runtime = path.join(base, 'run');
    this.state = path.join(base, 'state');
    fs.mkdirSync(this.runtime, { mode: 0o700 });
    this.config = path.join(base, 'config');
    this.env = { ...this.pe.env, XDG_RUNTIME_DIR: this.runtime, XDG_STATE_HOME: this.state, XDG_CONFIG_HOME: this.config, ...extra };
    this.socket = path.join(this.runtime, 'spmon', 'daemon.sock');
  }

  /** Write spmon's config file ($XDG_CONFIG_HOME/spmon/config.json). */
  writeConfig(doc: unknown): void {
    fs.mkdirSync(path.join(this.config, 'spmon'), { recursive: true });
    fs.writeFileSync(path.join(this.config, 'spmon', 'config.json'), JSON.stringify(doc));
  }

  /** The daemon's events (spmon events --json). */
  async events(): Promise<{ seq: number; kind: string; target: string | null; reason: string | null; outcome: string | null; details: Record<string, unknown> }[]> {
    const r = await this.cli(['events', '--json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  }

  /** `spmon ...args` with this environment. */
  cli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const stdoutBytes = Buffer.concat(out);
        resolve({ code, stdoutBytes, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        this.noteDaemon();
      });
    });
  }

  /** The running daemon's pid (from its lock file), remembered for dispose. */
  daemonPid(): number | null {
    try {
      const held = JSON.parse(fs.readFileSync(`${this.socket}.lock`, 'utf8')) as { pid: number; startTicks: number | null };
      if (!aliveAs(held.pid, held.startTicks)) return null;
      this.daemons.set(held.pid, held.startTicks);
      return held.pid;
    } catch {
      return null;
    }
  }

  private noteDaemon(): void {
    this.daemonPid();
  }

  /** The session records on disk. */
  records(): { name: string; pid: number | null; startTicks: number | null; state: string }[] {
    const dir = path.join(this.state, 'spmon', 'runs');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  }

  async ps(): Promise<{ id: string; state: string; pid: number | null; startTime: number | null; restarts: number; lastExit: { code: number | null; signal: string | null } | null; reason: string | null; processes: number | null; ussBytes: number | null }[]> {
    const r = await this.cli(['ps', '--json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    // Every `ps --json` a test reads is also checked against the documented schema.
    const doc = JSON.parse(r.stdout);
    expect(psSchemaErrors(doc)).toBe('');
    return doc.sessions;
  }

  /** Processes whose kernel session is `sid` (a run's members, orphans included). */
  static sessionMembers(sid: number): number[] {
    const out: number[] = [];
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const t = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
        if (Number(f[3]) === sid && f[0] !== 'Z') out.push(Number(d));
      } catch {
        // Gone meanwhile.
      }
    }
    return out;
  }

  /** A daemon started another way (another socket): ended at dispose too, by its identity. */
  track(pid: number): void {
    this.daemons.set(pid, startTicksOf(pid));
  }

  /** End every daemon this env started (SIGTERM, then SIGKILL) and every recorded session process left, by identity. */
  async dispose(): Promise<void> {
    this.daemonPid();
    for (const [pid, start] of this.daemons) {
      if (!aliveAs(pid, start)) continue;
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && aliveAs(pid, start); i++) await sleepMs(100);
      if (aliveAs(pid, start)) process.kill(pid, 'SIGKILL');
    }
    for (const r of this.records()) {
      if (r.pid === null || !aliveAs(r.pid, r.startTicks)) continue;
      // What a test left running: its whole kernel session, which the test created through spmon run.
      for (const m of DaemonEnv.sessionMembers(r.pid)) {
        try {
          process.kill(m, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    this.pe.dispose();
  }
}
