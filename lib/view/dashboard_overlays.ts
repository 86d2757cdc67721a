// The dialogs over the dashboard's grid: the kill confirmation (with its signal), help, the history of
// what was ended, and the pick lists (u, F6). Pure: styled lines for the UI to draw.
import { processField } from '../fields/process_fields';
import type { ProcessStat } from '../model/process_stat';
import type { ConfirmRequest } from './dashboard_kill';
import { Menu, SIGNAL_CHOICES, signalEnds, sortMenuItems, userCounts, userMenuItems } from './dashboard_menus';
import { fit } from './fit';
import { formatBytes } from './format';
import { Line, seg } from './styled';
import { isoTime } from '../model/clock';

export interface Overlay {
  title: string;
  lines: Line[];
  tone: 'normal' | 'danger';
  /** Continuation rows of a wrapped line start this many columns in (the help's descriptions). */
  indent?: number;
  /** Once drawn (dashboard_view): how many rows the whole text wraps to, and the first one shown. */
  total?: number;
  top?: number;
}

export interface EndedRecord {
  pid: number;
  name: string;
  outcome: string;
  /** The last signal sent: what a signal that ends nothing (STOP, CONT, HUP...) is shown as. */
  signal?: string | null;
  requestedAt: number;
  finishedAt: number | null;
  message: string;
}

/** How untrusted text is made drawable (sanitised, then fitted to the terminal's character set). */
export type Clean = (text: string) => string;

export const KEY_HELP: [string, string][] = [
  ['↑/↓ PgUp/PgDn Home/End', 'move the selection (mouse: click a row, wheel to scroll)'],
  ['s / F6', 'cycle the sort column / pick it from a list (mouse: click a column header)'],
  ['S / r', 'reverse the sort'],
  ['/ or F4', 'filter by name or cmdline (Enter keeps it, Esc clears it, Ctrl-U empties the line)'],
  ['F3', 'search: select the next process whose name or cmdline matches (F3 again: the next one)'],
  ['u', "show one user's processes (pick from a list)"],
  ['Esc', 'clear the filter, or cancel'],
  ['t / F5', 'tree view on/off'],
  ['Tab', 'switch between processes and sessions (tmux, agents, picked trees, the pod)'],
  ['Enter', "in sessions: show the session's processes (Esc goes back)"],
  ['T', 'make the selected process and its descendants a session'],
  ['Space / U', 'tag the selected process (k and K then take every tagged one) / untag all'],
  ['k', 'kill the selected or tagged processes (SIGTERM, then SIGKILL after the grace)'],
  ['K / F9', 'kill the selected or tagged processes and all their descendants'],
  ['← / →', 'in the confirmation: the signal. TERM INT QUIT end it (SIGKILL after the grace), KILL at once;'],
  ['', 'HUP USR1 USR2 STOP CONT are sent once, without SIGKILL'],
  ['k (sessions)', 'end the whole session: leaves first, one grace period'],
  ['y / n', 'confirm / spare'],
  ['h', 'history of ended and signalled processes'],
  ['? / F1', 'this help'],
  ['Ctrl-L', 'redraw the screen, list tmux again'],
  ['q / F10 / Ctrl-C', 'quit'],
];

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function ussOf(members: readonly ProcessStat[]): string {
  const uss = members.reduce<number | null>((a, p) => (p.ussBytes === null ? a : (a ?? 0) + p.ussBytes), null);
  return formatBytes(uss);
}

/** The question, as one sentence (without "? (y/n)"). */
function question(req: ConfirmRequest, name: Clean): string {
  const sig = req.signal;
  const ends = signalEnds(sig);
  const t = req.target;
  const n = req.members.length;
  const uss = `USS ${ussOf(req.members)}`;
  // What ending frees is worth saying; for a signal that only asks, it is not.
  const sized = (what: string, facts: string[]) => {
    const all = ends ? [...facts, uss] : facts;
    return all.length > 0 ? `${what} (${all.join(', ')})` : what;
  };
  const who = `${t.pid} ${name(t.kernelThread ? `[${t.name}]` : t.name)}`;
  let what: string;
  if (req.kind === 'session' && req.session) {
    const s = `session ${name(req.session.name)} (${req.session.kind}): ${plural(n, 'process', 'processes')}`;
    return ends ? `End ${s}, frees ${uss}` : `Send ${sig} to ${s}`;
  } else if (req.kind === 'process') {
    what = sized(`${req.system ? '' : 'process '}${who}`, []);
  } else if (req.kind === 'tree') {
    const d = n - 1;
    what = d === 0 ? sized(who, ['no descendants']) : sized(`${who} and its ${plural(d, 'descendant')}`, [plural(n, 'process', 'processes')]);
  } else {
    const roots = req.roots?.length ?? n;
    const d = n - roots;
    const base = plural(roots, 'tagged process', 'tagged processes');
    what = d > 0 ? sized(`${base} and their ${plural(d, 'descendant')}`, [plural(n, 'process', 'processes')]) : sized(base, []);
  }
  return ends ? `Kill ${what}` : `Send ${sig} to ${what}`;
}

