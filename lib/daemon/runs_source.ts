// Supervised sessions as another process sees them (the dashboard, --once, MCP): the daemon's `ps`,
// fetched over the control API, as run facts for the run provider. No daemon: no run sessions.
import * as fs from 'fs';
import type { RunInfo } from '../model/sessions';
import { DaemonClient } from './client';
import type { PsRow } from './handlers';

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

/** The daemon's sessions once (an empty list when no daemon answers within `timeoutMs`). */
export async function fetchRuns(socketPath: string, timeoutMs = 1000): Promise<RunFacts[]> {
  if (!fs.existsSync(socketPath)) return [];
  let client: DaemonClient | null = null;
  try {
    client = await DaemonClient.connect(socketPath, timeoutMs);
    const { sessions } = await client.request<{ sessions: PsRow[] }>('ps', {}, timeoutMs);
    return sessions.map(runFactsOf);
  } catch {
    return [];
  } finally {
    client?.close();
  }
}

/** Polls the daemon in the background for a synchronous reader (the dashboard's ticks): `latest()` never waits. */
export class RunsWatcher {
  private current: RunFacts[] = [];
  private inFlight = false;
  private last = -Infinity;

  constructor(
    private readonly socketPath: string,
    private readonly everyMs = 2000,
  ) {}

  latest(): RunFacts[] {
    const now = Date.now();
    if (!this.inFlight && now - this.last >= this.everyMs) {
      this.inFlight = true;
      this.last = now;
      void fetchRuns(this.socketPath).then((r) => {
        this.current = r;
        this.inFlight = false;
      });
    }
    return this.current;
  }
}
