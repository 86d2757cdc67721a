// Label values of the metrics: untrusted text (process names, tmux and agent session names, models) made
// safe and short, and the one `session` label each session gets. Never a cmdline, cwd, prompt or log path:
// secrets live in argv and paths. Pure.
import type { Session } from '../model/sessions';
import { sanitize } from '../view/sanitize';

/** Longest label value, in code points: a label is a name to group by, not a place for text. */
export const MAX_LABEL_CHARS = 64;

/** Untrusted text as a label value: control characters and bidi overrides made visible, cut to `max` code points. */
export function labelValue(text: string | null, max = MAX_LABEL_CHARS): string {
  if (text === null) return '';
  const clean = sanitize(text);
  // Cut by code points so no surrogate pair is split (a lone surrogate is not valid UTF-8).
  const points = Array.from(clean);
  return points.length <= max ? clean : points.slice(0, max - 1).join('') + '…';
}

/**
 * The `session` label of a session, by kind: `pod`; a tmux session's name (`socket/name` on a server other
 * than `default`); an agent's session id (the same label its spmon_agent_* series carry, so they join);
 * a tree's `comm (pid)`; a run's name. Never the agent's cwd, which its display name is made from.
 */
export function sessionLabel(s: Session): string {
  switch (s.kind) {
    case 'pod':
      return 'pod';
    case 'agent':
      return labelValue(s.agent ? s.agent.sessionId : s.id);
    case 'tmux': {
      // The id is `tmux:<socket>:<$n>`: tmux's session ids hold no colon, a socket name may.
      const socket = s.id.slice('tmux:'.length, s.id.lastIndexOf(':'));
      return labelValue(socket === 'default' ? s.name : `${socket}/${s.name}`);
    }
    default:
      return labelValue(s.name);
  }
}

/**
 * The session labels of a list of sessions, unique within each kind: two tmux servers may have sessions of
 * the same name, and a cut label may meet another. The later one gets `~2`, `~3`... (two series with the
 * same labels would have Prometheus drop samples).
 */
export function uniqueSessionLabels(sessions: readonly Session[]): string[] {
  const seen = new Set<string>();
  return sessions.map((s) => {
    const base = sessionLabel(s);
    let label = base;
    for (let n = 2; seen.has(`${s.kind}\u0000${label}`); n++) label = `${base}~${n}`;
    seen.add(`${s.kind}\u0000${label}`);
    return label;
  });
}
