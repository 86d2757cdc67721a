// Dashboard state and the actions keys (and the mouse) turn into. Pure: the UI feeds actions in, gets
// state (and at most one effect to run) out. The kill requests are in dashboard_kill.ts, the pick lists
// (user, sort column, signal) in dashboard_menus.ts. This file is long because it is one state machine:
// the state, every action and the reducer of every mode read best together.
import type { Frame } from '../engine/frame';
import type { ProcessStat } from '../model/process_stat';
import type { Session, TreePick } from '../model/sessions';
import type { Guard } from '../model/protection';
import { TreeRow, treeOrder } from '../model/tree';
import { chooseSignal, ConfirmRequest, killInGrid, killSession } from './dashboard_kill';
import { Menu, sortMenuItems, userMenuItems } from './dashboard_menus';
import { filterProcesses, matchesText, selfAndAncestors, SortKey, sortProcesses, SORT_KEYS } from './process_table';
import { sortSessions } from './session_table';

export type { ConfirmRequest } from './dashboard_kill';
export type { Menu } from './dashboard_menus';

export type Mode = 'grid' | 'filter' | 'search' | 'confirm' | 'help' | 'history' | 'menu';

export interface StatusMessage {
  text: string;
  level: 'info' | 'ok' | 'warn' | 'error';
}

export interface DashboardState {
  /** Which grid is shown: processes, or sessions (Tab). */
  view: 'processes' | 'sessions';
  /** Selected session id in the sessions view. */
  sessionKey: string | null;
  sessionTop: number;
  /** The session drilled into (Enter): the process grid shows only its members. */
  focus: { id: string; name: string } | null;
  /** Process trees the user picked as sessions (T). */
  trees: TreePick[];
  sort: SortKey;
  reverse: boolean;
  filter: string;
  /** Only this user's processes (u); null: everyone's. */
  user: number | null;
  /** The search text (F3): it moves the selection, it hides nothing. */
  search: string;
  mode: Mode;
  tree: boolean;
  /** Identity of the selection: `${pid}:${startTicks}`. */
  selectedKey: string | null;
  /** The selected process after it exited: shown as gone until the selection moves. */
  gone: ProcessStat | null;
  /** Tagged processes (Space), by identity: k and K act on them when there are any. */
  tagged: readonly string[];
  /** Index of the first visible row. */
  top: number;
  confirm: ConfirmRequest | null;
  /** The pick list open in mode 'menu'. */
  menu: Menu | null;
  readOnly: boolean;
  /** What the last action did, for the status bar; the next action clears it (it says the present only). */
  status: StatusMessage | null;
  /** Scroll offset of the help/history overlays. */
  overlayTop: number;
}

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; dir: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'cycleSort' }
  | { type: 'setSort'; key: SortKey }
  /** A click on a column header: sort by it, or reverse when it is the sort column already. */
  | { type: 'sortBy'; key: SortKey }
  | { type: 'reverse' }
  | { type: 'toggleTree' }
  | { type: 'filterClearLine' }
  | { type: 'searchClearLine' }
  /** Scroll the help or the history by rows. */
  | { type: 'overlayScroll'; delta: number }
  | { type: 'filterStart' }
  | { type: 'filterInput'; text: string }
  | { type: 'filterBackspace' }
  | { type: 'filterAccept' }
  | { type: 'searchStart' }
  | { type: 'searchInput'; text: string }
  | { type: 'searchBackspace' }
  | { type: 'searchNext' }
  | { type: 'escape' }
  | { type: 'help' }
  | { type: 'history' }
  | { type: 'kill'; tree: boolean }
  | { type: 'toggleTag' }
  | { type: 'untagAll' }
  | { type: 'signal'; dir: 1 | -1 }
  | { type: 'userMenu' }
  | { type: 'sortMenu' }
  | { type: 'menuMove'; delta: number }
  | { type: 'menuPick' }
  /** A click on the grid's `row`-th visible row. */
  | { type: 'clickRow'; row: number }
  | { type: 'toggleView' }
  | { type: 'enter' }
  | { type: 'pickTree' }
  | { type: 'confirmYes' }
  | { type: 'confirmNo' }
  | { type: 'status'; status: StatusMessage | null };

