// Supervised sessions as another process sees them (the dashboard, --once, MCP): the daemon's `ps`,
// fetched over the control API, as run facts for the run provider. No daemon: the sessions its records
// say it started whose main process still runs, as `lost` (what the next daemon will call them).
import * as fs from 'fs';
import * as path from 'path';
import { processStartTicks } from '../native';
import { RunInfo, runIsLive, runSessionId } from '../model/sessions';
import { askRunning } from './client';
import type { PsRow } from './handlers';
import { stateDir } from './paths';
import { loadRunRecords } from './run_store';

export type RunFacts = RunInfo & { id: string };

export function runFactsOf(r: PsRow): RunFacts {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    command: r.command,
    cwd: r.cwd,
    pid: r.pid,
    startTicks: r.startTime,
    startedAt: r.startedAt,
    restarts: r.restarts,
    lastExit: r.lastExit,
    reason: r.reason,
  };
}

/** Sessions a daemon started whose main process still runs though no daemon answers: `lost`, from its records. */
export function recordedRuns(env: NodeJS.ProcessEnv): RunFacts[] {
  const dir = path.join(stateDir(env), 'runs');
  let records;
  try {
    records = loadRunRecords(dir, () => undefined);
  } catch {
    return []; // no records (no daemon ever ran here), or not readable
  }
  const out: RunFacts[] = [];
  for (const r of records) {
    if (!(runIsLive(r.state) || r.state === 'backoff') || typeof r.pid !== 'number' || typeof r.startTicks !== 'number') continue;
    if (processStartTicks(r.pid) !== r.startTicks) continue;
    out.push({
      id: runSessionId(r.name),
      name: r.name,
      state: 'lost',
      command: r.command,
      cwd: r.cwd,
      pid: r.pid,
      startTicks: r.startTicks,
      startedAt: r.startedAt,
      restarts: r.restarts,
      lastExit: r.lastExit,
      reason: 'no spmon daemon watches it (spmon daemon --detach starts one, which can stop it)',
    });
  }
  return out;
}

/** The daemon's sessions once; when no daemon answers within `timeoutMs`, those its records say still run. */
export async function fetchRuns(socketPath: string, env: NodeJS.ProcessEnv, timeoutMs = 1000): Promise<RunFacts[]> {
  if (!fs.existsSync(socketPath)) return recordedRuns(env);
  const answer = await askRunning<{ sessions: PsRow[] }>(socketPath, 'ps', {}, { connectMs: timeoutMs, requestMs: timeoutMs }).catch(() => null);
  return answer ? answer.sessions.map(runFactsOf) : recordedRuns(env);
}

/** Polls the daemon in the background for a synchronous reader (the dashboard's ticks): `latest()` never waits. */
export class RunsWatcher {
  private current: RunFacts[] = [];
  private inFlight = false;
  private last = -Infinity;

  constructor(
    private readonly socketPath: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly everyMs = 2000,
  ) {}

  latest(): RunFacts[] {
    const now = Date.now();
    if (!this.inFlight && now - this.last >= this.everyMs) {
      this.inFlight = true;
      this.last = now;
      void fetchRuns(this.socketPath, this.env).then((r) => {
        this.current = r;
        this.inFlight = false;
      });
    }
    return this.current;
  }
}
