// The words for termination jobs and their history: the status bar, --once/CLI messages, MCP text.
// The Terminator reports states and reason codes; this is the one place they become sentences.
import type { HistoryEntry, Job, Outcome, ProcessJob, Reason, SetJob, SignalName, SignalRecord } from '../engine/terminator';
import { isFinal } from '../engine/terminator';
import type { ActingRefusal } from '../model/acting_rule';
import type { RefusalCode } from '../model/protection';
import { formatBytes } from './format';
import { sanitize } from './sanitize';

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(1))} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 'es'}`;
}

const REFUSAL_WORDS: Record<RefusalCode, string> = {
  'invalid-pid': 'it is not a valid pid',
  'unknown-start': 'its start time is unknown',
  pid1: 'it is PID 1 (init)',
  self: 'it is spmon itself',
  ancestor: 'it is protected (spmon runs under it)',
};

/** Why a job was refused or failed, in words. */
export function reasonText(r: Reason | null): string {
  if (r === null) return 'unknown error';
  switch (r.code) {
    case 'read-only':
      return 'spmon is in read-only mode (--read-only)';
    case 'addon-refused':
      return 'PID 1 and spmon itself are never signalled';
    case 'open-failed':
      return r.error ?? 'could not open the process';
    case 'signal-failed':
      return `${r.signal} could not be sent`;
    case 'still-alive':
      return `still alive ${seconds(r.afterMs)} after SIGKILL`;
    case 'abandoned':
      return 'spmon stopped watching before it exited';
    case 'internal':
      return `internal error: ${r.error}`;
    case 'member':
      return `it contains ${r.pid} ${sanitize(r.name)}, ${REFUSAL_WORDS[r.member].replace(/^it is /, '')}`;
    default:
      return REFUSAL_WORDS[r.code];
  }
}

/** The sentence for a final outcome of one process. */
function outcomeText(o: {
  pid: number;
  name: string;
  outcome: Outcome;
  reason: Reason | null;
  signals: readonly SignalRecord[];
  waitedMs: number;
  ussBytes: number | null;
}): string {
  const who = `${o.pid} ${sanitize(o.name)}`;
  const uss = o.ussBytes !== null && Number.isFinite(o.ussBytes) ? ` (USS ${formatBytes(o.ussBytes)})` : '';
  switch (o.outcome) {
    case 'terminated':
      return `Terminated ${who}${uss}`;
    case 'force-killed':
      return o.signals.some((s) => s.signal !== 'SIGKILL') ? `Force-killed ${who} after ${seconds(o.waitedMs)}${uss}` : `Force-killed ${who}${uss}`;
    case 'signalled':
      return `${o.signals[o.signals.length - 1]?.signal ?? 'A signal'} sent to ${who}`;
    case 'already-gone':
      return `${who} was already gone (nothing signalled)`;
    case 'permission-denied':
      return `Permission denied: cannot signal ${who}`;
    case 'refused':
      return `Refused to end ${who}: ${reasonText(o.reason)}`;
    case 'failed':
      return `Failed to end ${who}: ${reasonText(o.reason)}`;
  }
}

function processText(j: ProcessJob): string {
  const who = `${j.pid} ${sanitize(j.name)}`;
  if (isFinal(j.state))
    return outcomeText({ pid: j.pid, name: j.name, outcome: j.state, reason: j.reason, signals: j.signals, waitedMs: j.waitedMs, ussBytes: j.ussBytes });
  if (j.state === 'killing') return `SIGKILL sent to ${who} after ${seconds(j.waitedMs)}, waiting for it to exit`;
  const left = j.secondsLeft;
  if (left === null || j.lastSignal === null) return `Ending ${who}`;
  return `${j.lastSignal} sent to ${who}, ${j.nextSignal ?? 'SIGKILL'} in ${left} s`;
}

function setText(j: SetJob): string {
  const name = sanitize(j.label);
  const live = j.members.filter((m) => !isFinal(m.state)).length;
  switch (j.state) {
    case 'refused':
      return `Refused to end ${name}: ${reasonText(j.reason)}`;
    case 'terminating': {
      const first: SignalName = j.lastSignal ?? 'SIGTERM';
      const sent = j.members.filter((m) => m.signals.some((s) => s.signal === first && s.result === 'sent')).length;
      return `${first} sent to ${plural(sent, 'process')} of ${name}, ${j.nextSignal ?? 'SIGKILL'} in ${j.secondsLeft ?? '?'} s (${live} running)`;
    }
    case 'killing':
      return `SIGKILL sent to ${plural(live, 'process')} of ${name} after ${seconds(j.waitedMs)}, waiting for exits`;
    case 'done': {
      if (j.members.length === 0) return `Nothing to end in ${name}`;
      const c = j.counts;
      // A signal that only asks (HUP, STOP...) ends nothing: say it was sent.
      if (c.signalled === j.members.length) return `${j.lastSignal ?? 'A signal'} sent to ${name} (${plural(c.signalled, 'process')})`;
      const parts: string[] = [];
      const words: [Outcome, string][] = [
        ['terminated', 'terminated'],
        ['force-killed', 'force-killed'],
        ['signalled', 'signalled'],
        ['already-gone', 'already gone'],
        ['permission-denied', 'permission denied'],
        ['refused', 'refused'],
        ['failed', 'failed'],
      ];
      for (const [k, w] of words) if (c[k] > 0) parts.push(`${c[k]} ${w}`);
      let freed: number | null = null;
      for (const m of j.members) {
        if ((m.state === 'terminated' || m.state === 'force-killed') && m.ussBytes !== null) freed = (freed ?? 0) + m.ussBytes;
      }
      return `Ended ${name}: ${parts.join(', ')}${freed !== null ? ` (USS ${formatBytes(freed)})` : ''}`;
    }
  }
}

/** A job as one line of text (the status bar, a CLI message). */
export function jobText(j: Job): string {
  return j.kind === 'set' ? setText(j) : processText(j);
}

/** A history entry as one line of text. */
export function historyText(e: HistoryEntry): string {
  return outcomeText(e);
}

/** Whether a finished job went as asked (the process is gone by our hand, or was already). */
export function jobSucceeded(j: Job): boolean {
  if (j.kind === 'set') return j.state === 'done' && j.members.every((m) => m.state !== 'failed' && m.state !== 'permission-denied' && m.state !== 'refused');
  return j.state === 'terminated' || j.state === 'force-killed' || j.state === 'already-gone' || j.state === 'signalled';
}

const ACTING_WORDS: Record<'caller' | 'system-process', string> = {
  caller: "it is the process that asked or one of its ancestors (the caller's own tree)",
  'system-process': 'it is a system process (pod plumbing); pass force to end it anyway, if the server allows it',
};

/** Why a request (control API, MCP) may not end a target, as a sentence; `what` names the target. */
export function actingRefusalText(r: ActingRefusal, what: string): string {
  const target = sanitize(what);
  if (r.code === 'pod-session') return `Refused to end ${target}: it is the pod session (every process of the pod); pass force to end it anyway, if the server allows it`;
  const words = r.code === 'caller' || r.code === 'system-process' ? ACTING_WORDS[r.code] : REFUSAL_WORDS[r.code];
  return r.pid === null ? `Refused to end ${target}: ${words}` : `Refused to end ${target}: ${r.pid} ${sanitize(r.name ?? '')}: ${words}`;
}
