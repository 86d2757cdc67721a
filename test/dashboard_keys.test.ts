// What htop and btop users reach for (F-keys, the mouse, tags, a signal for k, u, Ctrl-L, F3 search) and
// the status bar, the header and the key hints saying the present only, in whole words. Plain objects.
import { initialState, orderRows, reconcile, reduce, DashboardState, ReduceContext, Action } from '../lib/view/dashboard_state';
import { buildDashboardView, DashboardInputs, DashboardView } from '../lib/view/dashboard_view';
import { userMenuItems } from '../lib/view/dashboard_menus';
import { sortSessions } from '../lib/view/session_table';
import { lineText } from '../lib/view/styled';
import { keyToAction } from '../lib/ui/keys';
import { EventEmitter } from 'events';
import { mouseToAction, separateMouseReports, splitMouseReports, WHEEL_ROWS } from '../lib/ui/mouse';
import { endOptionsFor } from '../lib/engine/terminator';
import { guardOf } from '../lib/model/protection';
import { sessionOf } from '../lib/model/sessions';
import type { ProcessStat } from '../lib/model/process_stat';
import { proc, snapshot, TestFrame } from './helpers/process_stat';

const MiB = 1024 * 1024;
const start = (over: Partial<DashboardState> = {}) => ({ ...initialState({ sort: 'uss', reverse: false, filter: '', readOnly: false }), ...over });

function ctx(snap: TestFrame, st: DashboardState, selfPid = 999999): ReduceContext {
  const guard = guardOf(snap.processes, selfPid);
  return { rows: orderRows(snap, st, guard), sessionRows: sortSessions(snap.sessions), pageSize: 25, all: snap.processes, guard };
}

function view(snap: TestFrame, st: DashboardState, over: Partial<DashboardInputs> = {}, width = 120): DashboardView {
  const r = reconcile(st, snap, 25);
  return buildDashboardView({
    snap, state: r.state, rows: r.rows, sessionRows: r.sessionRows, size: { width, height: 40 }, history: undefined, detail: null,
    jobs: [], ended: [], tickMs: 1, error: null, graceSec: 5, ...over,
  });
}

/** Feed actions one after another, settling after each as the UI does. */
function run(snap: TestFrame, st: DashboardState, actions: Action[], selfPid?: number): { state: DashboardState; effects: unknown[] } {
  const effects: unknown[] = [];
  let s = reconcile(st, snap, 25, guardOf(snap.processes, selfPid ?? 999999)).state;
  for (const a of actions) {
    const r = reduce(s, a, ctx(snap, s, selfPid));
    if (r.effect) effects.push(r.effect);
    s = reconcile(r.state, snap, 25, guardOf(snap.processes, selfPid ?? 999999)).state;
  }
  return { state: s, effects };
}

const selectedPid = (snap: TestFrame, st: DashboardState) => snap.processes.find((p) => p.key === st.selectedKey)?.pid;

