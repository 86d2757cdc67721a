// Keys -> actions. The mapping depends only on the mode, so it is tested without a terminal.
import type { Action, Mode } from '../view/dashboard_state';

export interface KeyInfo {
  name?: string;
  full?: string;
  ctrl?: boolean;
  shift?: boolean;
  meta?: boolean;
}

// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]$/u;

export function keyToAction(mode: Mode, ch: string | undefined, key: KeyInfo | undefined): Action | 'quit' | null {
  const name = key?.name;
  if (key?.ctrl && name === 'c') return 'quit';
  const nav = navigation(name);
  if (mode === 'filter') {
    if (name === 'escape') return { type: 'escape' };
    if (name === 'enter' || name === 'return') return { type: 'filterAccept' };
    if (name === 'backspace') return { type: 'filterBackspace' };
    if (nav) return nav;
    if (ch && !key?.ctrl && !key?.meta && PRINTABLE.test(ch)) return { type: 'filterInput', text: ch };
    return null;
  }
  if (mode === 'confirm') {
    if (ch === 'y' || ch === 'Y') return { type: 'confirmYes' };
    if (ch === 'n' || ch === 'N' || name === 'escape') return { type: 'confirmNo' };
    return null;
  }
  if (mode === 'help' || mode === 'history') {
    if (ch === 'q') return 'quit';
    if (name === 'escape' || ch === '?' || name === 'enter' || name === 'return') return { type: 'escape' };
    if (ch === 'h') return { type: 'history' };
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
  }
  if (name === 'f9') return { type: 'kill', tree: true };
  if (name === 'tab') return { type: 'toggleView' };
  if (name === 'enter' || name === 'return') return { type: 'enter' };
  if (name === 'escape') return { type: 'escape' };
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