export type Effect = { type: 'terminate'; request: ConfirmRequest } | { type: 'quit' };

export interface Rows {
  /** Processes in display order (the gone selection included where it was). */
  list: ProcessStat[];
  /** Tree prefixes by row, when in tree view. */
  prefixes: string[] | null;
}

export function initialState(opts: { sort: SortKey; reverse: boolean; filter: string; readOnly: boolean }): DashboardState {
  return {
    view: 'processes',
    sessionKey: null,
    sessionTop: 0,
    focus: null,
    trees: [],
    sort: opts.sort,
    reverse: opts.reverse,
    filter: opts.filter,
    user: null,
    search: '',
    mode: 'grid',
    tree: false,
    selectedKey: null,
    gone: null,
    tagged: [],
    top: 0,
    confirm: null,
    menu: null,
    readOnly: opts.readOnly,
    status: null,
    overlayTop: 0,
  };
}

/** What the dashboard's state follows of a frame. */
export type FrameView = Pick<Frame, 'processes' | 'exited' | 'sessions'>;

/**
 * The rows the grid shows, in order: the focused session's or the chosen user's, filtered, sorted, maybe as
 * a tree. `guard`: spmon and its ancestors, which the filter matches by name only (their command lines hold
 * the --filter text).
 */
export function orderRows(snap: FrameView, state: DashboardState, guard?: Guard): Rows {
  const focus = state.focus;
  let pool = snap.processes;
  if (focus) {
    const keys = new Set(snap.sessions.find((x) => x.id === focus.id)?.keys ?? []);
    pool = snap.processes.filter((p) => keys.has(p.key));
  }
  if (state.user !== null) pool = pool.filter((p) => p.uid === state.user);
  const nameOnly = selfAndAncestors(guard);
  let list = sortProcesses(filterProcesses(pool, state.filter, nameOnly), state.sort, state.reverse);
  const gone = state.gone;
  if (gone && filterProcesses([gone], state.filter, nameOnly).length === 1 && !list.some((p) => p.key === gone.key)) {
    // Keep the exited selection where its last values sort it.
    list = sortProcesses([...list, gone], state.sort, state.reverse);
  }
  if (!state.tree) return { list, prefixes: null };
  const rows: TreeRow<ProcessStat>[] = treeOrder(list);
  return { list: rows.map((r) => r.p), prefixes: rows.map((r) => r.prefix) };
}

/**
 * After a new sample (or a change of filter, sort or size): follow the selection, or mark it gone; forget
 * tags of processes that exited; returns the state and the rows it implies.
 */
export function reconcile(
  state: DashboardState,
  snap: FrameView,
  pageSize: number,
  guard?: Guard,
): { state: DashboardState; rows: Rows; sessionRows: Session[] } {
  let s = state;
  const sessionRows = sortSessions(snap.sessions);
  if (sessionRows.length > 0 && !sessionRows.some((x) => x.id === s.sessionKey)) s = { ...s, sessionKey: sessionRows[0].id };
  const si = sessionRows.findIndex((x) => x.id === s.sessionKey);
  if (si >= 0) s = { ...s, sessionTop: clampTop(s.sessionTop, si, sessionRows.length, pageSize) };
  if (s.selectedKey !== null && !s.gone && !snap.processes.some((p) => p.key === s.selectedKey)) {
    const last = snap.exited.find((p) => p.key === s.selectedKey) ?? null;
    s = last ? { ...s, gone: { ...last, state: 'X' } } : { ...s, selectedKey: null };
  }
  if (s.tagged.length > 0) {
    const alive = new Set(snap.processes.map((p) => p.key));
    const tagged = s.tagged.filter((k) => alive.has(k));
    if (tagged.length !== s.tagged.length) s = { ...s, tagged };
  }
  let rows = orderRows(snap, s, guard);
  // Nothing selected, or the selection is filtered out: take the first row.
  if (rows.list.length > 0 && (s.selectedKey === null || selectedIndex(s, rows) < 0)) {
    s = { ...s, selectedKey: rows.list[0].key, gone: null };
    rows = orderRows(snap, s, guard);
  }
  return { state: keepInView(s, rows, pageSize), rows, sessionRows };
}

