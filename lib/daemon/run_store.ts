// The daemon's records of supervised sessions, one JSON file each under <state>/runs/, written
// atomically (a temporary file renamed over the old one), so a daemon that dies loses nothing it had
// recorded and the next one finds every session. Ended sessions beyond the last `keepEnded` go, with
// their logs.
import * as fs from 'fs';
import * as path from 'path';
import type { SignalName } from '../engine/terminator';
import type { RunInfo } from '../model/sessions';
import { privateDir } from './paths';

export type RestartPolicy = 'no' | 'on-failure' | 'always';

/** Everything the daemon knows of one supervised session. */
export interface RunRecord extends RunInfo {
  id: string;
  /** Extra environment given with --env (the rest is the daemon's). */
  env: Record<string, string>;
  restart: RestartPolicy;
  maxRestarts: number;
  restartDelaySec: number;
  stopSignal: SignalName;
  graceSec: number;
  /** A run ending sooner counts as failed (0: only its exit status counts). */
  minUptimeSec: number;
  createdAt: string;
  /** When it stopped for good (exited, failed, gave-up), ISO 8601. */
  endedAt: string | null;
  /** Restarts since the run last stayed up long enough (the backoff doubles with it). */
  restartsInRow: number;
  /** When a run in backoff starts again, ISO 8601. */
  nextStartAt: string | null;
  log: { path: string; base: number; start: number };
  /** The daemon that started the current run: another one finds the session `lost` while it lives. */
  daemonPid: number | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validRunName(name: string): boolean {
  return NAME.test(name);
}

/** Every record in a runs directory; a malformed file is reported and skipped. */
export function loadRunRecords(runsDir: string, warn: (m: string) => void): RunRecord[] {
  const out: RunRecord[] = [];
  for (const f of fs.readdirSync(runsDir)) {
    if (!f.endsWith('.json')) continue;
    const file = path.join(runsDir, f);
    try {
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
      if (typeof r.name !== 'string' || !validRunName(r.name) || !Array.isArray(r.command)) throw new Error('not a run record');
      out.push(r);
    } catch (err) {
      warn(`skipping ${file}: ${(err as Error).message}`);
    }
  }
  return out;
}

export class RunStore {
  readonly runsDir: string;
  readonly logsDir: string;

  constructor(readonly dir: string) {
    this.runsDir = path.join(dir, 'runs');
    this.logsDir = path.join(dir, 'logs');
    privateDir(dir);
    privateDir(this.runsDir);
    privateDir(this.logsDir);
  }

  logPath(name: string): string {
    return path.join(this.logsDir, `${name}.log`);
  }

  /** Every record on disk; a malformed file is reported and skipped. */
  load(warn: (m: string) => void): RunRecord[] {
    return loadRunRecords(this.runsDir, warn);
  }

  save(r: RunRecord): void {
    const file = path.join(this.runsDir, `${r.name}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(r, null, 1) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  remove(r: Pick<RunRecord, 'name' | 'log'>): void {
    fs.rmSync(path.join(this.runsDir, `${r.name}.json`), { force: true });
    fs.rmSync(r.log.path, { force: true });
  }
}
