// Dashboard state and the actions keys turn into. Pure: the UI feeds actions
// in, gets state (and at most one effect to run) out.
import type { ModelSnapshot, ProcessStat } from '../model/sampler';
import { buildTree, subtree, TreeRow, treeOrder } from '../model/tree';
import { filterProcesses, SortKey, sortProcesses, SORT_KEYS } from './process_table';

export type Mode = 'grid' | 'filter' | 'confirm' | 'help' | 'history';

export interface ConfirmRequest {
  /** One process, or the process and all its descendants. */
  kind: 'process' | 'tree';
  target: ProcessStat;
  members: ProcessStat[];
  /** Any member is a system process. */
  system: boolean;
}

export interface StatusMessage {
  text: string;
  level: 'info' | 'ok' | 'warn' | 'error';
}

export interface DashboardState {
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

/** The rows the grid shows, in order: filtered, sorted, maybe as a tree. */
export function orderRows(snap: ModelSnapshot, state: DashboardState): Rows {
  let list = sortProcesses(filterProcesses(snap.processes, state.filter), state.sort, state.reverse);
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
export function reconcile(state: DashboardState, snap: ModelSnapshot, pageSize: number): { state: DashboardState; rows: Rows } {
  let s = state;
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
  return { state: keepInView(s, rows, pageSize), rows };
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

export interface ReduceResult {
  state: DashboardState;
  effect?: Effect;
}

/**
 * Apply an action. `rows` is the current grid order (orderRows), `pageSize` the
 * number of visible grid rows; `all` the latest processes (for tree kills).
 */
export function reduce(state: DashboardState, action: Action, rows: Rows, pageSize: number, all: readonly ProcessStat[]): ReduceResult {
  const s = state;
  const cur = selectedIndex(s, rows);
  switch (action.type) {
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
      const members = tree.length > 0 ? tree : [target];
      const request: ConfirmRequest = {
        kind: action.tree ? 'tree' : 'process',
        target,
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