function clampTop(top: number, index: number, n: number, pageSize: number): number {
  const page = Math.max(1, pageSize);
  let t = Math.min(top, Math.max(0, n - page));
  if (index < t) t = index;
  if (index >= t + page) t = index - page + 1;
  return Math.max(0, t);
}

export function selectedIndex(state: DashboardState, rows: Rows): number {
  if (state.selectedKey === null) return -1;
  return rows.list.findIndex((p) => p.key === state.selectedKey);
}

function keepInView(s: DashboardState, rows: Rows, pageSize: number): DashboardState {
  const n = rows.list.length;
  const page = Math.max(1, pageSize);
  let top = Math.min(s.top, Math.max(0, n - page));
  const i = selectedIndex(s, rows);
  if (i >= 0) {
    if (i < top) top = i;
    if (i >= top + page) top = i - page + 1;
  }
  top = Math.max(0, top);
  return top === s.top ? s : { ...s, top };
}

function selectAt(s: DashboardState, rows: Rows, index: number, pageSize: number): DashboardState {
  if (rows.list.length === 0) return s;
  const i = Math.max(0, Math.min(rows.list.length - 1, index));
  const key = rows.list[i].key;
  // Moving away from a gone process lets it go.
  const gone = s.gone && s.gone.key === key ? s.gone : null;
  return keepInView({ ...s, selectedKey: key, gone }, rows, pageSize);
}

/** The first row from `from` on (wrapping round) that matches the search; the state unchanged when none does. */
function searchFrom(s: DashboardState, ctx: ReduceContext, from: number): DashboardState {
  const q = s.search.trim().toLowerCase();
  const list = ctx.rows.list;
  if (!q || list.length === 0) return s;
  const nameOnly = selfAndAncestors(ctx.guard);
  for (let k = 0; k < list.length; k++) {
    const i = (((from + k) % list.length) + list.length) % list.length;
    if (matchesText(list[i], q, nameOnly)) return selectAt(s, ctx.rows, i, ctx.pageSize);
  }
  return { ...s, status: { text: `No process matches "${s.search}"`, level: 'warn' } };
}

export interface ReduceResult {
  state: DashboardState;
  effect?: Effect;
}

/** What the reducer needs to know of the screen as it is. */
export interface ReduceContext {
  /** The process grid's order (orderRows). */
  rows: Rows;
  /** The sessions view's order. */
  sessionRows: readonly Session[];
  /** Visible grid rows. */
  pageSize: number;
  /** The latest processes (for tree and session kills, and the user list). */
  all: readonly ProcessStat[];
  /** spmon and its ancestors: what no kill may reach (refused before asking). */
  guard: Guard;
  /** The last row the open dialog (help, history) can scroll its text to: its wrapped rows less those shown. */
  overlayMaxTop?: number;
}

