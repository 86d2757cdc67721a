// Dashboard state and the actions keys turn into. Pure: the UI feeds actions
// in, gets state (and at most one effect to run) out.
import type { Frame } from '../engine/frame';
import type { ProcessStat } from '../model/process_stat';
import type { Session, TreePick } from '../model/sessions';
import { Guard, refusalOf, setRefusalOf } from '../model/protection';
import { buildTree, subtree, TreeRow, treeOrder } from '../model/tree';
import { reasonText } from './job_text';
import { filterProcesses, SortKey, sortProcesses, SORT_KEYS } from './process_table';
import { sortSessions } from './session_table';

export type Mode = 'grid' | 'filter' | 'confirm' | 'help' | 'history';

/**
 * A confirmation holds copies of the processes as they were when the key was pressed: the
 * snapshot's own ProcessStats are updated in place by the next sample.
 */
export interface ConfirmRequest {
  /** One process, the process and all its descendants, or a whole session. */
  kind: 'process' | 'tree' | 'session';
  target: ProcessStat;
  /** For kind 'session'. */
  session?: Session;
  members: ProcessStat[];
  /** Any member is a system process. */
  system: boolean;
}

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
  mode: Mode;
  tree: boolean;
  /** Identity of the selection: `${pid}:${startTicks}`. */
  selectedKey: string | null;
  /** The selected process after it exited: shown as gone until the selection moves. */
  gone: ProcessStat | null;
  /** Index of the first visible row. */
  top: number;
  confirm: ConfirmRequest | null;
  readOnly: boolean;
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
  | { type: 'reverse' }
  | { type: 'toggleTree' }
  | { type: 'filterStart' }
  | { type: 'filterInput'; text: string }
  | { type: 'filterBackspace' }
  | { type: 'filterAccept' }
  | { type: 'escape' }
  | { type: 'help' }
  | { type: 'history' }
  | { type: 'kill'; tree: boolean }
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
    mode: 'grid',
    tree: false,
    selectedKey: null,
    gone: null,
    top: 0,
    confirm: null,
    readOnly: opts.readOnly,
    status: null,
    overlayTop: 0,
  };
}

/** What the dashboard's state follows of a frame. */
export type FrameView = Pick<Frame, 'processes' | 'exited' | 'sessions'>;

/** The rows the grid shows, in order: filtered, sorted, maybe as a tree. */
export function orderRows(snap: FrameView, state: DashboardState): Rows {
  const focus = state.focus;
  let pool = snap.processes;
  if (focus) {
    const keys = new Set(snap.sessions.find((x) => x.id === focus.id)?.keys ?? []);
    pool = snap.processes.filter((p) => keys.has(p.key));
  }
  let list = sortProcesses(filterProcesses(pool, state.filter), state.sort, state.reverse);
  const gone = state.gone;
  if (gone && filterProcesses([gone], state.filter).length === 1 && !list.some((p) => p.key === gone.key)) {
    // Keep the exited selection where its last values sort it.
    list = sortProcesses([...list, gone], state.sort, state.reverse);
  }
  if (!state.tree) return { list, prefixes: null };
  const rows: TreeRow<ProcessStat>[] = treeOrder(list);
  return { list: rows.map((r) => r.p), prefixes: rows.map((r) => r.prefix) };
}

/**
 * After a new sample (or a change of filter, sort or size): follow the
 * selection, or mark it gone; returns the state and the rows it implies.
 */
