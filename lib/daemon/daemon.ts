// `spmon daemon`: one engine for every client, the supervised sessions, and the control API on a Unix
// socket of its user. A child subreaper: orphaned descendants of its sessions come to it and are reaped.
// SIGTERM or SIGINT stop every session by its own policy, then the daemon.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, type Settings } from '../config';
import { Engine } from '../engine/engine';
import { runProvider } from '../model/sessions';
import { processStartTicks, setChildSubreaper } from '../native';
import { version } from '../version';
import { askRunning, liveLockHolder, LockHolder, NoDaemonError } from './client';
import { apiHandlers } from './handlers';
import { privateDir, stateDir } from './paths';
import { AgentPolicyWatcher } from './agent_policy';
import { EventLog } from './events';
import { MemoryGuard } from './memory_guard';
import { RequestFiles } from './request_files';
import { RequestProcessor } from './requests';
import { RunStore } from './run_store';
import { startControlServer } from './server';
import { Supervisor } from './supervisor';

export interface DaemonOptions {
  socketPath: string;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  /** Serve /metrics (lib/metrics, loaded only then). */
  metrics?: { address: string; webConfigFile?: string } | null;
  /** The settings with the config file read afresh (for `reload` and SIGHUP); throws ConfigError. */
  reloadSettings?: () => Settings;
  /** The config file it reads (said by `reload`, so that `spmon policy` can tell when it writes another). */
  configFile?: string;
}

export interface RunningDaemon {
  engine: Engine;
  supervisor: Supervisor;
  events: EventLog;
  requests: RequestProcessor;
  startedAt: number;
  socketPath: string;
  /** Seconds between ticks. */
  intervalSec: number;
  stop(): Promise<void>;
  /**
   * Read the config file again and apply its agent policy (the `agents` section: policy, continuations,
   * waits); the rest takes a restart. Throws ConfigError and keeps the policy it had.
   */
  reload(): { agents: Settings['agents']; changed: boolean; configFile: string | null };
  /** The agent policy it applies now, and the config file it reads (null: none). */
  policy(): { agents: Settings['agents']; configFile: string | null };
  /** Resolves once the daemon has stopped, whoever asked (a signal, the `shutdown` method). */
  stopped: Promise<void>;
}

/**
 * Take the lock file next to the socket (one daemon per socket, even when two start at once); a lock
 * whose holder is gone (by pid and start time) is taken over.
 */