export function confirmOverlay(req: ConfirmRequest, graceSec: number, name: Clean): Overlay {
  const sig = req.signal;
  const q = question(req, name);
  const text = req.system ? `⚠ SYSTEM PROCESS — ${q}? This may break the session. (y/n)` : `${q}? (y/n)`;
  const lines: Line[] = [[seg(text, req.system ? 'danger' : 'bold')], [seg('')]];
  if (sig === 'SIGKILL') lines.push([seg('SIGKILL now: no chance to clean up.', 'dim')]);
  else if (signalEnds(sig)) lines.push([seg(`${sig} now, SIGKILL after ${graceSec} s if it is still running.`, 'dim')]);
  else lines.push([seg(`${sig} only: nothing after it (no SIGKILL).`, 'dim')]);
  const choice: Line = [seg('Signal (← →): ', 'dim')];
  for (const s of SIGNAL_CHOICES) {
    choice.push(seg(s.slice(3), s === sig ? 'selected' : 'normal'));
    choice.push(seg(' '));
  }
  lines.push(choice);
  // Only where descendants go too (K, a session): `k` on tagged processes ends just those.
  const withDescendants = req.kind === 'tree' || req.kind === 'session' || (req.kind === 'tagged' && (req.roots?.length ?? 0) > 0);
  if (withDescendants && signalEnds(sig)) lines.push([seg('Leaves first, then parents; new descendants are found again before SIGKILL.', 'dim')]);
  if (req.kind !== 'process') {
    const systemMembers = req.members.filter((p) => p.system);
    if (systemMembers.length > 0)
      lines.push([seg(`System processes in the set: ${systemMembers.map((p) => `${p.pid} ${name(p.name)}`).join(', ')}`, 'warn')]);
  }
  return { title: req.system ? ' Confirm: system process ' : ' Confirm ', lines, tone: req.system ? 'danger' : 'normal' };
}

export function helpOverlay(): Overlay {
  const lines: Line[] = KEY_HELP.map(([k, d]) => [seg(k.padEnd(24), 'key'), seg(d)]);
  lines.push([seg('')]);
  lines.push([seg('USS: memory only this process uses (freed when it ends). PSS: USS plus its share of shared pages.', 'dim')]);
  lines.push([seg('RSS: all resident pages, shared ones counted in full (sums double count). "-": unknown.', 'dim')]);
  lines.push([seg('Growth: USS slope over the growth window, highlighted when steady. Dimmed rows: system processes.', 'dim')]);
  lines.push([seg('Press ? or Esc to close; ↑ ↓ PgUp PgDn scroll.', 'dim')]);
  return { title: ' Keys ', lines, tone: 'normal', indent: 24 };
}

export function historyOverlay(ended: readonly EndedRecord[], name: Clean): Overlay {
  const lines: Line[] = ended.length
    ? ended.map((e) => [
        seg(isoTime(e.requestedAt).slice(11, 19) + '  ', 'dim'),
        seg(String(e.pid).padStart(7) + '  '),
        seg(fit(name(e.name), 16) + '  '),
        e.outcome === 'signalled'
          ? seg(`${e.signal ?? 'a signal'} sent`)
          : seg(e.outcome, e.outcome === 'terminated' || e.outcome === 'force-killed' ? 'ok' : 'warn'),
      ])
    : [[seg('Nothing ended or signalled yet.', 'dim')]];
  return { title: ' Ended and signalled (newest first, last 100) ', lines, tone: 'normal' };
}

/** A pick list: its items, the highlighted one inverse. */
export function menuOverlay(menu: Menu, all: readonly ProcessStat[], userName: (uid: number) => string | null, name: Clean): Overlay {
  const items: string[] =
    menu.kind === 'sort'
      ? sortMenuItems().map((k) => `${processField(k).column?.header ?? k} (${k})`)
      : (() => {
          const counts = userCounts(all);
          return userMenuItems(all).map((u) =>
            u === null ? `all users (${plural(all.length, 'process', 'processes')})` : `${name(userName(u) ?? `uid ${u}`)} (uid ${u}): ${plural(counts.get(u) ?? 0, 'process', 'processes')}`,
          );
        })();
  const lines: Line[] = items.map((text, i) => [seg(` ${text} `, i === menu.index ? 'selected' : 'normal')]);
  lines.push([seg('')]);
  lines.push([seg('↑ ↓ choose · Enter pick · Esc cancel', 'dim')]);
  return { title: menu.kind === 'sort' ? ' Sort by ' : ' Show the processes of ', lines, tone: 'normal' };
}