describe('keys htop users reach for', () => {
  test('F-keys, Space, U, u, Ctrl-L; the seed keys mean what they meant', () => {
    expect(keyToAction('grid', undefined, { name: 'f3' })).toEqual({ type: 'searchStart' });
    expect(keyToAction('grid', undefined, { name: 'f4' })).toEqual({ type: 'filterStart' });
    expect(keyToAction('grid', undefined, { name: 'f5' })).toEqual({ type: 'toggleTree' });
    expect(keyToAction('grid', undefined, { name: 'f6' })).toEqual({ type: 'sortMenu' });
    expect(keyToAction('grid', undefined, { name: 'f10' })).toBe('quit');
    expect(keyToAction('grid', undefined, { name: 'f1' })).toEqual({ type: 'help' });
    expect(keyToAction('grid', ' ', { name: 'space' })).toEqual({ type: 'toggleTag' });
    expect(keyToAction('grid', 'U', {})).toEqual({ type: 'untagAll' });
    expect(keyToAction('grid', 'u', {})).toEqual({ type: 'userMenu' });
    expect(keyToAction('grid', undefined, { name: 'l', ctrl: true })).toBe('redraw');
    // Enter typed ahead, before raw mode, comes as a line feed (blessed: `linefeed`).
    expect(keyToAction('filter', undefined, { name: 'linefeed' })).toEqual({ type: 'filterAccept' });
    expect(keyToAction('grid', undefined, { name: 'linefeed' })).toEqual(keyToAction('grid', undefined, { name: 'enter' }));
    expect(keyToAction('confirm', undefined, { name: 'right' })).toEqual({ type: 'signal', dir: 1 });
    expect(keyToAction('confirm', undefined, { name: 'left' })).toEqual({ type: 'signal', dir: -1 });
    expect(keyToAction('search', 'x', {})).toEqual({ type: 'searchInput', text: 'x' });
    expect(keyToAction('search', undefined, { name: 'f3' })).toEqual({ type: 'searchNext' });
    expect(keyToAction('menu', undefined, { name: 'down' })).toEqual({ type: 'menuMove', delta: 1 });
    expect(keyToAction('menu', undefined, { name: 'enter' })).toEqual({ type: 'menuPick' });
    // The seed tool's keys are unchanged.
    expect(keyToAction('grid', 'q', {})).toBe('quit');
    expect(keyToAction('grid', 'k', {})).toEqual({ type: 'kill', tree: false });
    expect(keyToAction('grid', 's', {})).toEqual({ type: 'cycleSort' });
    expect(keyToAction('grid', 'S', {})).toEqual({ type: 'reverse' });
    expect(keyToAction('grid', 'r', {})).toEqual({ type: 'reverse' });
    expect(keyToAction('grid', '/', {})).toEqual({ type: 'filterStart' });
    expect(keyToAction('grid', undefined, { name: 'escape' })).toEqual({ type: 'escape' });
    expect(keyToAction('grid', undefined, { name: 'up' })).toEqual({ type: 'move', delta: -1 });
    expect(keyToAction('confirm', 'y', {})).toEqual({ type: 'confirmYes' });
    expect(keyToAction('confirm', 'n', {})).toEqual({ type: 'confirmNo' });
  });

  test('F3 searches: the selection jumps to the next match, nothing is hidden', () => {
    const snap = snapshot([proc(1, { name: 'alpha', ussBytes: 9 * MiB }), proc(2, { name: 'beta', ussBytes: 8 * MiB }), proc(3, { name: 'alphabet', ussBytes: 7 * MiB })]);
    let { state } = run(snap, start(), [{ type: 'searchStart' }, { type: 'searchInput', text: 'b' }, { type: 'searchInput', text: 'e' }]);
    expect(selectedPid(snap, state)).toBe(2);
    expect(orderRows(snap, state).list).toHaveLength(3);
    ({ state } = run(snap, state, [{ type: 'searchNext' }]));
    expect(selectedPid(snap, state)).toBe(3);
    expect(lineText(view(snap, state).status)).toContain('Search: be█');
    ({ state } = run(snap, state, [{ type: 'escape' }]));
    expect(state.mode).toBe('grid');
    expect(selectedPid(snap, state)).toBe(3);
  });

  test('u shows one user\'s processes, picked from a list of users (most processes first)', () => {
    const snap = snapshot([proc(1, { uid: 0 }), proc(2, { uid: 1000 }), proc(3, { uid: 1000 })]);
    expect(userMenuItems(snap.processes)).toEqual([null, 1000, 0]);
    const { state } = run(snap, start(), [{ type: 'userMenu' }, { type: 'menuMove', delta: 1 }]);
    const v = view(snap, state);
    expect(v.overlay?.lines.map(lineText).join('\n')).toContain('user1000 (uid 1000): 2 processes');
    const picked = run(snap, state, [{ type: 'menuPick' }]).state;
    expect(orderRows(snap, picked).list.map((p) => p.pid).sort()).toEqual([2, 3]);
    expect(lineText(view(snap, picked).status)).toContain('user user1000');
  });

  test('F6 picks the sort column from a list', () => {
    const snap = snapshot([proc(1)]);
    const { state } = run(snap, start(), [{ type: 'sortMenu' }, { type: 'menuMove', delta: -1000 }, { type: 'menuPick' }]);
    expect(state.sort).toBe('pid');
  });
});

