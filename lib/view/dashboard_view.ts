// The dashboard's view model: everything the screen shows, as styled lines, and where things are (for the
// mouse). Pure: the UI draws it and nothing else. The header, the detail pane and the dialogs are built in
// dashboard_header.ts, dashboard_detail.ts and dashboard_overlays.ts.
import type { Frame } from '../engine/frame';
import type { ProcessField } from '../fields/field';
import type { ProcessHistory, ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';
import { contextLevel } from '../model/context_level';
import { asciiLine } from './ascii_glyphs';
import type { DashboardState, Rows } from './dashboard_state';
import { selectedIndex } from './dashboard_state';
import { DetailView, DetailInputs, processDetail, sessionDetail } from './dashboard_detail';
import { headerLines } from './dashboard_header';
import { confirmOverlay, EndedRecord, helpOverlay, historyOverlay, menuOverlay, Overlay } from './dashboard_overlays';
import { displayWidth, fit, spaces } from './fit';
import { displayName, headerCells, layoutColumns, rowCells } from './process_table';
import { layoutSessionColumns, sessionHeaderCells, sessionRowCells } from './session_table';
import { sanitize } from './sanitize';
import { Line, seg, Style } from './styled';
import { wrapLine } from './wrap';

export type { EndedRecord } from './dashboard_overlays';
export { KEY_HELP } from './dashboard_overlays';

export interface ScreenSize {
  width: number;
  height: number;
}

export interface DashboardLayout {
  header: number;
  detail: number;
  gridRows: number;
}

/** How many lines each part gets; a tiny terminal keeps only the grid and status bar. */
export function dashboardLayout(size: ScreenSize): DashboardLayout {
  const h = Math.max(1, size.height);
  const header = h >= 14 ? 4 : h >= 9 ? 1 : 0;
  const detail = h >= 30 ? 9 : 0;
  const gridRows = Math.max(1, h - header - detail - 2);
  return { header, detail, gridRows };
}

export interface GridRow {
  line: Line;
  selected: boolean;
}

export interface DashboardInputs {
  snap: Frame | null;
  state: DashboardState;
  rows: Rows;
  /** The sessions view's rows, in order. */
  sessionRows: readonly Session[];
  size: ScreenSize;
  history: ProcessHistory | undefined;
  detail: { cgroup: string | null; cwd: string | null; exe: string | null } | null;
  /** Messages of terminations under way. */
  jobs: string[];
  ended: readonly EndedRecord[];
  tickMs: number | null;
  error: string | null;
  graceSec: number;
  /**
   * The terminal's text rule: what untrusted text becomes so that it is drawn in exactly the columns it is
   * fitted to (lib/ui/terminal_text.ts). Default: as sanitised.
   */
  text?: (text: string) => string;
  /** No UTF-8: the view's own glyphs (gauges, arrows, ▼) in ASCII. */
  ascii?: boolean;
  /** spmon runs as root: memory it cannot read is protected, not "needs root". */
  root?: boolean;
}

/** A sortable column of the grid header, by screen column (for clicks). */
export interface HeaderColumn {
  key: string;
  start: number;
  end: number;
}

export interface DashboardView {
  layout: DashboardLayout;
  header: Line[];
  gridHeader: Line;
  /** The process grid's columns (empty in the sessions view, whose order is fixed). */
  columns: HeaderColumn[];
  grid: GridRow[];
  /** "12-40 of 230" */
  position: string;
  detail: DetailView | null;
  status: Line;
  overlay: Overlay | null;
}

interface Ctx {
  inp: DashboardInputs;
  /** Untrusted text, sanitised and made drawable. */
  clean: (text: string) => string;
  /** Already sanitised text made drawable. */
  draw: (text: string) => string;
  name: (p: ProcessStat) => string;
}

/**
 * The Name cells of the tree rows on screen, all drawn at one scale so that a child is always indented
 * further than its parent: the prefix grows three columns a level; when that leaves some row too little
 * room for its name, every row takes one column a level; when even that does not fit, the same leading
 * levels are dropped from every row ("…"), so the deepest rows keep room for their names.
 */
function treeCells(prefixes: readonly string[], names: readonly string[], width: number): string[] {
  const minName = names.map((n) => Math.min(10, displayWidth(n), Math.max(1, width - 3)));
  const fits = (ps: readonly string[]) => ps.every((p, i) => width - displayWidth(p) >= minName[i]);
  if (fits(prefixes)) return prefixes.map((p, i) => fit(p + names[i], width));
  const compact = prefixes.map((p) => p.replace(/(.)../g, '$1'));
  if (fits(compact)) return compact.map((p, i) => fit(p + names[i], width));
  // Drop as many leading columns from every row as the deepest needs ('…' takes one of them).
  let drop = 0;
  compact.forEach((p, i) => {
    drop = Math.max(drop, displayWidth(p) - (width - minName[i] - 1));
  });
  return compact.map((p, i) => {
    const chars = Array.from(p);
    return fit('…' + chars.slice(Math.min(drop, chars.length)).join('') + names[i], width);
  });
}

function rowLine(p: ProcessStat, cells: string[], fields: readonly ProcessField[], gone: boolean, tagged: boolean): Line {
  const base: Style = gone ? 'gone' : tagged ? 'tagged' : p.system ? 'dim' : 'normal';
  const out: Line = [];
  cells.forEach((text, i) => {
    if (i > 0) out.push(seg(' ', base));
    const tone = gone || tagged ? null : (fields[i].tone?.(p) ?? null);
    out.push(seg(text, tone ?? base));
  });
  return out;
}

export function buildDashboardView(inp: DashboardInputs): DashboardView {
  const draw = inp.text ?? ((t: string) => t);
  const c: Ctx = { inp, draw, clean: (t) => draw(sanitize(t)), name: (p) => draw(displayName(p)) };
  const view = build(c);
  if (!inp.ascii) return view;
  return {
    ...view,
    header: view.header.map(asciiLine),
    gridHeader: asciiLine(view.gridHeader),
    grid: view.grid.map((r) => ({ ...r, line: asciiLine(r.line) })),
    detail: view.detail && { lines: view.detail.lines.map(asciiLine), spark: view.detail.spark.map(asciiLine) },
    status: asciiLine(view.status),
    overlay: view.overlay && { ...view.overlay, title: asciiLine([seg(view.overlay.title)])[0].text, lines: view.overlay.lines.map(asciiLine) },
  };
}

function build(c: Ctx): DashboardView {
  const { inp } = c;
  const { snap, state, rows, size } = inp;
  const layout = dashboardLayout(size);
  const width = Math.max(1, size.width);
  const header = snap && layout.header > 0 ? headerLines(snap, width, layout.header, c.clean, state.sort, inp.root ?? false) : [];
  if (state.view === 'sessions' && state.mode !== 'filter') return sessionsView(c, layout, header, width);
  const cols = layoutColumns(width, { session: inp.sessionRows.some((x) => x.kind !== 'pod'), keep: state.sort });
  const keys = cols.columns.map((col) => col.key);
  const columns: HeaderColumn[] = [];
  let x = 0;
  const gridHeader: Line = headerCells(cols).flatMap((h, i) => {
    const k = keys[i];
    const f = cols.columns[i];
    if (f.sort) columns.push({ key: k, start: x, end: x + cols.widths[i] });
    x += cols.widths[i] + 1;
    const mark = k === state.sort ? (f.descending !== state.reverse ? '▼' : '▲') : '';
    const text = mark ? fit(h.trim() + mark, cols.widths[i], f.column!.align) : h;
    return i === 0 ? [seg(text, 'title')] : [seg(' ', 'title'), seg(text, 'title')];
  });
  const grid: GridRow[] = [];
  const sel = selectedIndex(state, rows);
  const end = Math.min(rows.list.length, state.top + layout.gridRows);
  const nameIdx = keys.indexOf('name');
  const tagged = new Set(state.tagged);
  const isGone = (p: ProcessStat) => state.gone !== null && state.gone.key === p.key;
  const visible = rows.list.slice(state.top, end);
  // The Name cells of a tree (or of a row marked ✕) are drawn together, at one scale.
  const names =
    nameIdx >= 0 && (rows.prefixes || visible.some(isGone))
      ? treeCells(
          visible.map((p, j) => (rows.prefixes?.[state.top + j] ?? '') + (isGone(p) ? '✕ ' : '')),
          visible.map((p) => c.name(p)),
          cols.widths[nameIdx],
        )
      : null;
  visible.forEach((p, j) => {
    const gone = isGone(p);
    const cells = rowCells(p, cols, snap!, c.draw);
    if (names) cells[nameIdx] = names[j];
    grid.push({ line: rowLine(p, cells, cols.columns, gone, tagged.has(p.key)), selected: state.top + j === sel });
  });
  const position = rows.list.length === 0 ? '0 of 0' : `${state.top + 1}-${end} of ${rows.list.length}`;

  let detail: DetailView | null = null;
  if (layout.detail > 0 && snap && sel >= 0) {
    const p = rows.list[sel];
    const gone = state.gone !== null && state.gone.key === p.key;
    detail = processDetail(p, detailInputs(c, snap), gone, width, layout.detail - 2);
  }
  return { layout, header, gridHeader, columns, grid, position, detail, status: statusLine(c, position, width), overlay: placeOverlay(overlayFor(c), inp.size, state.overlayTop) };
}

function detailInputs(c: Ctx, snap: Frame): DetailInputs {
  return { snap, history: c.inp.history, detail: c.inp.detail, clean: c.clean, name: c.name };
}

/** The dialog's width on a screen this wide (its border and padding take 4 columns of it). */
export function overlayWidth(screenWidth: number): number {
  return Math.min(screenWidth, Math.max(40, Math.floor(screenWidth * 0.9)));
}

/** The dialog's rows of text on a screen this high. */
export function overlayRows(screenHeight: number): number {
  return Math.max(1, screenHeight - 4);
}

/** The dialog's text wrapped to its width (continuations indented) and the rows from `top` that fit. */
function placeOverlay(o: Overlay | null, size: { width: number; height: number }, top: number): Overlay | null {
  if (!o) return null;
  const inner = Math.max(1, overlayWidth(Math.max(1, size.width)) - 4);
  const wrapped = o.lines.flatMap((l) => wrapLine(l, inner, o.indent ?? 0));
  const rows = overlayRows(size.height);
  const first = Math.max(0, Math.min(top, wrapped.length - rows));
  const lines = wrapped.slice(first, first + rows);
  const title = wrapped.length > rows ? `${o.title}(${first + 1}-${first + lines.length} of ${wrapped.length}) ` : o.title;
  return { ...o, title, lines, total: wrapped.length, top: first };
}

/** The dialog over the grid, if the mode has one. */
function overlayFor(c: Ctx): Overlay | null {
  const { state, snap } = c.inp;
  if (state.mode === 'confirm' && state.confirm) return confirmOverlay(state.confirm, c.inp.graceSec, c.clean);
  if (state.mode === 'help') return helpOverlay();
  if (state.mode === 'history') return historyOverlay(c.inp.ended, c.clean);
  if (state.mode === 'menu' && state.menu) return menuOverlay(state.menu, snap?.processes ?? [], (u) => snap?.userName(u) ?? null, c.clean);
  return null;
}

/** The key hints, most wanted first: as many whole ones as fit (never "h h…"), and `? help` always. */
const HINTS: [string, string][] = [
  ['q', 'quit'], ['k', 'kill'], ['K', 'kill tree'], ['s', 'sort'], ['r', 'reverse'], ['/', 'filter'], ['t', 'tree'],
  ['Tab', 'sessions'], ['Space', 'tag'], ['u', 'user'], ['h', 'history'],
];
/** The sessions view takes only these (sorting, filtering, tagging and the tree are the process view's). */
const SESSION_HINTS: [string, string][] = [['q', 'quit'], ['k', 'end session'], ['Enter', 'its processes'], ['Tab', 'processes'], ['h', 'history']];

function hintLine(view: DashboardState['view'], room: number): Line {
  const item = ([k, d]: [string, string]): Line => [seg(k, 'key'), seg(` ${d}  `)];
  const help = [seg('?', 'key'), seg(' help')];
  const width = (l: Line) => l.reduce((a, s) => a + displayWidth(s.text), 0);
  const out: Line = [];
  let used = width(help);
  for (const h of view === 'sessions' ? SESSION_HINTS : HINTS) {
    const l = item(h);
    if (used + width(l) > room) break;
    out.push(...l);
    used += width(l);
  }
  return [...out, ...help];
}

function statusLine(c: Ctx, position: string, width: number): Line {
  const { inp } = c;
  const { state } = inp;
  const right = `${position}  sort ${state.sort}${state.reverse ? '↑' : ''}${inp.tickMs === null ? '' : `  tick ${inp.tickMs.toFixed(1)} ms`}`;
  const room = width - displayWidth(right) - 1;
  let left: Line;
  if (state.mode === 'filter') {
    left = [seg('Filter: ', 'key'), seg(c.clean(state.filter) + '█'), seg('  Enter keep · Esc clear', 'dim')];
  } else if (state.mode === 'search') {
    left = [seg('Search: ', 'key'), seg(c.clean(state.search) + '█'), seg('  F3 next · Enter/Esc done', 'dim')];
  } else if (inp.error) {
    left = [seg(`Refresh failed: ${c.clean(inp.error)}`, 'danger')];
  } else if (inp.jobs.length > 0) {
    left = [seg(c.draw(inp.jobs.join(' · ')), 'warn')];
  } else if (state.status) {
    const st: Style = state.status.level === 'error' ? 'danger' : state.status.level === 'warn' ? 'warn' : state.status.level === 'ok' ? 'ok' : 'normal';
    left = [seg(c.clean(state.status.text), st)];
  } else {
    left = [];
  }
  // What holds now (the focus first; filter, user, tags, read-only after the message or the hints).
  const focus: Line = state.focus && state.view === 'processes' ? [seg(`[${c.clean(state.focus.name)}: Esc back] `, 'key')] : [];
  const facts: Line = [];
  if (state.filter && state.mode !== 'filter') facts.push(seg(`  filter "${c.clean(state.filter)}"`, 'warn'));
  if (state.user !== null) facts.push(seg(`  user ${c.clean(inp.snap?.userName(state.user) ?? `uid ${state.user}`)}`, 'warn'));
  if (state.tagged.length > 0) facts.push(seg(`  ${state.tagged.length} tagged`, 'tagged'));
  if (state.readOnly) facts.push(seg('  read-only', 'dim'));
  const widthOf = (l: Line) => l.reduce((a, s) => a + displayWidth(s.text), 0);
  if (left.length === 0) left = hintLine(state.view, Math.max(0, room - widthOf(focus) - widthOf(facts)));
  left = [...focus, ...left, ...facts];
  // Fit: the left part gets what the right part leaves.
  const leftText = left.map((s) => s.text).join('');
  const leftW = displayWidth(leftText);
  if (room < 10) return [seg(fit(leftText, width))];
  if (leftW > room) return [seg(fit(leftText, room)), seg(' ' + right, 'dim')];
  return [...left, seg(spaces(room - leftW + 1) + right, 'dim')];
}

function sessionsView(c: Ctx, layout: DashboardLayout, header: Line[], width: number): DashboardView {
  const { state, snap } = c.inp;
  const list = c.inp.sessionRows;
  const cols = layoutSessionColumns(width, { run: list.some((x) => x.kind === 'run') });
  const gridHeader: Line = sessionHeaderCells(cols).flatMap((h, i) => (i === 0 ? [seg(h, 'title')] : [seg(' ', 'title'), seg(h, 'title')]));
  const sel = list.findIndex((x) => x.id === state.sessionKey);
  const end = Math.min(list.length, state.sessionTop + layout.gridRows);
  const grid: GridRow[] = [];
  for (let i = state.sessionTop; i < end; i++) {
    const x = list[i];
    const cells = sessionRowCells(x, cols, c.draw);
    const base: Style = x.kind === 'agent' && x.pids.length === 0 ? 'dim' : x.kind === 'pod' ? 'bold' : 'normal';
    const line: Line = [];
    cells.forEach((text, j) => {
      if (j > 0) line.push(seg(' ', base));
      let st: Style = base;
      if (cols.columns[j].key === 'ctx' && x.agent) {
        const lv = contextLevel(x.agent.contextPercent);
        st = lv === 'critical' ? 'danger' : lv === 'warn' ? 'warn' : base;
      }
      line.push(seg(text, st));
    });
    grid.push({ line, selected: i === sel });
  }
  const position = list.length === 0 ? '0 of 0' : `${state.sessionTop + 1}-${end} of ${list.length}`;
  let detail: DetailView | null = null;
  if (layout.detail > 0 && sel >= 0 && snap) detail = sessionDetail(list[sel], detailInputs(c, snap), width, layout.detail - 2);
  return { layout, header, gridHeader, columns: [], grid, position, detail, status: statusLine(c, position, width), overlay: placeOverlay(overlayFor(c), c.inp.size, c.inp.state.overlayTop) };
}
