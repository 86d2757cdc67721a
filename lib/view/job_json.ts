// A termination's outcome as JSON (the control API's `end`, MCP's terminate_session): the target, the final
// state, whether it went as asked, the sentence for it, and each member's outcome and the signals it got.
// Pure; the words come from job_text.ts.
import type { Job, Outcome } from '../engine/terminator';
import type { ActingRefusal } from '../model/acting_rule';
import { actingRefusalText, jobSucceeded, jobText } from './job_text';
import { sanitize } from './sanitize';

export interface EndTargetJson {
  kind: 'session' | 'process';
  /** The session's id (null for a process). */
  id: string | null;
  name: string;
  /** The process (null for a session). */
  pid: number | null;
  /** ms since the epoch, as process rows give it. */
  startTime: number | null;
}

export interface EndResult {
  target: EndTargetJson;
  /** A set: done or refused; a process: its outcome (terminated, force-killed, already-gone, permission-denied, refused, failed). */
  state: string;
  succeeded: boolean;
  /** One sanitised sentence. */
  message: string;
  /** Why it was refused or failed (a refusal code, still-alive, ...), else null. */
  reasonCode: string | null;
  counts: Record<string, number> | null;
  members: { pid: number; name: string; outcome: string; signals: string[] }[] | null;
  /** A supervised session: its row (as the API's ps has it) after the stop. */
  run: unknown;
}

const COUNT_KEYS: Record<Outcome, string> = {
  terminated: 'terminated',
  'force-killed': 'forceKilled',
  signalled: 'signalled',
  'already-gone': 'alreadyGone',
  'permission-denied': 'permissionDenied',
  refused: 'refused',
  failed: 'failed',
};

/** A finished job as JSON. */
export function jobJson(job: Job, target: EndTargetJson): EndResult {
  const members = job.kind === 'set' ? job.members : [job];
  const counts: Record<string, number> = {};
  for (const k of Object.values(COUNT_KEYS)) counts[k] = 0;
  for (const m of members) if (m.state in COUNT_KEYS) counts[COUNT_KEYS[m.state as Outcome]]++;
  return {
    target,
    state: job.state,
    succeeded: jobSucceeded(job),
    message: jobText(job),
    reasonCode: job.reason?.code ?? null,
    counts,
    members: members.map((m) => ({ pid: m.pid, name: m.name, outcome: m.state, signals: m.signals.filter((s) => s.result === 'sent').map((s) => s.signal) })),
    run: null,
  };
}

/** A request refused before any signal. */
export function refusedJson(target: EndTargetJson, r: ActingRefusal): EndResult {
  const what = target.kind === 'session' ? `session ${target.name}` : `${target.pid} ${target.name}`;
  return { target, state: 'refused', succeeded: false, message: actingRefusalText(r, what), reasonCode: r.code, counts: null, members: [], run: null };
}

/** Nothing to end: the process named is not running (any more). */
export function goneJson(target: EndTargetJson, why: string): EndResult {
  return { target, state: 'already-gone', succeeded: true, message: sanitize(why), reasonCode: null, counts: null, members: [], run: null };
}