describe('tags and the signal for k', () => {
  const family = () =>
    snapshot([proc(10, { ussBytes: 5 * MiB }), proc(11, { ppid: 10, ussBytes: 4 * MiB }), proc(20, { ussBytes: 3 * MiB }), proc(30, { ussBytes: 2 * MiB })]);

  test('Space tags and moves on; k then y ends exactly the tagged processes, once', () => {
    const snap = family();
    const { state, effects } = run(snap, start(), [{ type: 'toggleTag' }, { type: 'move', delta: 1 }, { type: 'toggleTag' }, { type: 'kill', tree: false }]);
    expect(state.tagged).toHaveLength(2);
    expect(lineText(view(snap, state).overlay!.lines[0])).toBe('Kill 2 tagged processes (USS 8.00 MiB)? (y/n)');
    expect(effects).toEqual([]);
    const r = run(snap, state, [{ type: 'confirmYes' }]);
    expect(r.effects).toHaveLength(1);
    const req = (r.effects[0] as { request: { kind: string; members: ProcessStat[]; signal: string } }).request;
    expect(req.kind).toBe('tagged');
    expect(req.members.map((p) => p.pid).sort()).toEqual([10, 20]);
    expect(req.signal).toBe('SIGTERM');
    expect(r.state.tagged).toEqual([]);
  });

  test('K on a tagged set takes their descendants too; U untags', () => {
    const snap = family();
    let { state } = run(snap, start(), [{ type: 'toggleTag' }, { type: 'kill', tree: true }]);
    expect(state.confirm?.members.map((p) => p.pid).sort()).toEqual([10, 11]);
    expect(lineText(view(snap, state).overlay!.lines[0])).toBe('Kill 1 tagged process and their 1 descendant (2 processes, USS 9.00 MiB)? (y/n)');
    ({ state } = run(snap, state, [{ type: 'confirmNo' }, { type: 'untagAll' }]));
    expect(state.tagged).toEqual([]);
  });

  test('a tagged set holding spmon or its parent is refused before asking', () => {
    const snap = snapshot([proc(10, { ussBytes: 5 * MiB }), proc(500, { ppid: 10, ussBytes: 1 })]);
    const { state } = run(snap, start(), [{ type: 'toggleTag' }, { type: 'kill', tree: false }], 500);
    expect(state.mode).toBe('grid');
    expect(state.status?.text).toMatch(/^Refused to end 10 proc10: it is protected/);
  });

  test('← → choose the signal: TERM escalates, HUP and STOP are sent once, KILL at once', () => {
    const snap = snapshot([proc(7, { ussBytes: MiB })]);
    let { state } = run(snap, start(), [{ type: 'kill', tree: false }]);
    expect(lineText(view(snap, state).overlay!.lines[2])).toBe('SIGTERM now, SIGKILL after 5 s if it is still running.');
    ({ state } = run(snap, state, [{ type: 'signal', dir: -1 }]));
    expect(state.confirm?.signal).toBe('SIGCONT');
    ({ state } = run(snap, state, [{ type: 'signal', dir: 1 }, { type: 'signal', dir: 1 }, { type: 'signal', dir: 1 }, { type: 'signal', dir: 1 }, { type: 'signal', dir: 1 }]));
    expect(state.confirm?.signal).toBe('SIGHUP');
    const v = view(snap, state);
    expect(lineText(v.overlay!.lines[0])).toBe('Send SIGHUP to process 7 proc7? (y/n)');
    expect(lineText(v.overlay!.lines[2])).toBe('SIGHUP only: nothing after it (no SIGKILL).');
    const r = run(snap, state, [{ type: 'confirmYes' }]);
    expect((r.effects[0] as { request: { signal: string } }).request.signal).toBe('SIGHUP');
    expect(endOptionsFor('SIGHUP', 5000)).toEqual({ stages: [{ signal: 'SIGHUP', waitMs: 0 }], escalate: false });
    expect(endOptionsFor('SIGTERM', 5000)).toEqual({ stages: [{ signal: 'SIGTERM', waitMs: 5000 }] });
    expect(endOptionsFor('SIGINT', 5000)).toEqual({ stages: [{ signal: 'SIGINT', waitMs: 5000 }] });
    expect(endOptionsFor('SIGKILL', 5000)).toEqual({ stages: [{ signal: 'SIGKILL', waitMs: 0 }] });
  });

  test('K on a process without children: no "its 0 descendants (1 processes"', () => {
    const snap = snapshot([proc(7, { ussBytes: MiB })]);
    const { state } = run(snap, start(), [{ type: 'kill', tree: true }]);
    expect(lineText(view(snap, state).overlay!.lines[0])).toBe('Kill 7 proc7 (no descendants, USS 1.00 MiB)? (y/n)');
  });
});