/** Apply an action to the state; at most one effect comes out. The last action's status goes. */
export function reduce(state: DashboardState, action: Action, ctx: ReduceContext): ReduceResult {
  const s = state.status !== null && action.type !== 'status' ? { ...state, status: null } : state;
  if (s.view === 'sessions' && s.mode === 'grid') {
    const r = reduceSessions(s, action, ctx);
    if (r) return r;
  }
  const { rows, pageSize } = ctx;
  const cur = selectedIndex(s, rows);
  switch (action.type) {
    case 'toggleView':
      return { state: { ...s, view: s.view === 'processes' ? 'sessions' : 'processes' } };
    case 'enter':
      return { state: s };
    case 'pickTree': {
      if (cur < 0) return { state: s };
      const p = rows.list[cur];
      if (s.trees.some((t) => t.pid === p.pid && t.startTicks === p.startTicks)) {
        return { state: { ...s, trees: s.trees.filter((t) => !(t.pid === p.pid && t.startTicks === p.startTicks)), status: { text: `Tree of ${p.pid} is no longer a session`, level: 'info' } } };
      }
      return { state: { ...s, trees: [...s.trees, { pid: p.pid, startTicks: p.startTicks }], status: { text: `Tree of ${p.pid} ${p.name} is now a session (Tab to see it)`, level: 'ok' } } };
    }
    case 'move':
      return { state: selectAt(s, rows, (cur < 0 ? 0 : cur) + action.delta, pageSize) };
    case 'page':
      return { state: selectAt(s, rows, (cur < 0 ? 0 : cur) + action.dir * Math.max(1, pageSize - 1), pageSize) };
    case 'home':
      return { state: selectAt(s, rows, 0, pageSize) };
    case 'end':
      return { state: selectAt(s, rows, rows.list.length - 1, pageSize) };
    case 'clickRow':
      return { state: action.row >= 0 && s.top + action.row < rows.list.length ? selectAt(s, rows, s.top + action.row, pageSize) : s };
    case 'cycleSort': {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(s.sort) + 1) % SORT_KEYS.length];
      return { state: { ...s, sort: next, status: { text: `Sorted by ${next}`, level: 'info' } } };
    }
    case 'setSort':
      return { state: { ...s, sort: action.key } };
    case 'sortBy':
      return { state: action.key === s.sort ? { ...s, reverse: !s.reverse } : { ...s, sort: action.key, reverse: false } };
    case 'reverse':
      return { state: { ...s, reverse: !s.reverse, status: { text: `Sort ${s.reverse ? 'natural' : 'reversed'}`, level: 'info' } } };
    case 'toggleTree':
      return { state: { ...s, tree: !s.tree, status: { text: s.tree ? 'List view' : 'Tree view', level: 'info' } } };
    case 'filterStart':
      return { state: { ...s, mode: 'filter' } };
    case 'filterInput':
      return { state: { ...s, filter: s.filter + action.text, top: 0 } };
    case 'filterBackspace':
      return { state: { ...s, filter: Array.from(s.filter).slice(0, -1).join(''), top: 0 } };
    case 'filterClearLine':
      return { state: { ...s, filter: '', top: 0 } };
    case 'searchClearLine':
      return { state: { ...s, search: '' } };
    case 'filterAccept':
      return { state: { ...s, mode: 'grid' } };
    case 'searchStart':
      return { state: { ...s, mode: 'search', search: '' } };
    case 'searchInput': {
      const next = { ...s, search: s.search + action.text };
      return { state: searchFrom(next, ctx, Math.max(0, cur)) };
    }
    case 'searchBackspace':
      return { state: { ...s, search: Array.from(s.search).slice(0, -1).join('') } };
    case 'searchNext':
      return { state: s.mode === 'search' ? searchFrom(s, ctx, cur + 1) : { ...s, mode: 'search', search: '' } };
    case 'escape':
      if (s.mode === 'grid' && s.focus && !s.filter) return { state: { ...s, focus: null, view: 'sessions', top: 0 } };
      if (s.mode === 'filter') return { state: { ...s, mode: 'grid', filter: '', top: 0 } };
      if (s.mode === 'search') return { state: { ...s, mode: 'grid', search: '' } };
      if (s.mode === 'confirm') return { state: { ...s, mode: 'grid', confirm: null, status: { text: 'Cancelled', level: 'info' } } };
      if (s.mode === 'help' || s.mode === 'history' || s.mode === 'menu') return { state: { ...s, mode: 'grid', menu: null } };
      if (s.filter) return { state: { ...s, filter: '', top: 0, status: { text: 'Filter cleared', level: 'info' } } };
      return { state: s };
    case 'overlayScroll':
      return { state: { ...s, overlayTop: Math.max(0, Math.min(ctx.overlayMaxTop ?? 0, s.overlayTop + action.delta)) } };
    case 'help':
      return { state: { ...s, mode: s.mode === 'help' ? 'grid' : 'help', overlayTop: 0 } };
    case 'history':
      return { state: { ...s, mode: s.mode === 'history' ? 'grid' : 'history', overlayTop: 0 } };
    case 'kill':
      return killInGrid(s, action.tree, ctx);
    case 'toggleTag': {
      if (cur < 0) return { state: s };
      const key = rows.list[cur].key;
      const tagged = s.tagged.includes(key) ? s.tagged.filter((k) => k !== key) : [...s.tagged, key];
      // As in htop: the selection moves on, so Space Space Space tags three rows.
      return { state: selectAt({ ...s, tagged }, rows, cur + 1, pageSize) };
    }
    case 'untagAll':
      return { state: s.tagged.length === 0 ? s : { ...s, tagged: [], status: { text: 'Tags cleared', level: 'info' } } };
    case 'signal':
      return { state: s.mode === 'confirm' ? chooseSignal(s, action.dir) : s };
    case 'userMenu': {
      const i = userMenuItems(ctx.all).indexOf(s.user);
      return { state: { ...s, mode: 'menu', menu: { kind: 'user', index: Math.max(0, i) } } };
    }
    case 'sortMenu':
      return { state: { ...s, mode: 'menu', menu: { kind: 'sort', index: Math.max(0, sortMenuItems().indexOf(s.sort)) } } };
    case 'menuMove': {
      if (!s.menu) return { state: s };
      const n = s.menu.kind === 'user' ? userMenuItems(ctx.all).length : sortMenuItems().length;
      return { state: { ...s, menu: { ...s.menu, index: Math.max(0, Math.min(n - 1, s.menu.index + action.delta)) } } };
    }
    case 'menuPick': {
      const m = s.menu;
      if (!m) return { state: s };
      if (m.kind === 'sort') {
        const key = sortMenuItems()[m.index] ?? s.sort;
        return { state: { ...s, mode: 'grid', menu: null, sort: key } };
      }
      const items = userMenuItems(ctx.all);
      return { state: { ...s, mode: 'grid', menu: null, user: m.index < items.length ? items[m.index] : null, top: 0 } };
    }
    case 'confirmYes':
      if (s.mode !== 'confirm' || !s.confirm) return { state: s };
      // The tagged set has been dealt with.
      return {
        state: { ...s, mode: 'grid', confirm: null, tagged: s.confirm.kind === 'tagged' ? [] : s.tagged },
        effect: { type: 'terminate', request: s.confirm },
      };
    case 'confirmNo':
      if (s.mode !== 'confirm' || !s.confirm) return { state: s };
      return {
        state: { ...s, mode: 'grid', confirm: null, status: { text: `Spared ${spared(s.confirm)}`, level: 'info' } },
      };
    case 'status':
      return { state: { ...s, status: action.status } };
  }
}

