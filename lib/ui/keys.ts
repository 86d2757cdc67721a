// Keys -> actions. The mapping depends only on the mode, so it is tested without a terminal. The seed tool's
// keys (q k s S r / Esc ↑ ↓ y n) mean what they always meant; htop's F-keys, Space, u and Ctrl-L come on top.
import type { Action, Mode } from '../view/dashboard_state';

export interface KeyInfo {
  name?: string;
  full?: string;
  ctrl?: boolean;
  shift?: boolean;
  meta?: boolean;
}

/** What a key asks of the program itself rather than of the dashboard's state. */
export type Command = 'quit' | 'redraw';

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]$/u;

export function keyToAction(mode: Mode, ch: string | undefined, key: KeyInfo | undefined): Action | Command | null {
  // Enter typed before the terminal is in raw mode (ahead of the dashboard's start, or while blessed loads
  // after the first frame) arrives as a line feed, which blessed names `linefeed`; so does Ctrl-J.
  const name = key?.name === 'linefeed' ? 'enter' : key?.name;
  if (key?.ctrl && name === 'c') return 'quit';
  if (key?.ctrl && name === 'l') return 'redraw';
  const nav = navigation(name);
  if (mode === 'filter' || mode === 'search') {
    const filter = mode === 'filter';
    if (name === 'escape') return { type: 'escape' };
    if (name === 'enter' || name === 'return') return filter ? { type: 'filterAccept' } : { type: 'escape' };
    if (name === 'backspace') return filter ? { type: 'filterBackspace' } : { type: 'searchBackspace' };
    // Ctrl-U, as in a shell: the whole line goes (the field stays open).
    if (key?.ctrl && name === 'u') return filter ? { type: 'filterClearLine' } : { type: 'searchClearLine' };
    if (!filter && name === 'f3') return { type: 'searchNext' };
    if (nav) return nav;
    if (ch && !key?.ctrl && !key?.meta && PRINTABLE.test(ch)) return filter ? { type: 'filterInput', text: ch } : { type: 'searchInput', text: ch };
    return null;
  }
  if (mode === 'confirm') {
    if (ch === 'y' || ch === 'Y') return { type: 'confirmYes' };
    if (ch === 'n' || ch === 'N' || name === 'escape') return { type: 'confirmNo' };
    if (name === 'left') return { type: 'signal', dir: -1 };
    if (name === 'right') return { type: 'signal', dir: 1 };
    return null;
  }
  if (mode === 'menu') {
    if (name === 'up') return { type: 'menuMove', delta: -1 };
    if (name === 'down') return { type: 'menuMove', delta: 1 };
    if (name === 'pageup' || name === 'home') return { type: 'menuMove', delta: -1000 };
    if (name === 'pagedown' || name === 'end') return { type: 'menuMove', delta: 1000 };
    if (name === 'enter' || name === 'return') return { type: 'menuPick' };
    if (name === 'escape' || ch === 'q' || name === 'f10') return { type: 'escape' };
    return null;
  }
  if (mode === 'help' || mode === 'history') {
    if (ch === 'q' || name === 'f10') return 'quit';
    if (name === 'escape' || ch === '?' || name === 'f1' || name === 'enter' || name === 'return') return { type: 'escape' };
    if (ch === 'h') return { type: 'history' };
    const rows: Record<string, number> = { up: -1, down: 1, pageup: -20, pagedown: 20, home: -1e6, end: 1e6 };
    if (name !== undefined && rows[name] !== undefined) return { type: 'overlayScroll', delta: rows[name] };
    return null;
  }
  if (nav) return nav;
  switch (ch) {
    case 'q':
      return 'quit';
    case 'k':
      return { type: 'kill', tree: false };
    case 'K':
      return { type: 'kill', tree: true };
    case 's':
      return { type: 'cycleSort' };
    case 'S':
    case 'r':
      return { type: 'reverse' };
    case '/':
      return { type: 'filterStart' };
    case 't':
      return { type: 'toggleTree' };
    case 'T':
      return { type: 'pickTree' };
    case '?':
      return { type: 'help' };
    case 'h':
      return { type: 'history' };
    case 'g':
      return { type: 'home' };
    case 'G':
      return { type: 'end' };
    case ' ':
      return { type: 'toggleTag' };
    case 'U':
      return { type: 'untagAll' };
    case 'u':
      return { type: 'userMenu' };
  }
  switch (name) {
    case 'f1':
      return { type: 'help' };
    case 'f3':
      return { type: 'searchStart' };
    case 'f4':
      return { type: 'filterStart' };
    case 'f5':
      return { type: 'toggleTree' };
    case 'f6':
      return { type: 'sortMenu' };
    case 'f9':
      return { type: 'kill', tree: true };
    case 'f10':
      return 'quit';
    case 'tab':
      return { type: 'toggleView' };
    case 'enter':
    case 'return':
      return { type: 'enter' };
    case 'escape':
      return { type: 'escape' };
  }
  return null;
}

function navigation(name: string | undefined): Action | null {
  switch (name) {
    case 'up':
      return { type: 'move', delta: -1 };
    case 'down':
      return { type: 'move', delta: 1 };
    case 'pageup':
      return { type: 'page', dir: -1 };
    case 'pagedown':
      return { type: 'page', dir: 1 };
    case 'home':
      return { type: 'home' };
    case 'end':
      return { type: 'end' };
    default:
      return null;
  }
}
