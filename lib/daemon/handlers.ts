// The control API's methods (docs/api.md): each takes the request's params and returns a JSON value, or
// throws an ApiError with a code the client maps to an exit status.
import { sessionTotals } from '../fields/session_fields';
import { runIsLive } from '../model/sessions';
import type { RunningDaemon } from './daemon';
import { frameApi } from './frame_api';
import { ApiError, API_VERSION } from './protocol';
import type { RunRecord } from './run_store';
import type { Handler } from './server';
import type { RunSpec } from './supervisor';
import type { RequestInput } from './requests';
import { ownFrame } from './own_frame';
import { sanitize } from '../view/sanitize';
import { isoTime } from '../model/clock';

/** The most a single `logs` answer carries (the client asks again from `nextOffset`). */
const MAX_LOG_CHUNK = 512 * 1024;

/** A supervised session as `ps` shows it: the record and the live totals of its process tree. */
export interface PsRow {
  id: string;
  name: string;
  command: string[];
  cwd: string;
  state: RunRecord['state'];
  pid: number | null;
  startTime: number | null;
  startedAt: string | null;
  createdAt: string;
  endedAt: string | null;
  restarts: number;
  restartPolicy: RunRecord['restart'];
  maxRestarts: number;
  lastExit: RunRecord['lastExit'];
  reason: string | null;
  nextStartAt: string | null;
  runTimeSec: number | null;
  processes: number | null;
  cpuPercent: number | null;
  ussBytes: number | null;
  pssBytes: number | null;
  logPath: string;
}

function str(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') throw new ApiError('bad-request', `"${key}" must be a non-empty string`);
  return v;
}

function optNum(params: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ApiError('bad-request', `"${key}" must be a number of at least ${min}`);
  return v;
}

