// What can be wrong with a supervised session's spec before anything runs: a bad name, stop signal,
// environment entry, restart policy or number. The CLI asks before it starts a daemon (a usage error
// starts nothing); the supervisor asks again for what comes over the control API. Pure.
import { parseSignal } from '../engine/terminator';
import { validRunName } from './run_store';

/** The numbers of a spec: [min, max], and the words a message uses. */
export const RUN_LIMITS = {
  maxRestarts: [0, 1000, 'max restarts'],
  restartDelaySec: [0, 3600, 'restart delay'],
  graceSec: [0, 3600, 'grace'],
  minUptimeSec: [0, 3600, 'min uptime'],
} as const;

export interface RunSpecFields {
  name?: unknown;
  stopSignal?: unknown;
  env?: unknown;
  restart?: unknown;
  maxRestarts?: unknown;
  restartDelaySec?: unknown;
  graceSec?: unknown;
  minUptimeSec?: unknown;
}

/** The first thing wrong with the spec, in words; null when nothing is. */
export function runSpecProblem(spec: RunSpecFields): string | null {
  if (spec.name !== undefined && (typeof spec.name !== 'string' || !validRunName(spec.name)))
    return `a session name is 1-64 of A-Z a-z 0-9 . _ - (starting with a letter or digit), not "${String(spec.name).slice(0, 80)}"`;
  if (spec.stopSignal !== undefined) {
    const sig = typeof spec.stopSignal === 'string' ? parseSignal(spec.stopSignal) : null;
    if (!sig || sig === 'SIGKILL' || sig === 'SIGSTOP') return `--stop-signal must be a signal that can be caught (TERM, INT, HUP, QUIT, USR1, USR2), not "${String(spec.stopSignal)}"`;
  }
  if (spec.env !== undefined) {
    if (typeof spec.env !== 'object' || spec.env === null) return 'env must be an object of strings';
    for (const [k, v] of Object.entries(spec.env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string') return `bad environment entry "${k.slice(0, 64)}"`;
  }
  if (spec.restart !== undefined && !['no', 'on-failure', 'always'].includes(spec.restart as string)) return `restart must be no, on-failure or always, not "${String(spec.restart)}"`;
  for (const [key, [min, max, what]] of Object.entries(RUN_LIMITS)) {
    const v = spec[key as keyof typeof RUN_LIMITS];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)) return `${what} must be a number from ${min} to ${max}`;
  }
  return null;
}
