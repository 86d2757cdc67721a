// The dashboard's pick lists (u: a user, F6: a sort column) and the signals k can send. Pure: the reducer
// and the view take their items from here, so an index means the same thing to both.
import type { SignalName } from '../engine/terminator';
import type { ProcessStat } from '../model/process_stat';
import { SORT_KEYS } from './process_table';

export type MenuKind = 'user' | 'sort';

export interface Menu {
  kind: MenuKind;
  /** The highlighted item. */
  index: number;
}

/** How many processes each uid owns. */
export function userCounts(all: readonly Pick<ProcessStat, 'uid'>[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const p of all) if (p.uid !== null) counts.set(p.uid, (counts.get(p.uid) ?? 0) + 1);
  return counts;
}

/** `u`: every user owning a process, most processes first (null: all users, first). */
export function userMenuItems(all: readonly Pick<ProcessStat, 'uid'>[]): (number | null)[] {
  const counts = userCounts(all);
  return [null, ...[...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a - b)];
}

/** F6: the sort columns, in table order. */
export function sortMenuItems(): readonly string[] {
  return SORT_KEYS;
}

/**
 * The signals `k` offers (← → in the confirmation), SIGTERM first. TERM, INT and QUIT end a process: SIGKILL
 * follows after the grace period if it still runs. KILL is sent at once. HUP, USR1, USR2, STOP and CONT ask
 * something of a process and are sent once, with no SIGKILL after (as htop sends them).
 */
export const SIGNAL_CHOICES: readonly SignalName[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT'];

/** Whether choosing this signal means ending the process (SIGKILL after the grace, or KILL itself). */
export function signalEnds(signal: SignalName): boolean {
  return signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGQUIT' || signal === 'SIGKILL';
}
