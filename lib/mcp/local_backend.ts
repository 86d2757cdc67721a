// Answers from an engine of this process, when no daemon runs: the same frame methods as the daemon
// (lib/daemon/frame_api.ts) over its own Engine, ticking at the interval setting. An MCP server mostly
// waits; after `idleMs` without a call (and no termination under way) the engine stops ticking, and the
// next call starts it again and waits for two fresh ticks, so CPU % and rates are of now.
import type { Settings } from '../config';
import { frameApi } from '../daemon/frame_api';
import { ApiError } from '../daemon/protocol';
import type { Handler } from '../daemon/server';
import { Engine } from '../engine/engine';
import { runProvider } from '../model/sessions';
import { recordedRuns, RunFacts } from '../daemon/runs_source';
import { Backend, NeedsDaemonError } from './backend';

export const IDLE_MS = 120_000;

export class LocalBackend implements Backend {
  readonly kind = 'in-process' as const;
  readonly engine: Engine;
  private readonly api: Record<string, Handler>;
  private readonly intervalMs: number;
  private lastUse = Date.now();
  private paused = false;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(
    settings: Settings,
    env: NodeJS.ProcessEnv,
    private readonly log: (m: string) => void,
    idleMs = IDLE_MS,
  ) {
    // Interval 0 means one sample to the CLI; a server that waits for calls ticks once a second then.
    const intervalSec = settings.interval > 0 ? Math.max(0.1, settings.interval) : 1;
    this.intervalMs = intervalSec * 1000;
    this.engine = new Engine(settings, { env });
    // Supervised sessions whose daemon is gone still run: from the daemon's records, as lost (read every 2 s).
    let runs: RunFacts[] = [];
    let runsAt = -Infinity;
    this.engine.addProvider(
      runProvider(() => {
        if (Date.now() - runsAt >= 2000) {
          runs = recordedRuns(env);
          runsAt = Date.now();
        }
        return runs;
      }),
    );
    this.api = frameApi(this.engine, { intervalSec });
    this.startTicking();
    this.idleTimer = setInterval(() => {
      if (!this.paused && Date.now() - this.lastUse > idleMs && this.engine.terminator.active().length === 0) {
        this.engine.stop();
        this.paused = true;
      }
    }, Math.min(5000, idleMs));
    this.idleTimer.unref();
  }

  private startTicking(): void {
    this.engine.start(this.intervalMs, (err) => this.log(`tick failed: ${err.message}`));
  }

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    this.lastUse = Date.now();
    const h = Object.prototype.hasOwnProperty.call(this.api, method) ? this.api[method] : undefined;
    if (!h) throw new NeedsDaemonError(`"${method}" needs the spmon daemon`);
    if (this.paused) await this.resume();
    try {
      return (await h(params, { pid: process.pid, uid: process.getuid?.() ?? 0 })) as T;
    } finally {
      this.lastUse = Date.now();
    }
  }

  /** Tick again, and wait for two fresh frames (rates over one interval of now). */
  private resume(): Promise<void> {
    this.paused = false;
    const from = this.engine.frame?.seq ?? 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new ApiError('busy', 'the engine did not tick after a pause'));
      }, 30_000);
      const off = this.engine.subscribe((f) => {
        if (f.seq < from + 2) return;
        clearTimeout(timer);
        off();
        resolve();
      });
      this.startTicking();
    });
  }

  /** Let terminations under way finish (up to `waitMs`), then stop the engine. */
  async close(waitMs = 0): Promise<void> {
    clearInterval(this.idleTimer);
    const active = this.engine.terminator.active();
    if (active.length > 0 && waitMs > 0) {
      await Promise.race([Promise.all(active.map((j) => j.done)), new Promise((r) => setTimeout(r, waitMs).unref())]);
    }
    await this.engine.close();
  }
}