describe('the mouse', () => {
  const snap = () => snapshot(Array.from({ length: 40 }, (_, i) => proc(i + 1)));

  test('a click on a row selects it; the wheel moves the selection', () => {
    const s = snap();
    const st = reconcile(start(), s, 25).state;
    const v = view(s, st);
    const top = v.layout.header + 1;
    const click = mouseToAction(v, 'grid', { x: 5, y: top + 3, action: 'mousedown', button: 'left' });
    expect(click).toEqual({ type: 'clickRow', row: 3 });
    const r = run(s, st, [click!]);
    expect(selectedPid(s, r.state)).toBe(37);
    expect(mouseToAction(v, 'grid', { x: 5, y: top + 3, action: 'wheeldown' })).toEqual({ type: 'move', delta: WHEEL_ROWS });
    expect(mouseToAction(v, 'grid', { x: 5, y: 0, action: 'mousedown', button: 'left' })).toBeNull();
    expect(mouseToAction(v, 'confirm', { x: 5, y: top + 3, action: 'mousedown', button: 'left' })).toBeNull();
  });

  test('a click on a column header sorts by it; again reverses', () => {
    const s = snap();
    const st = reconcile(start(), s, 25).state;
    const v = view(s, st);
    const pid = v.columns.find((c) => c.key === 'pid')!;
    const a = mouseToAction(v, 'grid', { x: pid.start + 1, y: v.layout.header, action: 'mousedown', button: 'left' });
    expect(a).toEqual({ type: 'sortBy', key: 'pid' });
    let r = run(s, st, [a!]);
    expect([r.state.sort, r.state.reverse]).toEqual(['pid', false]);
    r = run(s, r.state, [a!]);
    expect([r.state.sort, r.state.reverse]).toEqual(['pid', true]);
    expect(lineText(view(s, r.state).gridHeader)).toContain('PID▼');
  });

  // neo-blessed takes a mouse report only at the start of a chunk of input and drops a chunk with one inside.
  const parts = (text: string) => splitMouseReports(Buffer.from(text, 'latin1')).map((b) => b.toString('latin1'));
  const HOME = '\x1b[1~';
  const WHEEL = '\x1b[<65;11;8M';
  const CLICK = '\x1b[<0;5;9M\x1b[<0;5;9m';

  test('input read at once is cut so that each mouse report stands alone, in order', () => {
    expect(parts(HOME + WHEEL)).toEqual([HOME, WHEEL]);
    expect(parts(WHEEL + 'q')).toEqual([WHEEL, 'q']);
    expect(parts(WHEEL + WHEEL + WHEEL)).toEqual([WHEEL, WHEEL, WHEEL]);
    expect(parts('j' + CLICK + 'k')).toEqual(['j', '\x1b[<0;5;9M', '\x1b[<0;5;9m', 'k']);
    // Nothing to cut: the chunk itself, untouched (keys, a lone report, a report cut short by the read).
    const keys = Buffer.from('jjk\x1b[A', 'latin1');
    expect(splitMouseReports(keys)[0]).toBe(keys);
    expect(parts(WHEEL)).toEqual([WHEEL]);
    expect(parts(HOME + '\x1b[<65;11')).toEqual([HOME + '\x1b[<65;11']);
    // Bytes that are not ASCII (UTF-8 typed into the filter) keep their places.
    const utf8 = Buffer.concat([Buffer.from('é', 'utf8'), Buffer.from(WHEEL, 'latin1'), Buffer.from('ü', 'utf8')]);
    expect(splitMouseReports(utf8).map((b) => b.toString('utf8'))).toEqual(['é', WHEEL, 'ü']);
  });

  test("an input stream's data listeners hear each report on its own; other events pass as they are", () => {
    const input = new EventEmitter();
    const heard: string[] = [];
    input.on('data', (b: Buffer) => heard.push(b.toString('latin1')));
    input.on('other', (x: unknown) => heard.push(`other ${String(x)}`));
    separateMouseReports(input);
    expect(input.emit('data', Buffer.from(HOME + WHEEL + 'q', 'latin1'))).toBe(true);
    input.emit('data', Buffer.from('q', 'latin1'));
    input.emit('other', 1);
    expect(heard).toEqual([HOME, WHEEL, 'q', 'q', 'other 1']);
  });
});