export function apiHandlers(d: RunningDaemon, info: { version: string }): Record<string, Handler> {
  const row = (r: RunRecord): PsRow => {
    const frame = d.engine.frame;
    const s = runIsLive(r.state) ? frame?.sessions.find((x) => x.id === r.id) : undefined;
    const t = s ? sessionTotals(s) : null;
    const startedMs = r.startedAt ? Date.parse(r.startedAt) : null;
    const endMs = runIsLive(r.state) ? Date.now() : r.lastExit ? Date.parse(r.lastExit.at) : null;
    return {
      id: r.id,
      name: r.name,
      command: r.command,
      cwd: r.cwd,
      state: r.state,
      pid: r.pid,
      startTime: r.startTicks,
      startedAt: r.startedAt,
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      restarts: r.restarts,
      restartPolicy: r.restart,
      maxRestarts: r.maxRestarts,
      lastExit: r.lastExit,
      reason: r.reason,
      nextStartAt: r.nextStartAt,
      runTimeSec: startedMs !== null && endMs !== null && endMs >= startedMs ? Math.round((endMs - startedMs) / 100) / 10 : null,
      processes: s ? s.pids.length : null,
      cpuPercent: t?.cpuPercent === undefined || t.cpuPercent === null ? null : Math.round(t.cpuPercent * 100) / 100,
      ussBytes: t?.ussBytes ?? null,
      pssBytes: t?.pssBytes ?? null,
      logPath: r.log.path,
    };
  };
  const counts = () => {
    const c: Record<string, number> = {};
    for (const r of d.supervisor.list()) c[r.state] = (c[r.state] ?? 0) + 1;
    return c;
  };
  return {
    // Queries over the engine's frames and ending by identity (frame_api.ts); a supervised session is
    // ended by its stop, so it is not restarted.
    ...frameApi(d.engine, {
      intervalSec: d.intervalSec,
      supervised: (id) => row(d.supervisor.get(id)),
      endRun: async (s, o) => {
        const r = row(await d.supervisor.stop(s.id, { graceSec: o.graceSec }));
        const ended = !runIsLive(r.state);
        const exit = r.lastExit ? (r.lastExit.signal ?? `exit ${r.lastExit.code ?? '?'}`) : 'exit not seen';
        return {
          target: { kind: 'session', id: s.id, name: s.name, pid: null, startTime: null },
          state: 'done',
          succeeded: ended,
          message: `Stopped ${sanitize(s.id)}: ${r.state} (${sanitize(exit)})`,
          reasonCode: null,
          counts: null,
          members: null,
          run: r,
        };
      },
    }),
    status: () => ({
      apiVersion: API_VERSION,
      version: info.version,
      pid: process.pid,
      startedAt: isoTime(d.startedAt),
      uptimeSec: Math.round((Date.now() - d.startedAt) / 1000),
      socket: d.socketPath,
      sessions: { total: d.supervisor.list().length, byState: counts() },
      ticks: { count: d.engine.ticks.count, cpuMs: Math.round(d.engine.ticks.cpuMs * 10) / 10 },
    }),
    // The agent policy applied now (`spmon policy` shows it when it is not the one the config file gives).
    policy: () => ({ pid: process.pid, ...d.policy() }),
    // The config file's agent policy, read again (spmon policy asks after writing it); a bad file keeps the old one.
    reload: () => {
      try {
        return { pid: process.pid, ...d.reload() };
      } catch (err) {
        throw new ApiError('bad-request', `the config file was not applied: ${(err as Error).message}`);
      }
    },
    // Stop the daemon as SIGTERM does: every supervised session by its own policy, then the daemon. The
    // answer goes out first; the connection closes when the daemon has stopped.
    // With `ifIdle`, only a daemon with nothing to do stops (no supervised session running, no request
    // ending or continuing): what a command that started a daemon for a request that then failed asks,
    // so that a daemon another command has meanwhile given work keeps it.
    shutdown: (p) => {
      const live = d.supervisor.list().filter((r) => runIsLive(r.state)).length;
      if (p.ifIdle === true) {
        // A session waiting to be restarted (backoff) is work too.
        const waiting = d.supervisor.list().filter((r) => r.state === 'backoff').length;
        const acting = d.requests.list().filter((r) => r.state === 'ending' || r.state === 'continuing').length;
        if (live + waiting + acting > 0)
          throw new ApiError('busy', `the daemon is not idle (${live + waiting} supervised session${live + waiting === 1 ? '' : 's'} running or waiting to restart, ${acting} request${acting === 1 ? '' : 's'} in progress)`);
      }
      setTimeout(() => void d.stop(), 0);
      return { pid: process.pid, stopping: live };
    },
    run: async (p) => {
      const env = p.env;
      if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env))) throw new ApiError('bad-request', '"env" must be an object of strings');
      const spec: RunSpec = {
        name: p.name === undefined ? undefined : str(p, 'name'),
        command: p.command as string[],
        cwd: p.cwd === undefined ? undefined : str(p, 'cwd'),
        env: env as Record<string, string> | undefined,
        restart: p.restart as RunSpec['restart'],
        maxRestarts: optNum(p, 'maxRestarts', 0),
        restartDelaySec: optNum(p, 'restartDelaySec', 0),
        stopSignal: p.stopSignal === undefined ? undefined : str(p, 'stopSignal'),
        graceSec: optNum(p, 'graceSec', 0),
      };
      return row(await d.supervisor.start(spec));
    },
    ps: () => ({ sessions: d.supervisor.list().map(row) }),
    get: (p) => row(d.supervisor.get(str(p, 'id'))),
    stop: async (p) => row(await d.supervisor.stop(str(p, 'id'), { graceSec: optNum(p, 'graceSec', 0), signal: p.signal === undefined ? undefined : str(p, 'signal') })),
    restart: async (p) => row(await d.supervisor.restart(str(p, 'id'))),
    requestTermination: async (p, peer) => {
      const opt = (k: string) => (p[k] === undefined || p[k] === null ? undefined : p[k]);
      // No session named: the session of the pid given, else of the asker, which may need an agent log
      // bound to its process first.
      const frame = opt('session') === undefined ? await ownFrame(d.engine, optNum(p, 'pid', 2) ?? peer.pid) : undefined;
      const rec = d.requests.file({
        source: (['cli', 'hook', 'mcp'].includes(p.source as string) ? p.source : 'cli') as 'cli',
        session: opt('session') === undefined ? undefined : str(p, 'session'),
        pid: optNum(p, 'pid', 2),
        // Two ways to pin the pid: its start in clock ticks since boot (as /proc and request files have it)
        // or in ms since the epoch (as process rows, `end` and MCP have it).
        pidStartTime: optNum(p, 'pidStartTime', 0),
        startTimeMs: optNum(p, 'startTime', 0),
        reason: p.reason as RequestInput['reason'],
        continuationCommand: typeof p.continuationCommand === 'string' ? p.continuationCommand : null,
        priority: (opt('priority') as RequestInput['priority']) ?? 'graceful',
        note: typeof p.note === 'string' ? p.note : null,
        // Neither a session nor a pid: the asker's own session (its ancestry), as the socket's peer says.
        requesterPid: peer.pid,
      }, frame);
      return { id: rec.id, state: rec.state, target: rec.target.session ?? (rec.target.pid !== null ? `pid ${rec.target.pid}` : null), request: rec };
    },
    requests: () => ({ requests: d.requests.list() }),
    events: (p) => {
      const after = optNum(p, 'after', 0) ?? 0;
      const limit = Math.min(1000, optNum(p, 'limit', 1) ?? 1000);
      return { events: d.events.since(after, limit), lastSeq: d.events.lastSeq };
    },
    logs: (p) => {
      const { log, rec } = d.supervisor.logOf(str(p, 'id'));
      const tail = optNum(p, 'tail', 0);
      const maxBytes = Math.min(MAX_LOG_CHUNK, optNum(p, 'maxBytes', 1) ?? MAX_LOG_CHUNK);
      const w = log.window();
      const offset = tail !== undefined ? log.tailOffset(tail) : (optNum(p, 'offset', 0) ?? w.startOffset);
      const r = log.read(offset, maxBytes);
      return {
        id: rec.id,
        data: r.data.toString('base64'),
        offset: r.offset,
        nextOffset: r.nextOffset,
        skipped: r.skipped,
        startOffset: w.startOffset,
        endOffset: w.endOffset,
        // Nothing more will come: the session has ended and everything it wrote was read.
        ended: !runIsLive(rec.state) && rec.state !== 'backoff' && r.nextOffset >= w.endOffset,
      };
    },
  };
}
