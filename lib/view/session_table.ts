// The sessions table: one row per session with totals, and for agents the tool, model, tokens and
// context fill; driven by lib/fields/session_fields.ts. Pure.
import { SESSION_GRID_FIELDS, SessionField, sessionTotals } from '../fields/session_fields';
import type { Session } from '../model/sessions';
import { cellText } from './cell';
import { headerCells, layoutTable, rowCellsOf, TableLayout } from './table';
import { byCodeUnits } from '../model/text_order';

export { formatCount, formatTokenTotal } from './cell';

export type SessionLayout = TableLayout<SessionField>;

/** The sessions table's columns for a width; the State column only when there are supervised sessions. */
export function layoutSessionColumns(width: number, opts: { minName?: number; run?: boolean } = {}): SessionLayout {
  const fields = SESSION_GRID_FIELDS.filter((f) => f.key !== 'state' || opts.run === true);
  return layoutTable(fields, width, { flexMin: opts.minName ?? 12, minColumns: 2 });
}

export function sessionHeaderCells(l: SessionLayout): string[] {
  return headerCells(l);
}

/** A session's cells; `clean` adapts text to where it is drawn (the dashboard's terminal) before it is fitted. */
export function sessionRowCells(s: Session, l: SessionLayout, clean: (text: string) => string = (t) => t): string[] {
  return rowCellsOf(l, (f) => clean(cellText(f.unit, f.value(s))));
}

/**
 * Pod first, then the rest by ΣUSS, largest first (unknown last), then by id in code-unit order: the same on
 * every machine, and without localeCompare, whose ICU collator pages in ~2 MB of the node binary for good.
 */
export function sortSessions(list: readonly Session[]): Session[] {
  const rank = (s: Session) => (s.kind === 'pod' ? 0 : 1);
  const uss = (s: Session) => sessionTotals(s).ussBytes ?? -1;
  return list.slice().sort((a, b) => rank(a) - rank(b) || uss(b) - uss(a) || byCodeUnits(a.id, b.id));
}