export function reconcile(state: DashboardState, snap: FrameView, pageSize: number): { state: DashboardState; rows: Rows; sessionRows: Session[] } {
  let s = state;
  const sessionRows = sortSessions(snap.sessions);
  if (sessionRows.length > 0 && !sessionRows.some((x) => x.id === s.sessionKey)) s = { ...s, sessionKey: sessionRows[0].id };
  const si = sessionRows.findIndex((x) => x.id === s.sessionKey);
  if (si >= 0) s = { ...s, sessionTop: clampTop(s.sessionTop, si, sessionRows.length, pageSize) };
  if (s.selectedKey !== null && !s.gone && !snap.processes.some((p) => p.key === s.selectedKey)) {
    const last = snap.exited.find((p) => p.key === s.selectedKey) ?? null;
    s = last ? { ...s, gone: { ...last, state: 'X' } } : { ...s, selectedKey: null };
  }
  let rows = orderRows(snap, s);
  // Nothing selected, or the selection is filtered out: take the first row.
  if (rows.list.length > 0 && (s.selectedKey === null || selectedIndex(s, rows) < 0)) {
    s = { ...s, selectedKey: rows.list[0].key, gone: null };
    rows = orderRows(snap, s);
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

/** The values a process has now (a snapshot's ProcessStat changes with the next sample). */
function copyOf(p: ProcessStat): ProcessStat {
  return { ...p };
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
  /** The latest processes (for tree and session kills). */
  all: readonly ProcessStat[];
  /** spmon and its ancestors: what no kill may reach (refused before asking). */
  guard: Guard;
}

/** Apply an action to the state; at most one effect comes out. */
export function reduce(state: DashboardState, action: Action, ctx: ReduceContext): ReduceResult {
  const { rows, pageSize, all } = ctx;
  const s = state;
  if (s.view === 'sessions' && s.mode === 'grid') {
    const r = reduceSessions(s, action, ctx);
    if (r) return r;
  }
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
    case 'cycleSort': {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(s.sort) + 1) % SORT_KEYS.length];
      return { state: { ...s, sort: next, status: { text: `Sorted by ${next}`, level: 'info' } } };
    }
    case 'setSort':
      return { state: { ...s, sort: action.key } };
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
    case 'filterAccept':
      return { state: { ...s, mode: 'grid' } };
    case 'escape':
      if (s.mode === 'grid' && s.focus && !s.filter) return { state: { ...s, focus: null, view: 'sessions', top: 0 } };
      if (s.mode === 'filter') return { state: { ...s, mode: 'grid', filter: '', top: 0 } };
      if (s.mode === 'confirm') return { state: { ...s, mode: 'grid', confirm: null, status: { text: 'Cancelled', level: 'info' } } };
      if (s.mode === 'help' || s.mode === 'history') return { state: { ...s, mode: 'grid' } };
      if (s.filter) return { state: { ...s, filter: '', top: 0, status: { text: 'Filter cleared', level: 'info' } } };
      return { state: s };
    case 'help':
      return { state: { ...s, mode: s.mode === 'help' ? 'grid' : 'help', overlayTop: 0 } };
    case 'history':
      return { state: { ...s, mode: s.mode === 'history' ? 'grid' : 'history', overlayTop: 0 } };
    case 'kill': {
      if (s.readOnly) return { state: { ...s, status: { text: 'Read-only mode: killing is off (--read-only)', level: 'warn' } } };
      if (cur < 0) return { state: { ...s, status: { text: 'Nothing selected', level: 'warn' } } };
      const target = rows.list[cur];
      if (s.gone && s.gone.key === target.key)
        return { state: { ...s, status: { text: `Process ${target.pid} has already exited`, level: 'warn' } } };
      const tree = action.tree ? subtree(buildTree(all), target.pid) : [];
      const members = (tree.length > 0 ? tree : [target]).map(copyOf);
      const refused = setRefusalOf(members, ctx.guard);
      if (refused) return { state: { ...s, status: { text: refusedText(refused.member, refused.code), level: 'error' } } };
      const request: ConfirmRequest = {
        kind: action.tree ? 'tree' : 'process',
        target: copyOf(target),
        members,
        system: members.some((p) => p.system),
      };
      return { state: { ...s, mode: 'confirm', confirm: request } };
    }
    case 'confirmYes':
      if (s.mode !== 'confirm' || !s.confirm) return { state: s };
      return { state: { ...s, mode: 'grid', confirm: null }, effect: { type: 'terminate', request: s.confirm } };
    case 'confirmNo':
      if (s.mode !== 'confirm' || !s.confirm) return { state: s };
      return {
        state: { ...s, mode: 'grid', confirm: null, status: { text: `Spared ${s.confirm.target.pid} ${s.confirm.target.name}`, level: 'info' } },
      };
    case 'status':
      return { state: { ...s, status: action.status } };
  }
}

/** Why a process may not be ended, for the status bar. */
function refusedText(p: ProcessStat, code: NonNullable<ReturnType<typeof refusalOf>>): string {
  return `Refused to end ${p.pid} ${p.name}: ${reasonText({ code })}`;
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
    case 'enter': {
      if (cur < 0) return { state: s };
      const x = list[cur];
      return { state: { ...s, view: 'processes', focus: { id: x.id, name: x.name }, top: 0, selectedKey: null, gone: null } };
    }
    case 'kill': {
      if (s.readOnly) return { state: { ...s, status: { text: 'Read-only mode: killing is off (--read-only)', level: 'warn' } } };
      if (cur < 0) return { state: { ...s, status: { text: 'Nothing selected', level: 'warn' } } };
      const x = list[cur];
      if (x.kind === 'pod') return { state: { ...s, status: { text: 'The pod session cannot be ended from here', level: 'warn' } } };
      const byKey = new Map(ctx.all.map((p) => [p.key, p]));
      const members = x.keys.map((k) => byKey.get(k)).filter((p): p is ProcessStat => p !== undefined).map(copyOf);
      if (members.length === 0) return { state: { ...s, status: { text: `Session ${x.name} has no running processes`, level: 'warn' } } };
      const refused = setRefusalOf(members, ctx.guard);
      if (refused) {
        const hit = refused.member;
        return { state: { ...s, status: { text: `Refused: session ${x.name} contains spmon or its parent ${hit.pid} ${hit.name}`, level: 'error' } } };
      }
      const root = members.slice().sort((a, b) => a.pid - b.pid)[0];
      return { state: { ...s, mode: 'confirm', confirm: { kind: 'session', target: root, session: x, members, system: members.some((p) => p.system) } } };
    }
    case 'pickTree':
    case 'filterStart':
      return { state: { ...s, status: { text: 'Switch to the process view (Tab) for that', level: 'info' } } };
    default:
      return null;
  }
}
