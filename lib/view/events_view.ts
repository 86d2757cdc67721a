// What `spmon events` prints: the daemon's history of automatic actions and requests. Pure.
import type { DaemonEvent } from '../daemon/events';
import { sanitize } from './sanitize';

/** One event as a line: time, kind, target, reason, outcome. */
export function eventLine(e: DaemonEvent): string {
  const parts = [e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.kind.padEnd(18), sanitize(e.target ?? '-')];
  if (e.reason) parts.push(`(${sanitize(e.reason)})`);
  if (e.outcome && e.outcome !== e.kind) parts.push(`-> ${sanitize(e.outcome)}`);
  return parts.join('  ');
}