function spared(c: ConfirmRequest): string {
  if (c.kind === 'session' && c.session) return `session ${c.session.name}`;
  if (c.kind === 'tagged') return `${c.members.length} tagged process${c.members.length === 1 ? '' : 'es'}`;
  return `${c.target.pid} ${c.target.name}`;
}

/** Keys in the sessions view; null: handled as in the process grid. */
function reduceSessions(s: DashboardState, action: Action, ctx: ReduceContext): ReduceResult | null {
  const list = ctx.sessionRows;
  const cur = list.findIndex((x) => x.id === s.sessionKey);
  const select = (i: number): ReduceResult => {
    if (list.length === 0) return { state: s };
    const j = Math.max(0, Math.min(list.length - 1, i));
    return { state: { ...s, sessionKey: list[j].id, sessionTop: clampTop(s.sessionTop, j, list.length, ctx.pageSize) } };
  };
  switch (action.type) {
    case 'move':
      return select((cur < 0 ? 0 : cur) + action.delta);
    case 'page':
      return select((cur < 0 ? 0 : cur) + action.dir * Math.max(1, ctx.pageSize - 1));
    case 'home':
      return select(0);
    case 'end':
      return select(list.length - 1);
    case 'clickRow':
      return action.row >= 0 && s.sessionTop + action.row < list.length ? select(s.sessionTop + action.row) : { state: s };
    case 'enter': {
      if (cur < 0) return { state: s };
      const x = list[cur];
      return { state: { ...s, view: 'processes', focus: { id: x.id, name: x.name }, top: 0, selectedKey: null, gone: null } };
    }
    case 'kill':
      return killSession(s, cur < 0 ? undefined : list[cur], ctx);
    case 'pickTree':
    case 'filterStart':
    case 'searchStart':
    case 'searchNext':
    case 'toggleTree':
    case 'toggleTag':
    case 'userMenu':
    case 'sortMenu':
    case 'cycleSort':
    case 'sortBy':
    case 'reverse':
      return { state: { ...s, status: { text: 'That is for the process view: Tab switches to it', level: 'info' } } };
    default:
      return null;
  }
}
