// Which backend answers a call: the daemon when one answers on the socket (asked afresh whenever the last
// connection is gone), else this process's own engine (made on first need). What only the daemon does
// (supervised sessions, their output, termination requests) asks for the daemon, and may start one.
import { execFile } from 'child_process';
import * as fs from 'fs';
import type { Settings } from '../config';
import { DaemonClient, NoDaemonError, selfCommand } from '../daemon/client';
import { Backend, NeedsDaemonError } from './backend';
import { DaemonBackend } from './daemon_backend';
import { LocalBackend } from './local_backend';

export interface BackendsOptions {
  socketPath: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** How to run spmon (to start a daemon): default this executable or script. */
  spmonCommand?: string[];
  log: (m: string) => void;
  /** The in-process engine stops ticking after this long without a call, ms. */
  idleMs?: number;
}

export class Backends {
  private daemonB: DaemonBackend | null = null;
  private localB: LocalBackend | null = null;
  private starting: Promise<DaemonBackend> | null = null;

  constructor(private readonly o: BackendsOptions) {}

  /** The daemon if one answers, else the in-process engine. */
  async pick(): Promise<Backend> {
    return (await this.connected()) ?? this.local();
  }

  /**
   * A reading call: to the daemon if one answers, else to the in-process engine; and to the in-process
   * engine as well when the daemon goes away under the call (killed, restarted): a question about what
   * runs has an answer without it. Acting calls do not come here (they are not repeated elsewhere).
   */
  async read<T>(method: string, params: Record<string, unknown> = {}): Promise<{ answer: T; kind: Backend['kind'] }> {
    const b = await this.pick();
    try {
      return { answer: await b.call<T>(method, params), kind: b.kind };
    } catch (err) {
      if (b.kind !== 'daemon' || !(err instanceof NoDaemonError)) throw err;
      this.o.log(`the daemon went away (${err.message}); answering ${method} from this process's engine`);
      if (this.daemonB === b) this.daemonB = null;
      return { answer: await this.local().call<T>(method, params), kind: 'in-process' };
    }
  }

  /** The in-process backend (made on first use). */
  local(): LocalBackend {
    this.localB ??= new LocalBackend(this.o.settings, this.o.env, this.o.log, this.o.idleMs);
    return this.localB;
  }

  /** The daemon's backend, or null when none answers. */
  private async connected(): Promise<DaemonBackend | null> {
    if (this.daemonB?.isOpen) return this.daemonB;
    this.daemonB = null;
    // No socket file: no daemon, and no connect to wait for.
    if (!fs.existsSync(this.o.socketPath)) return null;
    try {
      this.daemonB = new DaemonBackend(await DaemonClient.connect(this.o.socketPath, 1000));
      return this.daemonB;
    } catch (err) {
      if (err instanceof NoDaemonError) return null;
      throw err;
    }
  }

  /** The daemon; with `start`, one is started (as `spmon daemon --detach`) when none answers. */
  async daemon(start: boolean, why: string): Promise<DaemonBackend> {
    const d = await this.connected();
    if (d) return d;
    if (!start)
      throw new NeedsDaemonError(`${why} needs the spmon daemon, and none answers on ${this.o.socketPath} (start one with "spmon daemon --detach", or let spmon mcp start it: --allow-control)`);
    this.starting ??= this.startDaemon().finally(() => (this.starting = null));
    return this.starting;
  }

  /**
   * `spmon daemon --detach`, which returns once the daemon answers: the daemon's parent exits then, so it
   * is nobody's child here, and not a member of the caller's sessions (ending the agent's session must not
   * end the daemon that supervises other sessions).
   */
  private startDaemon(): Promise<DaemonBackend> {
    const [cmd, ...args] = this.o.spmonCommand ?? selfCommand();
    return new Promise((resolve, reject) => {
      execFile(cmd, [...args, 'daemon', '--detach', '--socket', this.o.socketPath], { env: this.o.env, timeout: 30_000 }, (err, _stdout, stderr) => {
        if (err) {
          reject(new NoDaemonError(`could not start the spmon daemon: ${(stderr || err.message).trim().split('\n').pop()}`));
          return;
        }
        this.o.log(`started the spmon daemon on ${this.o.socketPath}`);
        this.connected().then((d) => (d ? resolve(d) : reject(new NoDaemonError(`the daemon started but does not answer on ${this.o.socketPath}`))), reject);
      });
    });
  }

  get kindInUse(): Backend['kind'] | null {
    return this.daemonB?.isOpen ? 'daemon' : this.localB ? 'in-process' : null;
  }

  /** Close both; terminations under way in this process finish first (up to `waitMs`). */
  async close(waitMs = 0): Promise<void> {
    await this.daemonB?.close();
    await this.localB?.close(waitMs);
    this.daemonB = null;
    this.localB = null;
  }
}