function takeLock(lockPath: string, held: (pid: number) => string = (pid) => `another spmon daemon (pid ${pid}) holds ${lockPath}`): () => void {
  const me: LockHolder = { pid: process.pid, startTicks: processStartTicks(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockHolder;
          if (held.pid === me.pid) fs.unlinkSync(lockPath);
        } catch {
          // Gone already.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Being written, or garbage: judged stale (and taken over) only if it stays so on the second attempt.
      const holder = liveLockHolder(lockPath);
      if (holder) throw new NoDaemonError(held(holder.pid));
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new NoDaemonError(`cannot take ${lockPath}`);
}

export async function startDaemon(settings: Settings, o: DaemonOptions): Promise<RunningDaemon> {
  const socketDir = path.dirname(o.socketPath);
  privateDir(socketDir);
  // One daemon per socket: if one answers, this one is not needed.
  const answering = await askRunning<{ pid: number }>(o.socketPath, 'status').catch(() => ({ pid: 0 }));
  if (answering) throw new NoDaemonError(`a spmon daemon (pid ${answering.pid}) already answers on ${o.socketPath}`);
  const releaseSocketLock = takeLock(`${o.socketPath}.lock`);
  // One daemon per state directory too: two daemons (another --socket) would both adopt the same supervised
  // sessions and requests.
  let releaseStateLock: () => void;
  try {
    const dir = stateDir(o.env);
    privateDir(dir);
    releaseStateLock = takeLock(path.join(dir, 'daemon.lock'), (pid) => `another spmon daemon (pid ${pid}) keeps its supervised sessions in ${dir}; give this one a state directory of its own (XDG_STATE_HOME)`);
  } catch (err) {
    releaseSocketLock();
    throw err;
  }
  const releaseLock = () => {
    releaseStateLock();
    releaseSocketLock();
  };
  try {
    // A socket file nobody answers on (a daemon that died): ours now.
    fs.rmSync(o.socketPath, { force: true });
    const sub = setChildSubreaper();
    if (sub !== true) o.log(`cannot become a child subreaper (errno ${sub}): orphans of sessions will go to pid 1`);
    const engine = new Engine(settings, { env: o.env });
    const store = new RunStore(stateDir(o.env));
    const events = new EventLog(store.dir);
    const supervisor = new Supervisor(engine, store, {
      events,
      logMaxBytes: settings.logMax * 1024 * 1024,
      endedLogBytes: settings.endedLogMax * 1024 * 1024,
      keepEnded: 100,
      graceSec: settings.grace,
      env: o.env,
      procRoot: settings.procRoot,
      log: o.log,
    });
    engine.addProvider(runProvider(() => supervisor.list()));
    engine.subscribe((f) => supervisor.onFrame(f));
    const requests = new RequestProcessor({
      engine,
      supervisor,
      events,
      settings: () => settings,
      env: o.env,
      dir: store.dir,
      log: o.log,
    });
    const policy = new AgentPolicyWatcher(requests, events, () => settings.agents, o.log);
    const files = new RequestFiles(store.dir, (input, frame) => requests.file(input, frame), o.log);
    const guard = settings.memoryGuard === 'off' ? null : new MemoryGuard(settings.memoryGuard, engine, supervisor, events, settings.grace, o.log);
    if (guard) o.log(`memory guard: ${settings.memoryGuard} at ${settings.threshold} % of the cgroup's limit`);
    engine.subscribe((f) => {
      policy.onFrame(f);
      files.scan(f);
      guard?.onFrame(f);
    });
    const startedAt = Date.now();
    const intervalSec = Math.max(0.1, settings.interval);
    let markStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const reload = () => {
      if (!o.reloadSettings) throw new ConfigError('this daemon was started without a config file to read again');
      const fresh = o.reloadSettings();
      const changed = JSON.stringify(fresh.agents) !== JSON.stringify(settings.agents);
      // The policy watcher and the requests read settings.agents at each use.
      settings.agents = fresh.agents;
      if (changed) o.log('agent policy reloaded from the config file');
      return { agents: settings.agents, changed, configFile: o.configFile ?? null };
    };
    const policyNow = () => ({ agents: settings.agents, configFile: o.configFile ?? null });
    const daemon: RunningDaemon = { engine, supervisor, events, requests, startedAt, socketPath: o.socketPath, intervalSec, stop: async () => undefined, stopped, reload, policy: policyNow };
    const server = await startControlServer(o.socketPath, apiHandlers(daemon, { version: version() }), o.log);
    // Answer first, then tick (the first tick reads every smaps_rollup, which takes a while on a full host).
    engine.start(intervalSec * 1000, (err) => o.log(`tick failed: ${err.message}`));
    let metricsServer: { url: string; close(): Promise<void> } | null = null;
    if (o.metrics) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startMetricsServer } = require('../metrics/server') as typeof import('../metrics/server');
      try {
        metricsServer = await startMetricsServer(
          {
            get frame() {
              return engine.frame;
            },
            runs: () => supervisor.list().map((r) => ({ id: r.id, name: r.name, state: r.state, restarts: r.restarts })),
          },
          { address: o.metrics.address, webConfigFile: o.metrics.webConfigFile, topN: settings.metricsTop, sessionLimit: settings.metricsSessionLimit, log: o.log },
        );
        o.log(`metrics on ${metricsServer.url}`);
      } catch (err) {
        await server.close();
        await engine.close();
        throw err;
      }
    }
    let stopping: Promise<void> | null = null;
    daemon.stop = () => {
      stopping ??= (async () => {
        o.log('stopping: ending every supervised session by its policy');
        await supervisor.shutdown();
        await metricsServer?.close();
        await server.close();
        await engine.close();
        releaseLock();
        markStopped();
      })();
      return stopping;
    };
    o.log(`spmon ${version()} daemon pid ${process.pid} on ${o.socketPath}, state in ${store.dir}`);
    return daemon;
  } catch (err) {
    releaseLock();
    throw err;
  }
}