describe('the status bar says the present only', () => {
  test('"Filter cleared" goes with the next key; an old "Spared…" is not left under a new question', () => {
    const snap = snapshot([proc(11, { name: 'argv0' }), proc(12)]);
    let { state } = run(snap, start({ filter: 'argv0' }), [{ type: 'escape' }]);
    expect(state.status?.text).toBe('Filter cleared');
    ({ state } = run(snap, state, [{ type: 'filterStart' }, { type: 'filterInput', text: 'a' }, { type: 'filterAccept' }]));
    expect(lineText(view(snap, state).status)).not.toContain('Filter cleared');
    ({ state } = run(snap, state, [{ type: 'kill', tree: false }, { type: 'confirmNo' }]));
    expect(state.status?.text).toMatch(/^Spared/);
    ({ state } = run(snap, state, [{ type: 'kill', tree: false }]));
    expect(state.mode).toBe('confirm');
    expect(lineText(view(snap, state).status)).not.toContain('Spared');
  });

  test('t in the sessions view does not report "List view" of a grid that is not shown', () => {
    const snap = snapshot([proc(1)]);
    const { state } = run(snap, start(), [{ type: 'toggleView' }, { type: 'toggleTree' }]);
    expect(state.tree).toBe(false);
    expect(state.status?.text).not.toMatch(/view$/);
    expect(state.status?.text).toMatch(/Tab/);
  });
});

describe('whole words at 120 columns', () => {
  test('the header ends in a whole sentence, however many are hidden and however long the cgroup', () => {
    const procs = Array.from({ length: 9 }, (_, i) => proc(i + 1, { ussBytes: null, pssBytes: null, rssBytes: MiB }));
    const snap = snapshot(procs);
    snap.cgroup.path = '/process_api/74f12123f4008554b8b0009f9b89291a/more/and/more';
    snap.host.name = 'a-rather-long-host-name';
    const first = lineText(view(snap, start()).header[0]);
    expect(first.length).toBeLessThanOrEqual(120);
    expect(first).toMatch(/USS of 9 hidden( \(needs root\))?, sorted by their RSS$/);
  });

  test('key hints are whole: never "h h…", and "? help" always shows', () => {
    const snap = snapshot([proc(1)]);
    for (const st of [start(), start({ filter: 'argv0', readOnly: true, user: 0 })]) {
      const status = lineText(view(snap, st).status);
      expect(status).toContain('? help');
      expect(status).not.toMatch(/…/);
    }
  });

  test('the sort column keeps its place (and its ▼) when a Session column joins', () => {
    const a = proc(1);
    const snap = snapshot([a], {}, [sessionOf('tmux:s:$1', 'tmux', 'work', [a])]);
    const header = lineText(view(snap, start({ sort: 'read' })).gridHeader);
    expect(header).toContain('Read▼');
    expect(header).toContain('Session');
  });

  test('deep in the tree, names still show', () => {
    const chain = Array.from({ length: 10 }, (_, i) => proc(i + 1, { ppid: i, name: `level${i + 1}` }));
    const snap = snapshot(chain);
    const v = view(snap, start({ tree: true, sort: 'pid' }));
    const deepest = v.grid.map((g) => lineText(g.line)).find((t) => /^ +10 /.test(t))!;
    expect(deepest).toMatch(/level1/);
  });
});

describe('a non-root user\'s default view', () => {
  test('processes whose USS is hidden sort by their RSS, so the biggest come first; the header says so', () => {
    const mine = proc(100, { ussBytes: 50 * MiB, rssBytes: 60 * MiB });
    const theirs = proc(5, { ussBytes: null, pssBytes: null, rssBytes: 900 * MiB });
    const small = proc(6, { ussBytes: null, pssBytes: null, rssBytes: MiB });
    const snap = snapshot([theirs, small, mine]);
    const st = reconcile(start(), snap, 25).state;
    expect(orderRows(snap, st).list.map((p) => p.pid)).toEqual([5, 100, 6]);
    expect(lineText(view(snap, st).header[0])).toContain('USS of 2 hidden (needs root), sorted by their RSS');
  });
});

describe('the filter does not find spmon by its own command line', () => {
  test('spmon and its parents match by name only', () => {
    const shell = proc(50, { name: 'bash', cmdline: 'bash -c spmon --filter sleepy' });
    const self = proc(51, { ppid: 50, name: 'node', cmdline: 'node spmon --filter sleepy' });
    const other = proc(60, { name: 'sleep', cmdline: 'sleepy 600' });
    const snap = snapshot([shell, self, other]);
    const st = start({ filter: 'sleepy' });
    expect(orderRows(snap, st, guardOf(snap.processes, 51)).list.map((p) => p.pid)).toEqual([60]);
    expect(orderRows(snap, start({ filter: 'bash' }), guardOf(snap.processes, 51)).list.map((p) => p.pid)).toEqual([50]);
  });
});
